"""Concurrency with real OS processes: each one its own engine and connections, all acting at once.

The parent sets the data up through ``fixture_ctx``, closes its connections, spawns the workers from
``tests.integration.workers`` and then checks the database: exactly one effect per contested step, the
losers told so with Conflict (or "duplicate"), never a raw database error, and no spurious conflicts
between different instances.
"""

from __future__ import annotations

import multiprocessing
import queue as queues
import time
from collections import Counter
from datetime import timedelta

import pytest

from engine import complete_task as complete_in_parent
from engine import get_instance, instance_history, start_instance
from tests.integration import workers

SPAWN = multiprocessing.get_context("spawn")
DEADLINE_S = 90  # a hang fails the test instead of blocking the run
REGISTER = {"amount": 30, "route": "slow"}


def run_workers(target, database_url: str, now, per_worker_args: list[tuple]) -> list[tuple[str, str]]:
    """Run ``target`` in one spawned process per argument tuple; return (outcome, detail) by worker."""
    count = len(per_worker_args)
    barrier = SPAWN.Barrier(count)
    results = SPAWN.Queue()
    processes = [
        SPAWN.Process(target=target, args=(i, database_url, now, barrier, results, *args), daemon=True)
        for i, args in enumerate(per_worker_args)
    ]
    for process in processes:
        process.start()
    deadline = time.monotonic() + DEADLINE_S
    outcomes: dict[int, tuple[str, str]] = {}
    try:
        while len(outcomes) < count:
            try:
                index, outcome, detail = results.get(timeout=max(0.1, deadline - time.monotonic()))
            except queues.Empty:
                break
            outcomes[index] = (outcome, str(detail))
        for process in processes:
            process.join(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        hung = [p.pid for p in processes if p.is_alive()]
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join(5)
            process.close()
        results.close()
        results.join_thread()
    assert not hung, f"workers {hung} did not finish within {DEADLINE_S} s"
    assert len(outcomes) == count, f"only {len(outcomes)} of {count} workers reported: {outcomes}"
    return [outcomes[i] for i in range(count)]


def kinds(outcomes: list[tuple[str, str]]) -> Counter:
    return Counter(outcome for outcome, _ in outcomes)


def errors(outcomes: list[tuple[str, str]]) -> list[str]:
    return [detail for outcome, detail in outcomes if outcome == "error"]


def history_kinds(ctx, instance_id: int) -> Counter:
    return Counter(event.kind for event in instance_history(ctx, instance_id))


def test_eight_processes_completing_one_task_one_wins_seven_conflict(fixture_ctx, database_url, clock):
    ctx = fixture_ctx
    started = start_instance(ctx, "engine_fixture", "BK-RACE", "62001", {})
    (register,) = started.open_tasks
    assert register.bpmn_id == "register"
    ctx.db.dispose()

    outcomes = run_workers(workers.complete, database_url, clock.now, [(register.id, REGISTER)] * 8)

    assert errors(outcomes) == []
    assert kinds(outcomes) == {"ok": 1, "conflict": 7}
    (winner_version,) = [int(detail) for outcome, detail in outcomes if outcome == "ok"]
    completions = [e for e in instance_history(ctx, started.instance_id) if e.kind == "task_completed"]
    assert [(e.task_id, e.bpmn_id) for e in completions] == [(register.id, "register")]
    assert completions[0].actor.startswith("worker-")
    view = get_instance(ctx, started.instance_id)
    assert view.version == winner_version > started.version  # two writes: the service task, then the rest
    assert view.status == "running"
    assert [t.bpmn_id for t in view.open_tasks] == ["approve"]
    assert view.data["total"] == 60  # the script ran once, on the winner's data


def test_eight_processes_on_eight_instances_all_succeed(fixture_ctx, database_url, clock):
    ctx = fixture_ctx
    started = [start_instance(ctx, "engine_fixture", f"BK-{i}", "62001", {}) for i in range(8)]
    ctx.db.dispose()

    outcomes = run_workers(
        workers.complete, database_url, clock.now, [(s.open_tasks[0].id, REGISTER) for s in started]
    )

    assert errors(outcomes) == []
    assert kinds(outcomes) == {"ok": 8}
    for result, (_, version) in zip(started, outcomes, strict=True):
        view = get_instance(ctx, result.instance_id)
        assert view.version == int(version) > result.version
        assert [t.bpmn_id for t in view.open_tasks] == ["approve"]
        assert history_kinds(ctx, result.instance_id)["task_completed"] == 1


def test_two_sweepers_fire_each_due_timer_exactly_once(fixture_ctx, database_url, clock):
    ctx = fixture_ctx
    instance_ids = []
    for i in range(20):
        started = start_instance(ctx, "engine_fixture", f"BK-T{i}", "62001", {})
        step = complete_in_parent(ctx, started.open_tasks[0].id, REGISTER)
        assert [t.bpmn_id for t in step.open_tasks] == ["approve"]
        instance_ids.append(started.instance_id)
    due = get_instance(ctx, instance_ids[0]).next_timer_at
    assert due == clock.now + timedelta(days=3)
    ctx.db.dispose()

    moment = due + timedelta(minutes=1)
    outcomes = run_workers(workers.sweep_timers, database_url, clock.now, [(moment,), (moment,)])

    assert errors(outcomes) == []
    assert kinds(outcomes) == {"ok": 2}
    sweeps = [tuple(map(int, detail.split())) for _, detail in outcomes]
    assert sum(fired for _, fired, _ in sweeps) == 20
    for due_count, fired, skipped in sweeps:
        assert fired + skipped == due_count <= 20
    for instance_id in instance_ids:
        events = instance_history(ctx, instance_id)
        assert Counter(e.kind for e in events)["timer_fired"] == 1
        assert [e.data["end"] for e in events if e.kind == "instance_ended"] == ["timed_out"]
        assert [e.bpmn_id for e in events if e.kind == "task_cancelled"] == ["approve"]
        view = get_instance(ctx, instance_id)
        assert (view.status, view.open_tasks, view.next_timer_at) == ("completed", [], None)


def test_four_processes_delivering_one_message_id_have_one_effect(fixture_ctx, database_url, clock):
    ctx = fixture_ctx
    started = start_instance(ctx, "engine_fixture", "BK-PAY", "62001", {})
    waiting = complete_in_parent(ctx, started.open_tasks[0].id, {"amount": 30, "route": "wait"})
    assert waiting.open_tasks == []
    assert get_instance(ctx, started.instance_id).waiting_for == ["MessageEventDefinition:payment_received"]
    ctx.db.dispose()

    message = ("payment_received", "BK-PAY", {"paid": 60}, "bank-tx-0001")
    outcomes = run_workers(workers.deliver, database_url, clock.now, [message] * 4)

    assert errors(outcomes) == []
    counts = kinds(outcomes)
    assert counts["ok"] == 1
    assert counts["duplicate"] + counts["conflict"] == 3
    assert [detail for outcome, detail in outcomes if outcome == "ok"] == [str(started.instance_id)]
    assert history_kinds(ctx, started.instance_id)["message_delivered"] == 1
    view = get_instance(ctx, started.instance_id)
    assert view.version == waiting.version + 1
    assert view.waiting_for == []
    assert [t.bpmn_id for t in view.open_tasks] == ["confirm"]
    assert view.data["payment"] == {"paid": 60}


@pytest.fixture(autouse=True)
def _no_leftover_children():
    yield
    assert SPAWN.active_children() == []
