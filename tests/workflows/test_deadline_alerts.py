"""Alerts one at a time: catching up after the scheduler was down, closing on completion and on
cancellation, moving with an extended deadline, acknowledging, and the inbox's queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import engine
from engine.errors import Conflict, NotFound, ValidationError
from engine.models import OpenTask
from tests.workflows.deadline_helpers import Sweeper, local, vn
from tests.workflows.test_case_paths import AGREES
from workflows.deadlines import (
    acknowledge_escalation,
    escalations_for,
    extend_deadline,
    reminders_for,
    sweep_deadlines,
)
from workflows.deadlines import sweep as sweep_module

COMMUNE, CITY_PC, PROVINCE_PC = "2024:23311/ubnd", "2024:608/ubnd", "2024:62/ubnd"
# The province fixture's clock starts on Monday 04/03/2024 at 08:00 in Vietnam; outreach is due in
# 10 working days: Monday 18/03 at 17:00.
DUE = vn(2024, 3, 18, 17)


def next_alert_at(ctx, task_id: str) -> datetime | None:
    with ctx.db.read() as session:
        return session.scalar(select(OpenTask.next_alert_at).where(OpenTask.id == task_id))


def test_a_new_task_is_planned_by_the_first_sweep_and_then_left_alone_until_its_reminder(province):
    case = province.case()
    (task,) = case.open_tasks()
    ctx = province.fresh()
    assert (task.due_at, next_alert_at(ctx, task.id)) == (DUE, province.clock.now)
    first = sweep_deadlines(ctx)
    assert (first.found, first.handled, first.reminders) == (1, 1, 0)
    assert next_alert_at(ctx, task.id) == vn(2024, 3, 15, 17)  # the reminder, Friday
    assert sweep_deadlines(ctx).found == 0


def test_work_missed_while_the_scheduler_was_down_is_done_once_when_it_returns(province):
    case = province.case()
    sweeper = Sweeper(province)
    sweeper.run_until(vn(2024, 3, 14, 9))  # then down for more than two weeks
    province.clock.now = vn(2024, 4, 1, 9)
    sweep = sweep_deadlines(sweeper.ctx)
    assert (sweep.found, sweep.handled, sweep.reminders, sweep.overdue, sweep.escalations) == (1, 1, 0, 1, 2)
    assert sweep_deadlines(sweeper.ctx).found == 0  # and nothing twice
    back = (2024, 4, 1, 9)
    assert sweeper.alerts(case.instance_id) == [
        # The reminder (15/03) came too late to be of use: dropped. The rest is raised now, once.
        ("outreach", "overdue", 0, COMMUNE, (2024, 3, 18, 17), back, None),
        ("outreach", "escalation", 1, CITY_PC, (2024, 3, 18, 17), back, None),
        ("outreach", "escalation", 2, PROVINCE_PC, (2024, 3, 21, 17), back, None),
    ]
    assert next_alert_at(sweeper.ctx, case.open_tasks()[0].id) is None  # the top of the chain


def test_a_reminder_missed_by_a_short_outage_is_still_sent_before_the_deadline(province):
    case = province.case()
    sweeper = Sweeper(province)
    sweeper.run_until(vn(2024, 3, 15, 9))
    province.clock.now = vn(2024, 3, 18, 9)  # down over the weekend, back on the morning it is due
    sweep_deadlines(sweeper.ctx)
    assert sweeper.alerts(case.instance_id) == [
        ("outreach", "reminder", 1, COMMUNE, (2024, 3, 15, 17), (2024, 3, 18, 9), None)
    ]


def test_alerts_close_when_the_case_is_cancelled_under_the_task(province):
    case = province.case()
    sweeper = Sweeper(province)
    sweeper.run_until(vn(2024, 3, 19, 9))
    case.message("beneficiary_exit", {"reason": "moved_away"}, message_id="exit-1")
    assert [reason for *_, reason in sweeper.alerts(case.instance_id)] == ["cancelled"] * 3
    history = case.history()
    cancelled = history.index(("task_cancelled", "outreach"))
    assert history[cancelled + 1 : cancelled + 2] == [("escalation_closed", "outreach")]
    sweeper.run_until(vn(2024, 4, 30, 9), step=timedelta(days=1))
    assert len(sweeper.alerts(case.instance_id)) == 3


def test_extending_an_overdue_deadline_closes_its_escalations_and_plans_the_new_one(province):
    case = province.case()
    sweeper = Sweeper(province)
    sweeper.run_until(vn(2024, 3, 20, 9))
    (task,) = case.open_tasks()
    ctx = province.fresh()
    extended = extend_deadline(ctx, task.id, vn(2024, 3, 29, 17), "Người dân đi làm ăn xa", "admin")
    assert extended.due_at == vn(2024, 3, 29, 17)
    assert next_alert_at(ctx, task.id) == vn(2024, 3, 28, 17)  # planned at once, not at the next sweep
    sweeper.run_until(vn(2024, 4, 1, 9))
    assert sweeper.alerts(case.instance_id) == [
        ("outreach", "reminder", 1, COMMUNE, (2024, 3, 15, 17), (2024, 3, 15, 17), "due_changed"),
        ("outreach", "overdue", 0, COMMUNE, (2024, 3, 18, 17), (2024, 3, 18, 17), "due_changed"),
        ("outreach", "escalation", 1, CITY_PC, (2024, 3, 18, 17), (2024, 3, 18, 17), "due_changed"),
        ("outreach", "reminder", 1, COMMUNE, (2024, 3, 28, 17), (2024, 3, 28, 17), None),
        ("outreach", "overdue", 0, COMMUNE, (2024, 3, 29, 17), (2024, 3, 29, 17), None),
        ("outreach", "escalation", 1, CITY_PC, (2024, 3, 29, 17), (2024, 3, 29, 17), None),
    ]
    (changed,) = [e for e in engine.instance_history(ctx, case.instance_id) if e.kind == "due_changed"]
    assert (changed.actor, changed.task_id) == ("admin", task.id)
    assert changed.data == {
        "old": DUE.isoformat(),
        "new": vn(2024, 3, 29, 17).isoformat(),
        "reason": "Người dân đi làm ăn xa",
    }


def test_a_deadline_cannot_be_changed_without_a_reason_or_to_a_naive_time(province):
    case = province.case()
    (task,) = case.open_tasks()
    ctx = province.fresh()
    with pytest.raises(ValidationError):
        extend_deadline(ctx, task.id, vn(2024, 3, 29, 17), "  ", "admin")
    with pytest.raises(ValidationError):
        extend_deadline(ctx, task.id, datetime(2024, 3, 29, 17), "lý do", "admin")
    with pytest.raises(ValidationError):
        extend_deadline(ctx, task.id, DUE, "the same time", "admin")
    with pytest.raises(NotFound):
        extend_deadline(ctx, "00000000-0000-0000-0000-000000000000", DUE, "lý do", "admin")
    case.do("outreach", AGREES)
    with pytest.raises(Conflict):
        extend_deadline(ctx, task.id, vn(2024, 3, 29, 17), "lý do", "admin")


def test_acknowledging_an_escalation_once_from_its_own_inbox(province):
    case = province.case()
    sweeper = Sweeper(province)
    sweeper.run_until(vn(2024, 3, 19, 9))
    ctx = province.fresh()
    with ctx.db.read() as session:
        (escalation,) = escalations_for(session, CITY_PC)
        reminders = reminders_for(session, COMMUNE)
    assert (escalation.business_key, escalation.task_name, escalation.level) == (
        "BN-0001",
        "Tuyên truyền, vận động",
        1,
    )
    assert [(r.kind, r.level) for r in reminders] == [("overdue", 0), ("reminder", 1)]
    with pytest.raises(NotFound):
        acknowledge_escalation(ctx, escalation.id, "someone", "x", agency_code=COMMUNE)
    with pytest.raises(NotFound):
        acknowledge_escalation(ctx, reminders[0].id, "someone", "x")
    with pytest.raises(ValidationError):
        acknowledge_escalation(ctx, escalation.id, "lanh_dao", "x" * 2001)
    done = acknowledge_escalation(ctx, escalation.id, "lanh_dao", " Đã chỉ đạo xã ", agency_code=CITY_PC)
    assert (done.acknowledged_by, done.comment, local(done.acknowledged_at)) == (
        "lanh_dao",
        "Đã chỉ đạo xã",
        (2024, 3, 19, 9),
    )
    with pytest.raises(Conflict, match="acknowledged by lanh_dao"):
        acknowledge_escalation(ctx, escalation.id, "other", "again")
    (entry,) = [
        e for e in engine.instance_history(ctx, case.instance_id) if e.kind == "escalation_acknowledged"
    ]
    assert (entry.actor, entry.data) == (
        "lanh_dao",
        {"level": 1, "agency": CITY_PC, "comment": "Đã chỉ đạo xã"},
    )

    case.do("outreach", AGREES)
    with ctx.db.read() as session:
        assert escalations_for(session, CITY_PC) == []
        (closed,) = escalations_for(session, CITY_PC, open_only=False)
    assert (closed.close_reason, closed.closed_at) == ("completed", province.clock.now)
    with pytest.raises(Conflict, match="closed"):
        acknowledge_escalation(ctx, closed.id, "other", None)


def test_a_task_without_a_deadline_is_never_swept(province):
    ctx = province.fresh()
    with ctx.db.write() as session:
        session.execute(OpenTask.__table__.update().values(due_at=None, next_alert_at=None))
    assert sweep_deadlines(ctx, now=datetime(2030, 1, 1, tzinfo=UTC)).found == 0


def test_a_deadline_taken_away_closes_the_tasks_alerts_and_stops_its_sweeps(province):
    case = province.case()
    sweeper = Sweeper(province)
    sweeper.run_until(vn(2024, 3, 19, 9))
    (task,) = case.open_tasks()
    with sweeper.ctx.db.write() as session:  # as an admin tool might, with no engine function for it
        session.execute(
            OpenTask.__table__.update()
            .where(OpenTask.id == task.id)
            .values(due_at=None, next_alert_at=province.clock.now)
        )
    sweep = sweep_deadlines(sweeper.ctx)
    assert (sweep.handled, sweep.closed) == (1, 3)
    assert next_alert_at(sweeper.ctx, task.id) is None
    assert [reason for *_, reason in sweeper.alerts(case.instance_id)] == ["due_changed"] * 3


def test_a_task_that_cannot_be_planned_does_not_hold_up_the_others(province, monkeypatch, caplog):
    broken, fine = province.case("BN-0001"), province.case("BN-0002")
    (bad,) = broken.open_tasks()

    def failing_plan(task, chain, calendar, ladders):
        if task.id == bad.id:
            raise ValueError("no working day within 60 days")
        return original(task, chain, calendar, ladders)

    original = sweep_module._plan
    monkeypatch.setattr(sweep_module, "_plan", failing_plan)
    province.clock.now = vn(2024, 3, 19, 9)
    sweep = sweep_deadlines(province.fresh())
    assert (sweep.found, sweep.handled, sweep.escalations) == (2, 2, 1)
    assert "cannot be planned" in caplog.text
    assert next_alert_at(province.fresh(), bad.id) == vn(2024, 3, 19, 10)  # tried again in an hour
    assert [kind for _, kind, *_ in Sweeper(province).alerts(fine.instance_id)] == ["overdue", "escalation"]
