// The case's BPMN drawn with bpmn-js (served by the app): the steps where it stands, or the timer or
// message it waits for (with its date), highlighted, and the view fitted to them at a readable size.
// Loaded on every page (it is small); the viewer itself is fetched only when a page has a #diagram —
// on a page reached through hx-boost, a <script> in its head would never run.
(function () {
  "use strict";

  const READABLE = 0.7; // below this scale the labels cannot be read
  const MARGIN = 80; // room around the steps shown, in diagram units

  let viewerLoading = null;

  // Fit the view to where the case stands (its open steps, or the timer or message it waits for), at a
  // readable size: never zoomed out below READABLE, never enlarged past 1; the rest of the process is
  // reached with the mouse wheel and by dragging.
  function fitTo(canvas, elements) {
    const left = Math.min(...elements.map((e) => e.x)) - MARGIN;
    const top = Math.min(...elements.map((e) => e.y)) - MARGIN;
    const right = Math.max(...elements.map((e) => e.x + e.width)) + MARGIN;
    const bottom = Math.max(...elements.map((e) => e.y + e.height)) + MARGIN;
    const outer = canvas.viewbox().outer;
    const fits = Math.min(outer.width / (right - left), outer.height / (bottom - top));
    const scale = Math.min(Math.max(fits, READABLE), 1);
    const width = outer.width / scale;
    const height = outer.height / scale;
    canvas.viewbox({
      x: (left + right) / 2 - width / 2,
      y: (top + bottom) / 2 - height / 2,
      width: width,
      height: height,
    });
  }

  // The timer's date (or the message) beside the event the case waits at; text, never markup.
  function label(overlays, id, text) {
    const tag = document.createElement("div");
    tag.className = "waiting-label";
    tag.textContent = text;
    overlays.add(id, { position: { top: -26, left: -40 }, html: tag }); // above: its own name is below
  }

  function loadViewer(src) {
    if (window.BpmnJS) return Promise.resolve();
    if (!viewerLoading) {
      viewerLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = () => {
          viewerLoading = null;
          reject(new Error(src));
        };
        document.head.appendChild(script);
      });
    }
    return viewerLoading;
  }

  async function show(box) {
    if (box.dataset.drawn) return;
    box.dataset.drawn = "1";
    try {
      await loadViewer(box.dataset.viewer);
      const viewer = new window.BpmnJS({ container: box });
      const response = await fetch(box.dataset.src, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      await viewer.importXML(await response.text());
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      for (const id of JSON.parse(box.dataset.done || "[]")) {
        if (registry.get(id)) canvas.addMarker(id, "done");
      }
      const current = JSON.parse(box.dataset.current || "[]").filter((id) => registry.get(id));
      for (const id of current) canvas.addMarker(id, "current");
      const waiting = JSON.parse(box.dataset.waiting || "[]").filter((w) => registry.get(w.id));
      for (const w of waiting) {
        canvas.addMarker(w.id, "waiting");
        label(viewer.get("overlays"), w.id, w.label);
      }
      const active = [...current, ...waiting.map((w) => w.id)].map((id) => registry.get(id));
      if (active.length) fitTo(canvas, active);
      else canvas.zoom("fit-viewport");
      box.dataset.scale = canvas.zoom().toFixed(2);
      box.dataset.ready = "1";
    } catch (error) {
      box.textContent = (box.dataset.error || "Không hiển thị được sơ đồ") + ": " + error.message;
      box.dataset.failed = "1";
    }
  }

  function setup() {
    const box = document.getElementById("diagram");
    if (box) show(box);
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("htmx:afterSettle", setup);
})();
