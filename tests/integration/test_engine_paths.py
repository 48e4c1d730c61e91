"""The fixture process driven down every path through the engine, reloading from the database
between every step (each call below opens a fresh context with an empty spec cache)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from engine import (
    bootstrap,
    claim_task,
    complete_task,
    deliver_message,
    fire_due_timers,
    get_instance,
    instance_history,
    list_tasks,
    retry_incident,
    start_instance,
    unclaim_task,
)
from engine.errors import Conflict, NotFound
from engine.models import MessageSubscription, OpenTask


@pytest.fixture
def fresh(fixture_ctx, database_url, clock):
    """A new context on the same database: nothing carried over in memory between steps."""
    contexts = []

    def make():
        context = bootstrap(database_url, fixture_ctx.services, clock=clock)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.db.dispose()


def _only(tasks, bpmn_id):
    matching = [t for t in tasks if t.bpmn_id == bpmn_id]
    assert len(matching) == 1, f"expected one open {bpmn_id}, got {[t.bpmn_id for t in tasks]}"
    return matching[0]


def _kinds(ctx, instance_id):
    return [(h.kind, h.bpmn_id) for h in instance_history(ctx, instance_id)]


def _register(fresh, route, amount=30, business_key="BK-1"):
    started = start_instance(fresh(), "engine_fixture", business_key, "62001", {"case": business_key})
    register = _only(started.open_tasks, "register")
    assert (register.role, register.area_code, register.form_key) == ("commune", "62001", "register")
    return complete_task(fresh(), register.id, {"amount": amount, "route": route}, user="officer")


def test_fast_route_runs_parallel_reviews_then_the_call_activity(fresh, echo):
    step = _register(fresh, "fast")
    reviews = {t.bpmn_id: t for t in step.open_tasks}
    assert {k: t.role for k, t in reviews.items()} == {"review_a": "district_labour", "review_b": "provider"}
    step = complete_task(fresh(), reviews["review_a"].id, {"ok": True}, user="labour")
    assert [t.bpmn_id for t in step.open_tasks] == ["review_b"]  # the join waits for both
    step = complete_task(fresh(), reviews["review_b"].id, {"ok": True}, user="provider")
    confirm = _only(step.open_tasks, "confirm")
    assert confirm.role == "provider"  # a lane of the called process
    step = complete_task(fresh(), confirm.id, {"confirmed": True})
    assert step.status == "completed" and step.open_tasks == []
    view = get_instance(fresh(), step.instance_id)
    assert view.data["total"] == 60  # the script task
    assert view.data["lookup_result"] == {"echo": 60, "case": "BK-1"}  # the service task
    assert view.data["level"] == "low"  # the DMN table
    assert echo.calls[0].area_code == "62001"
    kinds = _kinds(fresh(), step.instance_id)
    assert kinds[0] == ("instance_started", None)
    assert kinds[-1] == ("instance_ended", None)
    assert [b for k, b in kinds if k == "task_completed"] == ["register", "review_a", "review_b", "confirm"]


@pytest.mark.parametrize(("amount", "level"), [(49, "low"), (50, "high"), (500, "high")])
def test_the_decision_table_classifies_the_total(fresh, amount, level):
    step = _register(fresh, "slow", amount=amount)
    assert get_instance(fresh(), step.instance_id).data["level"] == level


def test_slow_route_approved_before_the_deadline(fresh, clock):
    step = _register(fresh, "slow")
    approve = _only(step.open_tasks, "approve")
    assert approve.due_at == clock.now + timedelta(days=3)  # from the boundary timer
    assert get_instance(fresh(), step.instance_id).next_timer_at == approve.due_at
    clock.advance(days=2)
    assert fire_due_timers(fresh()).due == 0
    step = complete_task(fresh(), approve.id, {"approved": True}, user="labour")
    assert get_instance(fresh(), step.instance_id).next_timer_at is None
    step = complete_task(fresh(), _only(step.open_tasks, "confirm").id, {})
    assert step.status == "completed"


def test_slow_route_times_out_exactly_once(fresh, clock):
    step = _register(fresh, "slow")
    approve = _only(step.open_tasks, "approve")
    clock.advance(days=3)
    assert fire_due_timers(fresh()).due == 0  # due exactly now: not yet past
    clock.advance(seconds=1)
    sweep = fire_due_timers(fresh())
    assert (sweep.due, len(sweep.fired)) == (1, 1)
    assert fire_due_timers(fresh()).due == 0
    view = get_instance(fresh(), step.instance_id)
    assert view.status == "completed" and view.open_tasks == []
    kinds = _kinds(fresh(), step.instance_id)
    assert ("task_cancelled", "approve") in kinds
    assert kinds.count(("timer_fired", "approve_timeout")) == 1
    with pytest.raises(Conflict):
        complete_task(fresh(), approve.id, {"approved": True})


def test_timers_due_while_nobody_swept_fire_on_the_next_sweep(fresh, clock):
    first = _register(fresh, "slow", business_key="BK-1")
    second = _register(fresh, "slow", business_key="BK-2")
    clock.advance(days=30)  # the scheduler was down for a month
    sweep = fire_due_timers(fresh())
    assert sorted(r.instance_id for r in sweep.fired) == sorted([first.instance_id, second.instance_id])


def test_wait_route_continues_when_the_message_arrives_once(fresh):
    step = _register(fresh, "wait")
    assert step.open_tasks == []
    assert "MessageEventDefinition:payment_received" in get_instance(fresh(), step.instance_id).waiting_for
    delivery = deliver_message(fresh(), "payment_received", "BK-1", {"amount": 60}, message_id="m-1")
    assert delivery.delivered_to == [step.instance_id] and not delivery.duplicate
    again = deliver_message(fresh(), "payment_received", "BK-1", {"amount": 60}, message_id="m-1")
    assert again.duplicate and again.results == []
    view = get_instance(fresh(), step.instance_id)
    assert [t.bpmn_id for t in view.open_tasks] == ["confirm"]
    assert view.data["payment"] == {"amount": 60}
    assert [k for k, _ in _kinds(fresh(), step.instance_id)].count("message_delivered") == 1
    with fresh().db.read() as session:
        assert session.scalars(select(MessageSubscription)).all() == []


def test_a_message_nobody_waits_for_is_reported_not_dropped(fresh):
    _register(fresh, "slow")
    delivery = deliver_message(fresh(), "payment_received", "BK-1", {}, message_id="m-2")
    assert delivery.delivered_to == []
    with fresh().db.read() as session:
        unmatched = session.execute(text("SELECT count(*) FROM history WHERE kind = 'message_unmatched'"))
        assert unmatched.scalar() == 1


def test_a_failing_service_raises_an_incident_and_a_retry_resumes(fresh, echo):
    echo.failures = 2
    step = _register(fresh, "slow")
    assert step.status == "incident"
    assert "the echo service is down" in step.incident
    view = get_instance(fresh(), step.instance_id)
    assert view.open_tasks == [] and view.incidents
    retried = retry_incident(fresh(), step.instance_id, actor="operator")
    assert retried.status == "incident"  # still down: a second incident, nothing lost
    retried = retry_incident(fresh(), step.instance_id, actor="operator")
    assert retried.status == "running"
    assert [t.bpmn_id for t in retried.open_tasks] == ["approve"]
    assert get_instance(fresh(), step.instance_id).incidents == []
    kinds = [k for k, _ in _kinds(fresh(), step.instance_id)]
    assert kinds.count("incident_raised") == 2 and kinds.count("incident_resolved") == 2


def test_claiming_and_listing(fresh):
    started = start_instance(fresh(), "engine_fixture", "BK-9", "62005", {})
    task = started.open_tasks[0]
    assert [t.id for t in list_tasks(fresh(), role="commune", area_codes=["62005"])] == [task.id]
    assert list_tasks(fresh(), role="commune", area_codes=["62001"]) == []
    assert claim_task(fresh(), task.id, "an").claimed_by == "an"
    with pytest.raises(Conflict, match="claimed by an") as claimed:
        claim_task(fresh(), task.id, "binh")
    with pytest.raises(Conflict) as completed:
        complete_task(fresh(), task.id, {"amount": 1, "route": "slow"}, user="binh")
    with pytest.raises(Conflict) as given_back:
        unclaim_task(fresh(), task.id, "binh")
    assert claimed.value.holder == completed.value.holder == given_back.value.holder == "an"
    assert unclaim_task(fresh(), task.id, "an").claimed_by is None
    assert claim_task(fresh(), task.id, "binh").claimed_by == "binh"
    kinds = [k for k, _ in _kinds(fresh(), started.instance_id)]
    assert kinds.count("task_claimed") == 2 and kinds.count("task_unclaimed") == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(fresh):
    started = start_instance(fresh(), "engine_fixture", "BK-3", "62001", {})
    task = started.open_tasks[0]
    with pytest.raises(Conflict, match="changed since"):
        complete_task(fresh(), task.id, {"amount": 1, "route": "slow"}, expected_version=started.version - 1)
    with fresh().db.read() as session:
        assert session.get(OpenTask, task.id) is not None


def test_unknown_ids_are_not_found(fresh):
    with pytest.raises(NotFound):
        complete_task(fresh(), "00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(NotFound):
        get_instance(fresh(), 999)
    with pytest.raises(NotFound):
        start_instance(fresh(), "no_such_process", "BK", "62001")


def test_history_is_append_only(fresh):
    started = start_instance(fresh(), "engine_fixture", "BK-4", "62001", {})
    ctx = fresh()
    for statement in ("UPDATE history SET kind = 'forged'", "DELETE FROM history"):
        with pytest.raises(Exception, match="append-only"), ctx.db.write() as session:
            session.execute(text(statement))
    assert _kinds(ctx, started.instance_id)[0] == ("instance_started", None)
