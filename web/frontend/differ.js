// Two versions of a process side by side, with bpmn-js-differ's changes listed and coloured.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { diff } from "bpmn-js-differ";
import spiffworkflow from "./spiffworkflow.json";

async function fetchText(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return response.text();
}

async function show(root) {
  const [oldXml, newXml] = await Promise.all([fetchText(root.dataset.oldUrl), fetchText(root.dataset.newUrl)]);
  const oldViewer = new NavigatedViewer({ container: root.querySelector(".old"), moddleExtensions: { spiffworkflow } });
  const newViewer = new NavigatedViewer({ container: root.querySelector(".new"), moddleExtensions: { spiffworkflow } });
  await oldViewer.importXML(oldXml);
  await newViewer.importXML(newXml);
  for (const viewer of [oldViewer, newViewer]) viewer.get("canvas").zoom("fit-viewport");
  const changes = diff(oldViewer.getDefinitions(), newViewer.getDefinitions());
  const mark = (viewer, id, kind) => {
    if (viewer.get("elementRegistry").get(id)) viewer.get("canvas").addMarker(id, `diff-${kind}`);
  };
  const list = root.querySelector(".changes");
  const add = (kind, id, text) => {
    const item = document.createElement("li");
    item.className = `diff-${kind}`;
    item.dataset.element = id;
    item.textContent = `${id}: ${text}`;
    list.appendChild(item);
  };
  const label = (element) => (element && element.name ? ` "${element.name}"` : "");
  for (const [id, element] of Object.entries(changes._added)) {
    mark(newViewer, id, "added");
    add("added", id, `thêm ${element.$type}${label(element)}`);
  }
  for (const [id, element] of Object.entries(changes._removed)) {
    mark(oldViewer, id, "removed");
    add("removed", id, `bỏ ${element.$type}${label(element)}`);
  }
  for (const [id, change] of Object.entries(changes._changed)) {
    mark(oldViewer, id, "changed");
    mark(newViewer, id, "changed");
    const attrs = Object.entries(change.attrs || {}).map(([name, v]) => `${name}: ${JSON.stringify(v.oldValue)} → ${JSON.stringify(v.newValue)}`);
    add("changed", id, `đổi ${attrs.join("; ") || "thuộc tính"}`);
  }
  for (const id of Object.keys(changes._layoutChanged)) {
    if (!changes._changed[id]) mark(newViewer, id, "layout");
  }
  root.dataset.ready = "1";
  root.dataset.changes = String(list.children.length);
  if (!list.children.length) add("none", "", "hai phiên bản giống nhau");
}

document.querySelectorAll("[data-differ]").forEach((root) =>
  show(root).catch((error) => {
    root.dataset.ready = "error";
    root.querySelector(".changes").textContent = error.message;
  }),
);
