// An Sinh's rules as a bpmnlint plugin (bpmnlint-plugin-ansinh): the markers shown while drawing. The
// server checks the same rules again at deploy (workflows/processes/rules.py).
import { is } from "bpmnlint-utils";
import { DUE_RULE, foreignExpression, readCatalog } from "./catalog.js";

const catalog = readCatalog();

function extension(node, type) {
  const values = (node.extensionElements && node.extensionElements.values) || [];
  return values.find((v) => is(v, type));
}

export function property(node, name) {
  const props = extension(node, "spiffworkflow:Properties");
  const found = props && (props.values || []).find((p) => p.name === name);
  return found ? found.value || "" : "";
}

function lanesOf(process) {
  const lanes = {};
  const visit = (laneSet, inherited) => {
    for (const lane of (laneSet && laneSet.lanes) || []) {
      for (const ref of lane.flowNodeRef || []) if (ref) lanes[ref.id] = lane.name || inherited || "";
      visit(lane.childLaneSet, lane.name);
    }
  };
  for (const laneSet of process.laneSets || []) visit(laneSet);
  return lanes;
}

function userTasks() {
  function check(node, reporter) {
    if (!is(node, "bpmn:Process")) return;
    const lanes = lanesOf(node);
    const walk = (container, inheritedLane) => {
      for (const element of container.flowElements || []) {
        const lane = lanes[element.id] !== undefined ? lanes[element.id] : inheritedLane;
        if (is(element, "bpmn:SubProcess")) walk(element, lane);
        if (!is(element, "bpmn:UserTask") && !is(element, "bpmn:ManualTask")) continue;
        if (lane === undefined) reporter.report(element.id, `Việc không nằm trong làn nào: đặt vào làn của vai trò (${catalog.roles.join(", ")})`);
        else if (!catalog.roles.includes(lane)) reporter.report(element.id, `Làn "${lane}" không phải vai trò: ${catalog.roles.join(", ")}`);
        const form = property(element, "formKey");
        if (!form) reporter.report(element.id, "Việc chưa có biểu mẫu (formKey)");
        else if (!catalog.forms.includes(form)) reporter.report(element.id, `Biểu mẫu "${form}" không tồn tại`);
        const due = property(element, "due");
        if (due && !DUE_RULE.test(due)) reporter.report(element.id, `Hạn xử lý "${due}" không hiểu được (P3D, PT72H, P5WD, before-day:12)`);
      }
    };
    walk(node, undefined);
  }
  return { check };
}

function serviceOperators() {
  function check(node, reporter) {
    if (!is(node, "bpmn:ServiceTask")) return;
    const operator = extension(node, "spiffworkflow:ServiceTaskOperator");
    if (!operator || !catalog.operators.includes(operator.id)) {
      reporter.report(node.id, `Chọn một thao tác dịch vụ đã đăng ký: ${catalog.operators.join(", ")}`);
    }
  }
  return { check };
}

function exclusiveGateways() {
  function check(node, reporter) {
    if (!is(node, "bpmn:ExclusiveGateway")) return;
    const outgoing = node.outgoing || [];
    if (outgoing.length < 2 || node.default) return;
    const bare = outgoing.filter((flow) => !flow.conditionExpression);
    if (bare.length) reporter.report(node.id, "Mỗi nhánh ra cần điều kiện, hoặc chọn một nhánh mặc định");
  }
  return { check };
}

function expressions() {
  function check(node, reporter) {
    if (is(node, "bpmn:SequenceFlow") && node.conditionExpression) {
      const hint = foreignExpression(node.conditionExpression.body);
      if (hint) reporter.report(node.id, `Điều kiện viết bằng ${hint}`);
    }
    if (is(node, "bpmn:TimerEventDefinition") && node.timeCycle) {
      reporter.report(node.$parent.id, "Không hỗ trợ bộ hẹn giờ lặp (timeCycle): dùng timeDuration hoặc timeDate");
    }
  }
  return { check };
}

const RULES = {
  "user-task": userTasks,
  "service-operator": serviceOperators,
  "exclusive-gateway": exclusiveGateways,
  expressions: expressions,
};

// The { config, resolver } bpmn-js-bpmnlint expects, without bpmnlint's node-only resolver.
export const lintConfig = {
  config: { rules: Object.fromEntries(Object.keys(RULES).map((name) => [`ansinh/${name}`, "error"])) },
  resolver: {
    resolveRule(pkg, name) {
      if (pkg !== "bpmnlint-plugin-ansinh" || !RULES[name]) throw new Error(`unknown rule ${pkg}/${name}`);
      return RULES[name];
    },
    resolveConfig(pkg, name) {
      throw new Error(`unknown config ${pkg}/${name}`);
    },
  },
};
