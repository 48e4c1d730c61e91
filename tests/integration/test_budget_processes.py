"""While a runaway script burns its step's budget in one process, another officer's click in another
process goes through at once: every step's BPMN work (completing a task, starting an instance, a timer,
what follows a service task) runs before the write lock is taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import deploy, get_instance, instance_history, start_instance
from engine.models import Instance
from tests.integration import workers
from tests.integration.hostile_models import flow, process, user_loop
from tests.integration.test_concurrency import errors, run_workers

CPU_BOMB = "max(range(100000), key=list(range(100000)).count)"
BURN = f'<bpmn:scriptTask id="burn"><bpmn:script>x = {CPU_BOMB}</bpmn:script></bpmn:scriptTask>'
ECHO = (
    '<bpmn:serviceTask id="call"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="echo" '
    'resultVariable="r"><spiffworkflow:parameters><spiffworkflow:parameter id="value" type="str" '
    'value="1" /></spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
    "</bpmn:serviceTask>"
)
TIMER = (
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration '
    'xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
    "</bpmn:intermediateCatchEvent>"
)
# Where the runaway script sits: the elements before it, from the start event on.
BEFORE_BURN = {
    "completion": ('<bpmn:userTask id="go" name="Go" />', ["go"]),
    "start": ("", []),
    "timer": (TIMER, ["wait"]),
    "after_a_service_task": ('<bpmn:userTask id="go" name="Go" />' + ECHO, ["go", "call"]),
}


def runaway_model(where: str) -> bytes:
    elements, chain = BEFORE_BURN[where]
    ids = ["start", *chain, "burn", "end"]
    body = '<bpmn:startEvent id="start" />' + elements + BURN + '<bpmn:endEvent id="end" />'
    body += "".join(flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    lanes = "<bpmn:flowNodeRef>go</bpmn:flowNodeRef>" if "go" in chain else ""
    return process("runaway", body, lanes=lanes)


@pytest.mark.parametrize("where", BEFORE_BURN)
def test_another_officer_completes_a_task_within_a_second_while_a_script_burns_its_budget(
    ctx, database_url, where
):
    deploy(ctx, {"runaway.bpmn": runaway_model(where), "loop.bpmn": user_loop()})
    (officer,) = start_instance(ctx, "user_loop", "BK-officer", "62001").open_tasks
    now = ctx.now()
    if where == "start":
        runaway = (workers.start_timed, ("runaway", "BK-runaway", 0.0))
    elif where == "timer":
        waiting = start_instance(ctx, "runaway", "BK-runaway", "62001")
        assert waiting.status == "running" and waiting.open_tasks == []
        runaway = (workers.sweep_timed, (now + timedelta(hours=2), 0.0))
    else:
        (go,) = start_instance(ctx, "runaway", "BK-runaway", "62001").open_tasks
        runaway = (workers.complete_timed, (go.id, {}, 0.0))
    ctx.db.dispose()
    officer_clicks = (workers.complete_timed, (officer.id, {"again": False}, 0.3))
    outcomes = run_workers(workers.one_of, database_url, now, [runaway, officer_clicks])
    assert not errors(outcomes), errors(outcomes)
    (burnt, *burn_times), (done, *officer_times) = (detail.split() for _, detail in outcomes)
    burn_began, burn_ended = map(float, burn_times)
    officer_began, officer_ended = map(float, officer_times)
    assert (burnt, done) == ("incident", "completed")
    assert officer_ended - officer_began < 1.0, officer_ended - officer_began
    assert officer_ended < burn_ended  # it did not wait for the runaway step
    with ctx.db.read() as session:
        instance_id = session.scalar(select(Instance.id).where(Instance.business_key == "BK-runaway"))
    assert "CPU budget" in get_instance(ctx, instance_id).incidents[0]
    raised = [e.bpmn_id for e in instance_history(ctx, instance_id) if e.kind == "incident_raised"]
    assert raised == ["burn"]
