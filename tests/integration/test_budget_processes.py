"""While a runaway script burns its step's budget in one process, another officer's click in another
process goes through at once: the BPMN work of a step runs before the write lock is taken."""

from __future__ import annotations

from engine import deploy, get_instance, start_instance
from tests.integration import workers
from tests.integration.hostile_models import flow, process, user_loop
from tests.integration.test_concurrency import errors, run_workers

CPU_BOMB = "max(range(100000), key=list(range(100000)).count)"


def runaway_model() -> bytes:
    body = (
        '<bpmn:startEvent id="start" /><bpmn:userTask id="go" name="Go" />'
        f'<bpmn:scriptTask id="burn"><bpmn:script>x = {CPU_BOMB}</bpmn:script></bpmn:scriptTask>'
        '<bpmn:endEvent id="end" />'
        + flow("f1", "start", "go") + flow("f2", "go", "burn") + flow("f3", "burn", "end")
    )  # fmt: skip
    return process("runaway", body, lanes="<bpmn:flowNodeRef>go</bpmn:flowNodeRef>")


def test_another_officer_completes_a_task_within_a_second_while_a_script_burns_its_budget(ctx, database_url):
    deploy(ctx, {"runaway.bpmn": runaway_model(), "loop.bpmn": user_loop()})
    (runaway,) = start_instance(ctx, "runaway", "BK-runaway", "62001").open_tasks
    (officer,) = start_instance(ctx, "user_loop", "BK-officer", "62001").open_tasks
    now = ctx.now()
    ctx.db.dispose()
    outcomes = run_workers(
        workers.complete_timed,
        database_url,
        now,
        [(runaway.id, {}, 0.0), (officer.id, {"again": False}, 0.3)],
    )
    assert not errors(outcomes), errors(outcomes)
    (burnt, *burn_times), (done, *officer_times) = (detail.split() for _, detail in outcomes)
    burn_began, burn_ended = map(float, burn_times)
    officer_began, officer_ended = map(float, officer_times)
    assert (burnt, done) == ("incident", "completed")
    assert officer_ended - officer_began < 1.0, officer_ended - officer_began
    assert officer_ended < burn_ended  # it did not wait for the runaway step
    assert "CPU budget" in get_instance(ctx, runaway.instance_id).incidents[0]
