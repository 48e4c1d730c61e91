// The case's BPMN drawn with bpmn-js (served by the app), the steps where it stands highlighted.
(function () {
  "use strict";

  async function show(box) {
    if (!window.BpmnJS || box.dataset.drawn) return;
    box.dataset.drawn = "1";
    const viewer = new window.BpmnJS({ container: box });
    try {
      const response = await fetch(box.dataset.src, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      await viewer.importXML(await response.text());
      const canvas = viewer.get("canvas");
      canvas.zoom("fit-viewport");
      const registry = viewer.get("elementRegistry");
      for (const id of JSON.parse(box.dataset.done || "[]")) {
        if (registry.get(id)) canvas.addMarker(id, "done");
      }
      for (const id of JSON.parse(box.dataset.current || "[]")) {
        if (registry.get(id)) canvas.addMarker(id, "current");
      }
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
