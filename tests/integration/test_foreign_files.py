"""Files drawn in other modelers: each point of issue 13's "Files from other modelers" either works or is
refused with a message naming the element, its line and the fix."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import deploy, fire_due_timers, get_instance, instance_source, start_instance
from engine.errors import ValidationError
from engine.models import Deployment

HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
)


def _bpmn(body: str, executable: str = "true", declaration: str = "") -> str:
    process = f'<bpmn:process id="p" name="P" isExecutable="{executable}">{body}</bpmn:process>'
    return f"{declaration}{HEAD}{process}</bpmn:definitions>"


def _linear(*middle: str) -> str:
    """start → middle… → end, each element given as (tag-with-attributes, id)."""
    ids = ["s", *[m.split('id="')[1].split('"')[0] for m in middle], "e"]
    flows = "".join(_flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    return '<bpmn:startEvent id="s"/>' + "".join(middle) + '<bpmn:endEvent id="e"/>' + flows


def _flow(flow_id: str, source: str, target: str, inner: str = "") -> str:
    ends = f'sourceRef="{source}" targetRef="{target}"'
    return f'<bpmn:sequenceFlow id="{flow_id}" {ends}>{inner}</bpmn:sequenceFlow>'


def _timer(kind: str, text: str) -> str:
    definition = f"<bpmn:timerEventDefinition><bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition>"
    return f'<bpmn:intermediateCatchEvent id="wait">{definition}</bpmn:intermediateCatchEvent>'


def _refused(ctx, files: dict[str, bytes]) -> list:
    with pytest.raises(ValidationError) as caught:
        deploy(ctx, files)
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Deployment)) == 0
    return caught.value.problems


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "windows-1258", "UTF-16"])
def test_files_in_their_declared_encoding_deploy_with_their_text_intact(ctx, encoding):
    name = {"windows-1258": "Ơn Đư\u0301c", "UTF-16": "Đăng ký hồ sơ"}.get(encoding, "Prüfung café")
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    xml = _bpmn(_linear(f'<bpmn:task id="t" name="{name}"/>'), declaration=declaration)
    (result,) = deploy(ctx, {"legacy.bpmn": xml.encode(encoding.replace("UTF-16", "utf-16"))})
    instance = start_instance(ctx, "p", "BK-1", "62001")
    source = instance_source(ctx, instance.instance_id)
    assert name in source and 'encoding="UTF-8"' in source
    assert result.version == 1


def test_unquoted_iso_timers_as_camunda_writes_them_run(ctx, clock):
    timer = _timer("timeDuration", "PT5M")
    deploy(ctx, {"timer.bpmn": _bpmn(_linear(timer, '<bpmn:userTask id="after"/>')).encode()})
    started = start_instance(ctx, "p", "BK-1", "62001")
    assert get_instance(ctx, started.instance_id).next_timer_at == clock.now + timedelta(minutes=5)
    clock.now += timedelta(minutes=6)
    assert fire_due_timers(ctx).due == 1
    view = get_instance(ctx, started.instance_id)
    assert [t.bpmn_id for t in view.open_tasks] == ["after"] and not view.incidents


def test_a_timer_date_without_a_zone_is_refused_with_the_offset_to_add(ctx):
    timer = _timer("timeDate", "2026-05-01T08:00:00")
    (problem,) = _refused(ctx, {"t.bpmn": _bpmn(_linear(timer)).encode()})
    assert problem.element == "wait" and "2026-05-01T08:00:00+07:00" in problem.message


@pytest.mark.parametrize(
    ("condition", "language", "words"),
    [
        ("${!approved}", "", ["JUEL", "write not approved"]),
        ("= not(approved)", "", ["FEEL", "write not(approved)"]),
        (
            "bpmn:getDataObject('clarified') = 'yes'",
            "http://www.w3.org/1999/XPath",
            ["XPath", "write clarified == 'yes'"],
        ),
    ],
)
def test_conditions_in_other_languages_are_named_with_their_python_like_form(ctx, condition, language, words):
    lang = f' language="{language}"' if language else ""
    expression = f"<bpmn:conditionExpression{lang}>{condition}</bpmn:conditionExpression>"
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="no"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + _flow("f0", "s", "g")
        + _flow("yes", "g", "e1", expression)
        + _flow("no", "g", "e2")
    )
    (problem,) = _refused(ctx, {"c.bpmn": _bpmn(body).encode()})
    assert problem.element == "yes" and problem.line == 1
    assert all(word in problem.message for word in words), problem.message


def test_a_camunda_service_task_lists_the_known_operators(ctx):
    task = '<bpmn:serviceTask id="archive" name="Archive" camunda:class="org.acme.Archive"/>'
    (problem,) = _refused(ctx, {"s.bpmn": _bpmn(_linear(task)).encode()})
    assert problem.element == "archive"
    assert all(word in problem.message for word in ("camunda:class", "echo", "serviceTaskOperator"))


def test_a_decision_ref_is_named_instead_of_the_libraries_none(ctx):
    task = '<bpmn:businessRuleTask id="decide" camunda:decisionRef="risk"/>'
    (problem,) = _refused(ctx, {"b.bpmn": _bpmn(_linear(task)).encode()})
    assert problem.element == "decide" and "decisionRef='risk'" in problem.message
    assert "None" not in problem.message and "calledDecisionId" in problem.message


def test_several_outgoing_flows_name_the_task_and_the_gateway_to_use(ctx):
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="split" name="Split"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + _flow("f0", "s", "split")
        + _flow("f1", "split", "e1")
        + _flow("f2", "split", "e2")
    )
    (problem,) = _refused(ctx, {"m.bpmn": _bpmn(body).encode()})
    assert problem.element == "split"
    assert "'Split'" in problem.message and "parallel gateway" in problem.message


def test_data_stores_and_dangling_data_associations_name_their_element_and_line(ctx):
    association = (
        '<bpmn:dataInputAssociation id="a"><bpmn:sourceRef>prop_1</bpmn:sourceRef>'
        "<bpmn:targetRef>x</bpmn:targetRef></bpmn:dataInputAssociation>"
    )
    body = _linear(f'<bpmn:task id="t">{association}</bpmn:task>')
    body += '<bpmn:dataStoreReference id="ds" name="Bank System"/>'
    problems = _refused(ctx, {"d.bpmn": _bpmn(body).encode()})
    by_element = {p.element: p for p in problems}
    assert "'Bank System'" in by_element["ds"].message and by_element["ds"].line == 1
    assert "'prop_1'" in by_element["t"].message
    assert not any("<Element" in p.message for p in problems)


def test_a_boundary_event_without_definition_is_explained_not_a_python_error(ctx):
    body = _linear('<bpmn:userTask id="t"/>') + '<bpmn:boundaryEvent id="b" attachedToRef="t"/>'
    problems = _refused(ctx, {"x.bpmn": _bpmn(body).encode()})
    assert any("catch event" in p.message for p in problems)
    assert not any(word in p.message for p in problems for word in ("NotImplementedError", "TypeError", "%r"))


def test_a_file_without_an_executable_process_names_the_process_and_the_checkbox(ctx):
    body = _linear() + _flow("bad", "s", "e", "<bpmn:conditionExpression>${x}</bpmn:conditionExpression>")
    (problem,) = _refused(ctx, {"n.bpmn": _bpmn(body, executable="false").encode()})
    assert problem.element == "p" and "Executable" in problem.message and "'P'" in problem.message


def test_signal_started_event_subprocesses_and_spiff_correlations_are_refused_at_deploy(ctx):
    body = _linear() + (
        '<bpmn:subProcess id="on_signal" triggeredByEvent="true"><bpmn:startEvent id="ss">'
        '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent></bpmn:subProcess>'
    )
    declarations = '<bpmn:signal id="sig" name="stop"/><bpmn:correlationProperty id="cp" name="order"/>'
    xml = _bpmn(body).replace("<bpmn:process", declarations + "<bpmn:process")
    problems = {p.element: p.message for p in _refused(ctx, {"sig.bpmn": xml.encode()})}
    assert "signal" in problems["on_signal"] and "boundary event" in problems["on_signal"]
    assert "business key" in problems["cp"]


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<d>&x;</d>".encode("utf-16"),
        b"%PDF-1.4 not xml at all",
        b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>",
        _bpmn("".join(f'<bpmn:task id="t{i}"/>' for i in range(10_000))).encode(),
    ],
    ids=["entity-expansion", "utf16-external-entity", "not-xml", "50MB", "10000-tasks"],
)
def test_hostile_uploads_are_refused_fast_and_store_nothing(ctx, content):
    started = time.perf_counter()
    problems = _refused(ctx, {"hostile.bpmn": content})
    assert time.perf_counter() - started < 1.0
    assert problems and problems[0].file == "hostile.bpmn"
