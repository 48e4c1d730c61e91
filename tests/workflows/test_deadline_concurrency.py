"""Two scheduler processes at once, for real (spawned OS processes, SQLite and PostgreSQL): with the
lease one works and the other waits; without it, the database alone still lets no alert be raised
twice."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest
from sqlalchemy import func, select

from engine.models import HistoryEvent
from tests.integration.test_concurrency import errors, kinds, run_workers
from tests.workflows import deadline_workers as workers
from tests.workflows.deadline_helpers import vn
from workflows.deadlines.models import DeadlineAlert

SPAWN = multiprocessing.get_context("spawn")
CASES = 40
# Every outreach opened on Monday 04/03/2024 is due on 18/03 at 17:00; on Friday 22/03 each is overdue
# and two levels up (18/03 and 21/03), and its reminder (15/03) is too late to send.
MOMENT = vn(2024, 3, 22, 9)


@pytest.fixture
def overdue_cases(province):
    for i in range(CASES):
        province.case(code=f"BN-{i:04d}")
    for context in province.opened:
        context.db.dispose()
    return province


def raised(province) -> tuple[Counter, Counter]:
    ctx = province.fresh()
    with ctx.db.read() as session:
        alerts = Counter(
            dict(session.execute(select(DeadlineAlert.kind, func.count()).group_by(DeadlineAlert.kind)).all())
        )
        notes = Counter(
            dict(
                session.execute(
                    select(HistoryEvent.kind, func.count())
                    .where(HistoryEvent.kind.in_(["reminder_sent", "task_overdue", "escalation_raised"]))
                    .group_by(HistoryEvent.kind)
                ).all()
            )
        )
    return alerts, notes


def test_two_sweeps_at_once_without_a_lease_never_raise_an_alert_twice(overdue_cases):
    province = overdue_cases
    outcomes = run_workers(workers.sweep, province.database_url, MOMENT, [(7,), (7,)])
    assert errors(outcomes) == []
    sweeps = [tuple(map(int, detail.split())) for _, detail in outcomes]
    assert sum(handled for _, handled, *_ in sweeps) == CASES
    assert sum(overdue for *_, overdue, _ in sweeps) == CASES
    assert sum(escalations for *_, escalations in sweeps) == 2 * CASES
    assert raised(province) == (
        Counter({"overdue": CASES, "escalation": 2 * CASES}),
        Counter({"task_overdue": CASES, "escalation_raised": 2 * CASES}),
    )


def test_two_schedulers_at_once_one_holds_the_lease_and_does_the_work(overdue_cases):
    province = overdue_cases
    outcomes = run_workers(workers.scheduler_tick, province.database_url, MOMENT, [(), ()])
    assert errors(outcomes) == []
    assert kinds(outcomes) == {"ran": 1, "waited": 1}
    assert raised(province)[0] == Counter({"overdue": CASES, "escalation": 2 * CASES})


@pytest.fixture(autouse=True)
def _no_leftover_children():
    yield
    assert SPAWN.active_children() == []
