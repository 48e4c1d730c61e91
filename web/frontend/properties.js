// A properties-panel group for what An Sinh's engine reads: lane → role, a user task's form and due rule,
// a service task's operator and parameters, timers, conditions, messages, DMN references.
import { SelectEntry, TextAreaEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { DUE_RULE, foreignExpression, readCatalog } from "./catalog.js";

const catalog = readCatalog();

function extension(bo, type) {
  return ((bo.extensionElements && bo.extensionElements.get("values")) || []).find((v) => is(v, type));
}

// The extension element of ``type`` on ``element``, created (with its extensionElements) when missing.
function ensureExtension(element, type, injector, attrs) {
  const modeling = injector.get("modeling");
  const moddle = injector.get("moddle");
  const bo = getBusinessObject(element);
  let ext = bo.extensionElements;
  if (!ext) {
    ext = moddle.create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  let found = extension(bo, type);
  if (!found) {
    found = moddle.create(type, attrs || {});
    found.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get("values"), found] });
  }
  return found;
}

export function getProperty(element, name) {
  const props = extension(getBusinessObject(element), "spiffworkflow:Properties");
  const found = props && props.get("values").find((p) => p.name === name);
  return found ? found.value || "" : "";
}

function setProperty(element, name, value, injector) {
  const modeling = injector.get("modeling");
  const props = ensureExtension(element, "spiffworkflow:Properties", injector, { values: [] });
  const found = props.get("values").find((p) => p.name === name);
  if (found) {
    modeling.updateModdleProperties(element, found, { value });
  } else {
    const created = injector.get("moddle").create("spiffworkflow:Property", { name, value });
    created.$parent = props;
    modeling.updateModdleProperties(element, props, { values: [...props.get("values"), created] });
  }
}

const options = (names) => [{ value: "", label: "—" }, ...names.map((n) => ({ value: n, label: n }))];

function text(id, label, getValue, setValue, extra) {
  return function Entry(props) {
    const injector = useService("injector");
    const debounce = useService("debounceInput");
    return h(TextFieldEntry, {
      id, label, element: props.element, debounce,
      getValue: () => getValue(props.element),
      setValue: (value) => setValue(props.element, value, injector),
      ...(extra || {}),
    });
  };
}

function select(id, label, names, getValue, setValue) {
  return function Entry(props) {
    const injector = useService("injector");
    return h(SelectEntry, {
      id, label, element: props.element,
      getOptions: () => options(names),
      getValue: () => getValue(props.element),
      setValue: (value) => setValue(props.element, value, injector),
    });
  };
}

const RoleEntry = select("ansinh-role", "Vai trò (tên làn)", catalog.roles,
  (el) => getBusinessObject(el).name || "",
  (el, value, injector) => injector.get("modeling").updateProperties(el, { name: value }));

const FormEntry = select("ansinh-form", "Biểu mẫu (formKey)", catalog.forms,
  (el) => getProperty(el, "formKey"), (el, v, inj) => setProperty(el, "formKey", v, inj));

const DueEntry = text("ansinh-due", "Hạn xử lý (due: P5WD, P3D, before-day:12)",
  (el) => getProperty(el, "due"), (el, v, inj) => setProperty(el, "due", v.trim(), inj),
  { validate: (v) => (v && !DUE_RULE.test(v.trim()) ? "Không hiểu được: P5WD, P3D, PT72H hoặc before-day:12" : null) });

const operatorOf = (el) => extension(getBusinessObject(el), "spiffworkflow:ServiceTaskOperator");

const OperatorEntry = select("ansinh-operator", "Thao tác dịch vụ (operator)", catalog.operators,
  (el) => (operatorOf(el) && operatorOf(el).id) || "",
  (el, v, inj) => inj.get("modeling").updateModdleProperties(el, ensureExtension(el, "spiffworkflow:ServiceTaskOperator", inj), { id: v }));

const ResultEntry = text("ansinh-result", "Biến kết quả (resultVariable)",
  (el) => (operatorOf(el) && operatorOf(el).resultVariable) || "",
  (el, v, inj) => inj.get("modeling").updateModdleProperties(el, ensureExtension(el, "spiffworkflow:ServiceTaskOperator", inj), { resultVariable: v }));

function parametersText(el) {
  const list = operatorOf(el) && operatorOf(el).parameterList;
  return list ? list.get("values").map((p) => `${p.id} = ${p.value}`).join("\n") : "";
}

function setParameters(el, value, inj) {
  const moddle = inj.get("moddle");
  const operator = ensureExtension(el, "spiffworkflow:ServiceTaskOperator", inj);
  const list = moddle.create("spiffworkflow:Parameters", { values: [] });
  list.$parent = operator;
  for (const line of value.split("\n")) {
    const at = line.indexOf("=");
    if (at < 1) continue;
    const param = moddle.create("spiffworkflow:Parameter", { id: line.slice(0, at).trim(), type: "str", value: line.slice(at + 1).trim() });
    param.$parent = list;
    list.get("values").push(param);
  }
  inj.get("modeling").updateModdleProperties(el, operator, { parameterList: list });
}

function ParametersEntry(props) {
  const injector = useService("injector");
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    id: "ansinh-parameters", label: "Tham số (mỗi dòng: tên = biểu thức)", element: props.element, debounce, rows: 3,
    getValue: () => parametersText(props.element), setValue: (v) => setParameters(props.element, v, injector),
  });
}

