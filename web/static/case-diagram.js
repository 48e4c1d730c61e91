// The case's BPMN drawn with bpmn-js (served by the app), the steps where it stands highlighted.
// Loaded on every page (it is small); the viewer itself is fetched only when a page has a #diagram —
// on a page reached through hx-boost, a <script> in its head would never run.
(function () {
  "use strict";

  const READABLE = 0.7; // below this scale the labels cannot be read: show the current step instead

  let viewerLoading = null;

  // The whole process shrunk to fit is unreadable: centre the current step at a readable size (the
  // mouse wheel and dragging still reach the rest).
  function centreOn(canvas, element) {
    const outer = canvas.viewbox().outer;
    const width = outer.width / READABLE;
    const height = outer.height / READABLE;
    canvas.viewbox({
      x: element.x + element.width / 2 - width / 2,
      y: element.y + element.height / 2 - height / 2,
      width: width,
      height: height,
    });
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
      const fitted = canvas.zoom("fit-viewport");
      const registry = viewer.get("elementRegistry");
      for (const id of JSON.parse(box.dataset.done || "[]")) {
        if (registry.get(id)) canvas.addMarker(id, "done");
      }
      const current = JSON.parse(box.dataset.current || "[]").filter((id) => registry.get(id));
      for (const id of current) canvas.addMarker(id, "current");
      if (current.length && fitted < READABLE) centreOn(canvas, registry.get(current[0]));
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
