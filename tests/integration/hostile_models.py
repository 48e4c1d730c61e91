# ruff: noqa: E501
"""Small BPMN models built in code for the hostile-input tests: loops, expressions in every place an
expression can sit, long chains and wide fans."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://ansinh.test">\n'
)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def process(key: str, body: str, lanes: str = "", head_extra: str = "") -> bytes:
    lane_set = (
        f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_officer" name="officer">{lanes}</bpmn:lane>'
        "</bpmn:laneSet>"
    )
    return (
        f'{HEAD}{head_extra}<bpmn:process id="{key}" isExecutable="true">{lane_set if lanes else ""}'
        f"{body}</bpmn:process></bpmn:definitions>"
    ).encode()


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{_esc(condition)}'
        "</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>"
    )


def script_loop(key: str = "script_loop", turns: int = 2000) -> bytes:
    """start → count (n += 1) → gateway: back to count while n < turns → end."""
    body = (
        '<bpmn:startEvent id="start" />'
        '<bpmn:scriptTask id="count" scriptFormat="python">'
        "<bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>"
        '<bpmn:exclusiveGateway id="again" default="f_end" />'
        '<bpmn:endEvent id="end" />'
        + flow("f_start", "start", "count")
        + flow("f_count", "count", "again")
        + flow("f_back", "again", "count", f"n < {turns}")
        + flow("f_end", "again", "end")
    )
    return process(key, body)


def user_loop(key: str = "user_loop") -> bytes:
    """start → check (a user task) → gateway: back to check while again → end."""
    body = (
        '<bpmn:startEvent id="start" />'
        '<bpmn:userTask id="check" name="Check" />'
        '<bpmn:exclusiveGateway id="again" default="f_end" />'
        '<bpmn:endEvent id="end" />'
        + flow("f_start", "start", "check")
        + flow("f_check", "check", "again")
        + flow("f_back", "again", "check", "again")
        + flow("f_end", "again", "end")
    )
    return process(key, body, lanes="<bpmn:flowNodeRef>check</bpmn:flowNodeRef>")


def _between(key: str, element: str, extra: str = "", head_extra: str = "") -> bytes:
    """start → ``element`` (id "probe") → end, with ``extra`` beside them."""
    body = (
        '<bpmn:startEvent id="start" />'
        + element
        + '<bpmn:endEvent id="end" />'
        + flow("f_in", "start", "probe")
        + flow("f_out", "probe", "end")
        + extra
    )
    return process(key, body, head_extra=head_extra)


def place(where: str, payload: str) -> dict[str, bytes]:
    """Files deploying a process ``probe_<where>`` whose element "probe" holds ``payload`` as the
    expression of ``where``."""
    key, text = f"probe_{where}", _esc(payload)
    if where == "script":
        return {
            f"{key}.bpmn": _between(
                key, f'<bpmn:scriptTask id="probe"><bpmn:script>x = {text}</bpmn:script></bpmn:scriptTask>'
            )
        }
    if where == "condition":
        body = (
            '<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="probe" default="f_no" />'
            '<bpmn:endEvent id="yes" /><bpmn:endEvent id="no" />'
            + flow("f_in", "start", "probe")
            + flow("f_yes", "probe", "yes", payload)
            + flow("f_no", "probe", "no")
        )
        return {f"{key}.bpmn": process(key, body)}
    if where == "timer":
        timer = f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{text}</bpmn:timeDuration></bpmn:timerEventDefinition>'
        return {
            f"{key}.bpmn": _between(
                key, f'<bpmn:intermediateCatchEvent id="probe">{timer}</bpmn:intermediateCatchEvent>'
            )
        }
    if where == "service_parameter":
        operator = (
            '<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="echo" resultVariable="r">'
            f'<spiffworkflow:parameters><spiffworkflow:parameter id="value" type="str" value={quoteattr(payload)} />'
            "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>"
        )
        return {f"{key}.bpmn": _between(key, f'<bpmn:serviceTask id="probe">{operator}</bpmn:serviceTask>')}
    if where == "dmn_cell":
        task = (
            '<bpmn:businessRuleTask id="probe"><bpmn:extensionElements>'
            "<spiffworkflow:calledDecisionId>probe_decision</spiffworkflow:calledDecisionId>"
            "</bpmn:extensionElements></bpmn:businessRuleTask>"
        )
        dmn = (
            '<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'id="probe_dmn" name="probe" namespace="http://ansinh.test"><decision id="probe_decision" name="probe">'
            '<decisionTable id="table"><input id="in" label="amount"><inputExpression id="ie" typeRef="integer">'
            '<text>amount</text></inputExpression></input><output id="out" name="kind" typeRef="string" />'
            f'<rule id="r1"><inputEntry id="c1"><text>{text}</text></inputEntry>'
            '<outputEntry id="o1"><text>"big"</text></outputEntry></rule></decisionTable></decision></definitions>'
        )
        return {f"{key}.bpmn": _between(key, task), f"{key}.dmn": dmn.encode()}
    if where == "conditional_event":
        condition = f'<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">{text}</bpmn:condition></bpmn:conditionalEventDefinition>'
        return {
            f"{key}.bpmn": _between(
                key, f'<bpmn:intermediateCatchEvent id="probe">{condition}</bpmn:intermediateCatchEvent>'
            )
        }
    if where == "loop_condition":
        loop = f'<bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">{text}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>'
        return {
            f"{key}.bpmn": _between(
                key, f'<bpmn:scriptTask id="probe">{loop}<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
            )
        }
    if where == "message_payload":
        message = (
            '<bpmn:messageEventDefinition messageRef="probe_message"><bpmn:extensionElements>'
            f"<spiffworkflow:messagePayload>{text}</spiffworkflow:messagePayload>"
            "</bpmn:extensionElements></bpmn:messageEventDefinition>"
        )
        head = '<bpmn:message id="probe_message" name="probe_message" />'
        return {
            f"{key}.bpmn": _between(
                key,
                f'<bpmn:intermediateThrowEvent id="probe">{message}</bpmn:intermediateThrowEvent>',
                head_extra=head,
            )
        }
    raise ValueError(where)


PLACES = ["script", "condition", "timer", "service_parameter", "dmn_cell", "conditional_event", "loop_condition",
          "message_payload"]  # fmt: skip

__all__ = ["PLACES", "chain", "fan", "flow", "place", "process", "quoteattr", "script_loop", "user_loop"]


def chain(key: str, length: int) -> bytes:
    """start → length script tasks in a row → end."""
    tasks = "".join(
        f'<bpmn:scriptTask id="s{i}"><bpmn:script>x = {i}</bpmn:script></bpmn:scriptTask>'
        for i in range(length)
    )
    ids = ["start", *(f"s{i}" for i in range(length)), "end"]
    flows = "".join(flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    return process(key, f'<bpmn:startEvent id="start" />{tasks}<bpmn:endEvent id="end" />{flows}')


def fan(key: str, width: int) -> bytes:
    """start → parallel split → width user tasks → parallel join → end."""
    tasks = "".join(f'<bpmn:userTask id="u{i}" />' for i in range(width))
    flows = "".join(flow(f"a{i}", "split", f"u{i}") + flow(f"b{i}", f"u{i}", "join") for i in range(width))
    body = (
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" /><bpmn:parallelGateway id="join" />'
        f'<bpmn:endEvent id="end" />{tasks}{flows}'
        + flow("f_in", "start", "split")
        + flow("f_out", "join", "end")
    )
    lanes = "".join(f"<bpmn:flowNodeRef>u{i}</bpmn:flowNodeRef>" for i in range(width))
    return process(key, body, lanes=lanes)
