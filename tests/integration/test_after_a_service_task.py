"""What follows a service task: steps that run no process code run on under the write lock, so the step
is written once; from the first step that runs process code (a script, a condition, a timer that is not a
constant), the rest is rehearsed and written in a second transaction, as issue #11 wants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from engine import complete_task, deploy, instance_history, start_instance
from engine.errors import CodeUnderLock
from engine.inert import constants_only, inert
from engine.models import Instance
from engine.steps import load
from tests.integration.hostile_models import flow, process
from tests.integration.test_budget_processes import ECHO


def _timer(expression: str) -> str:
    return (
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration '
        f'xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
    )


SCRIPT = '<bpmn:scriptTask id="note"><bpmn:script>noted = r["case"] + "!"</bpmn:script></bpmn:scriptTask>'
JOIN, NEXT = '<bpmn:exclusiveGateway id="join" />', '<bpmn:userTask id="next" />'
# What sits between the service task and the end: its elements, their ids, and the step's commits.
AFTER = {
    "gateway_then_user_task": (JOIN + NEXT, ["join", "next"], 1),
    "constant_timer": (JOIN + _timer('"PT1H"'), ["join", "wait"], 1),
    "script_then_user_task": (SCRIPT + NEXT, ["note", "next"], 2),
    "computed_timer": (JOIN + _timer('"PT" + "1H"'), ["join", "wait"], 2),
}


def model(after: str) -> bytes:
    elements, chain, _ = AFTER[after]
    ids = ["start", "go", "call", *chain, "end"]
    body = '<bpmn:startEvent id="start" /><bpmn:userTask id="go" />' + ECHO + elements
    body += '<bpmn:endEvent id="end" />'
    body += "".join(flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    lanes = "<bpmn:flowNodeRef>go</bpmn:flowNodeRef><bpmn:flowNodeRef>next</bpmn:flowNodeRef>"
    return process("after_service", body, lanes=lanes)


@pytest.mark.parametrize("after", AFTER)
def test_the_steps_after_a_service_task_are_written_with_it_unless_they_run_process_code(ctx, echo, after):
    deploy(ctx, {"after_service.bpmn": model(after)})
    (go,) = start_instance(ctx, "after_service", "BK-1", "62001").open_tasks
    commits = []
    event.listen(ctx.db.engine, "commit", lambda conn: commits.append(conn))
    done = complete_task(ctx, go.id, {}, user="officer")
    assert len(commits) == AFTER[after][2]
    assert [call.operation for call in echo.calls] == ["echo"]  # the handler ran once
    assert done.status == "running" and done.incident is None
    if "user_task" in after:
        assert [t.bpmn_id for t in done.open_tasks] == ["next"]
    else:
        assert done.open_tasks == []
        with ctx.db.read() as session:
            due = session.scalar(select(Instance.next_timer_at).where(Instance.id == done.instance_id))
        assert due == ctx.now() + timedelta(hours=1)  # the timer's own time, not a resume after a minute
    kinds = [(h.kind, h.bpmn_id) for h in instance_history(ctx, done.instance_id)]
    assert ("task_completed", "go") in kinds
    if after == "script_then_user_task":
        assert ("task_created", "next") in kinds


def test_steps_that_evaluate_something_are_not_run_under_the_lock(ctx):
    xml = (
        '<bpmn:startEvent id="start" />'
        '<bpmn:exclusiveGateway id="plain" /><bpmn:exclusiveGateway id="choice" default="f_no" />'
        '<bpmn:userTask id="yes" /><bpmn:userTask id="no" />'
        '<bpmn:userTask id="prepared"><bpmn:extensionElements><spiffworkflow:preScript>x = 1'
        "</spiffworkflow:preScript></bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:exclusiveGateway id="to_prepared" />'
        + flow("f_start", "start", "plain")
        + flow("f_plain", "plain", "choice")
        + flow("f_yes", "choice", "yes", "amount > 1")
        + flow("f_no", "choice", "no")
        + flow("f_yes_on", "yes", "to_prepared")
        + flow("f_prepared", "to_prepared", "prepared")
    )
    lanes = "".join(f"<bpmn:flowNodeRef>{t}</bpmn:flowNodeRef>" for t in ("yes", "no", "prepared"))
    deploy(ctx, {"probe.bpmn": process("probe", xml, lanes=lanes)})
    started = start_instance(ctx, "probe", "BK-2", "62001", {"amount": 1})
    with ctx.db.read() as session:
        workflow = load(ctx, session.connection(), started.instance_id).workflow
    specs = workflow.spec.task_specs
    verdicts = {name: inert(_Task(specs[name])) for name in ("plain", "choice", "to_prepared")}
    assert verdicts == {"plain": True, "choice": False, "to_prepared": False}

    (waiting,) = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "no"]
    with constants_only(workflow.script_engine):
        assert workflow.script_engine.evaluate(waiting, '"PT1H"') == "PT1H"
        with pytest.raises(CodeUnderLock):
            workflow.script_engine.evaluate(waiting, "amount + 1")
        with pytest.raises(CodeUnderLock):
            workflow.script_engine.execute(waiting, "m = 1")
    assert workflow.script_engine.evaluate(waiting, "amount + 1") == 2


class _Task:
    """A task of ``spec`` (``inert`` looks at nothing else)."""

    def __init__(self, spec) -> None:
        self.task_spec = spec
