// The administrators' BPMN modeler: bpmn-js with the properties panel (our provider), bpmnlint markers
// (our plugin), the server's validation as a list and as markers, drafts, deploy.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import lintModule from "bpmn-js-bpmnlint";
import spiffworkflow from "./spiffworkflow.json";
import AnSinhPropertiesProvider from "./properties.js";
import { lintConfig } from "./lint-rules.js";

const providerModule = { __init__: ["anSinhPropertiesProvider"], anSinhPropertiesProvider: ["type", AnSinhPropertiesProvider] };

async function post(url, body, csrf) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

function start(root) {
  const modeler = new BpmnModeler({
    container: root.querySelector(".canvas"),
    propertiesPanel: {
      parent: root.querySelector(".properties"),
      layout: { groups: { general: { open: true }, ansinh: { open: true } } },
    },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, providerModule, lintModule],
    moddleExtensions: { spiffworkflow },
    linting: { bpmnlint: lintConfig, active: true },
  });
  window.ansinhModeler = modeler; // for the browser tests and the console
  const status = root.querySelector(".status");
  const list = root.querySelector(".problems");
  const csrf = root.dataset.csrf;
  let marked = [];

  const say = (text, kind) => {
    status.textContent = text;
    status.className = `status flash ${kind || ""}`;
  };

  function showProblems(problems) {
    const canvas = modeler.get("canvas");
    const registry = modeler.get("elementRegistry");
    for (const id of marked) if (registry.get(id)) canvas.removeMarker(id, "ansinh-problem");
    marked = [];
    list.replaceChildren();
    for (const problem of problems) {
      const item = document.createElement("li");
      const where = [problem.element, problem.line ? `dòng ${problem.line}` : null].filter(Boolean).join(", ");
      item.textContent = where ? `${where}: ${problem.message}` : problem.message;
      if (problem.element && registry.get(problem.element)) {
        canvas.addMarker(problem.element, "ansinh-problem");
        marked.push(problem.element);
        item.dataset.element = problem.element;
        item.tabIndex = 0;
        item.addEventListener("click", () => modeler.get("selection").select(registry.get(problem.element)));
      }
      list.appendChild(item);
    }
    root.dataset.problems = String(problems.length);
  }

  async function xml() {
    return (await modeler.saveXML({ format: true })).xml;
  }

  async function validate() {
    say("Đang kiểm tra…");
    const result = await post(root.dataset.validateUrl, { xml: await xml() }, csrf);
    const problems = result.data.problems || [];
    showProblems(problems);
    say(problems.length ? `${problems.length} lỗi cần sửa` : "Không có lỗi", problems.length ? "error" : "");
    return problems;
  }

  root.querySelector("[data-action=validate]").addEventListener("click", validate);
  root.querySelector("[data-action=save]").addEventListener("click", async () => {
    const result = await post(root.dataset.draftUrl, { xml: await xml(), base_version: Number(root.dataset.baseVersion) }, csrf);
    say(result.ok ? "Đã lưu bản nháp" : result.data.message || "Không lưu được", result.ok ? "" : "error");
  });
  root.querySelector("[data-action=deploy]").addEventListener("click", async () => {
    say("Đang triển khai…");
    const result = await post(root.dataset.deployUrl, { xml: await xml() }, csrf);
    if (result.ok) {
      showProblems([]);
      say(`Đã triển khai phiên bản ${result.data.version}`);
      root.dataset.deployed = String(result.data.version);
      window.location.assign(root.dataset.indexUrl);
    } else {
      showProblems(result.data.problems || []);
      say(result.data.message || "Không triển khai được", "error");
    }
  });
  root.querySelector("[data-action=download]").addEventListener("click", async () => {
    const blob = new Blob([await xml()], { type: "application/xml" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = root.dataset.fileName;
    link.click();
    URL.revokeObjectURL(link.href);
  });

  fetch(root.dataset.sourceUrl, { credentials: "same-origin" })
    .then((response) => response.text())
    .then((text) => modeler.importXML(text))
    .then(({ warnings }) => {
      modeler.get("canvas").zoom("fit-viewport");
      root.dataset.ready = "1";
      if (warnings.length) say(`Đã mở, ${warnings.length} cảnh báo khi đọc tệp`);
    })
    .catch((error) => {
      root.dataset.ready = "error";
      say(`Không mở được sơ đồ: ${error.message}`, "error");
    });
}

document.querySelectorAll("[data-modeler]").forEach(start);