function bodyOf(bo, name) {
  return (bo[name] && bo[name].body) || "";
}

function setFormal(el, owner, name, value, inj) {
  const expression = value ? inj.get("moddle").create("bpmn:FormalExpression", { body: value }) : undefined;
  if (expression) expression.$parent = owner;
  inj.get("modeling").updateModdleProperties(el, owner, { [name]: expression });
}

const ConditionEntry = text("ansinh-condition", "Điều kiện (biểu thức kiểu Python)",
  (el) => bodyOf(getBusinessObject(el), "conditionExpression"),
  (el, v, inj) => setFormal(el, getBusinessObject(el), "conditionExpression", v, inj),
  { validate: (v) => foreignExpression(v) });

const timerOf = (el) => (getBusinessObject(el).eventDefinitions || []).find((d) => is(d, "bpmn:TimerEventDefinition"));
const timerKind = (timer) => (timer.timeDate ? "timeDate" : "timeDuration");

const TimerEntry = text("ansinh-timer", "Hẹn giờ (\"P7D\", \"PT72H\" hoặc ngày giờ có múi giờ)",
  (el) => bodyOf(timerOf(el), timerKind(timerOf(el))),
  (el, v, inj) => setFormal(el, timerOf(el), timerKind(timerOf(el)), v, inj));

const messageOf = (el) => {
  const bo = getBusinessObject(el);
  return is(bo, "bpmn:ReceiveTask") || is(bo, "bpmn:SendTask") ? bo : (bo.eventDefinitions || []).find((d) => is(d, "bpmn:MessageEventDefinition"));
};

const MessageEntry = text("ansinh-message", "Tên thông điệp (gửi tới hồ sơ theo mã hồ sơ)",
  (el) => (messageOf(el).messageRef && messageOf(el).messageRef.name) || "",
  (el, v, inj) => {
    const owner = messageOf(el);
    const definitions = inj.get("canvas").getRootElement().businessObject.$parent;
    let message = (definitions.rootElements || []).find((r) => is(r, "bpmn:Message") && r.name === v);
    if (!message && v) {
      message = inj.get("bpmnFactory").create("bpmn:Message", { name: v });
      message.$parent = definitions;
      definitions.get("rootElements").push(message);
    }
    inj.get("modeling").updateModdleProperties(el, owner, { messageRef: message });
  });

const variable = (el) => extension(getBusinessObject(el), "spiffworkflow:MessageVariable");
const MessageVariableEntry = text("ansinh-message-variable", "Biến nhận nội dung (messageVariable)",
  (el) => (variable(el) && variable(el).value) || "",
  (el, v, inj) => inj.get("modeling").updateModdleProperties(el, ensureExtension(el, "spiffworkflow:MessageVariable", inj), { value: v }));

const decision = (el) => extension(getBusinessObject(el), "spiffworkflow:CalledDecisionId");
const DecisionEntry = text("ansinh-decision", "Bảng quyết định DMN (calledDecisionId)",
  (el) => (decision(el) && decision(el).value) || "",
  (el, v, inj) => inj.get("modeling").updateModdleProperties(el, ensureExtension(el, "spiffworkflow:CalledDecisionId", inj), { value: v }));

function entries(element) {
  const bo = getBusinessObject(element);
  const list = [];
  const add = (id, component, edited) => list.push({ id, element, component, isEdited: edited || isTextFieldEntryEdited });
  if (is(bo, "bpmn:Lane")) add("ansinh-role", RoleEntry, isSelectEntryEdited);
  if (is(bo, "bpmn:UserTask") || is(bo, "bpmn:ManualTask")) {
    add("ansinh-form", FormEntry, isSelectEntryEdited);
    add("ansinh-due", DueEntry);
  }
  if (is(bo, "bpmn:ServiceTask")) {
    add("ansinh-operator", OperatorEntry, isSelectEntryEdited);
    add("ansinh-result", ResultEntry);
    add("ansinh-parameters", ParametersEntry);
  }
  if (is(bo, "bpmn:BusinessRuleTask")) add("ansinh-decision", DecisionEntry);
  if (is(bo, "bpmn:SequenceFlow") && bo.sourceRef && (is(bo.sourceRef, "bpmn:ExclusiveGateway") || is(bo.sourceRef, "bpmn:InclusiveGateway"))) {
    add("ansinh-condition", ConditionEntry);
  }
  if (bo.eventDefinitions && timerOf(element)) add("ansinh-timer", TimerEntry);
  if (messageOf(element) && (is(bo, "bpmn:Event") || is(bo, "bpmn:ReceiveTask") || is(bo, "bpmn:SendTask"))) {
    add("ansinh-message", MessageEntry);
    if (!is(bo, "bpmn:SendTask") && !is(bo, "bpmn:ThrowEvent")) add("ansinh-message-variable", MessageVariableEntry);
  }
  return list;
}

export default class AnSinhPropertiesProvider {
  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const list = entries(element);
      if (list.length) groups.splice(1, 0, { id: "ansinh", label: "An Sinh", entries: list });
      return groups;
    };
  }
}

AnSinhPropertiesProvider.$inject = ["propertiesPanel"];
