"""The admin's calendar days: added and removed with a trace in the history, refused when they would
change nothing, and seen by every process within seconds (one revision number read, not a restart)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from engine.errors import Conflict, NotFound, ValidationError
from engine.models import HistoryEvent
from workflows.bootstrap import bootstrap
from workflows.deadlines import (
    CalendarSource,
    add_calendar_day,
    deadlines_of,
    list_calendar_days,
    remove_calendar_day,
)

SWAPPED = date(2025, 2, 8)  # Saturday worked for Monday 27/01/2025 (Tết)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ctx(database_url, clock):
    context = bootstrap(database_url, clock=clock, upgrade=True)
    yield context
    context.db.dispose()


def calendar_history(ctx) -> list[tuple]:
    with ctx.db.read() as session:
        rows = session.scalars(select(HistoryEvent).where(HistoryEvent.kind.like("calendar_%")))
        return [(e.kind, e.instance_id, e.actor, e.data) for e in rows]


def test_adding_and_removing_days_is_recorded(ctx):
    added = add_calendar_day(ctx, SWAPPED, "working_day", " Hoán đổi ngày làm việc Tết Ất Tỵ ", "admin")
    assert (added.day, added.kind, added.note, added.created_by) == (
        SWAPPED,
        "working_day",
        "Hoán đổi ngày làm việc Tết Ất Tỵ",
        "admin",
    )
    add_calendar_day(ctx, date(2025, 9, 3), "day_off", "Nghỉ thêm (ví dụ)", "admin")
    with ctx.db.read() as session:
        assert [(d.day, d.kind) for d in list_calendar_days(session, 2025)] == [
            (SWAPPED, "working_day"),
            (date(2025, 9, 3), "day_off"),
        ]
        assert list_calendar_days(session, 2026) == []
    calendar = deadlines_of(ctx).calendars.current()
    assert calendar.is_working_day(SWAPPED) and not calendar.is_working_day(date(2025, 9, 3))

    remove_calendar_day(ctx, SWAPPED, "admin2")
    assert not deadlines_of(ctx).calendars.current().is_working_day(SWAPPED)  # this process: at once
    swap = {"day": "2025-02-08", "kind": "working_day", "note": "Hoán đổi ngày làm việc Tết Ất Tỵ"}
    assert calendar_history(ctx) == [
        ("calendar_day_added", None, "admin", swap),
        (
            "calendar_day_added",
            None,
            "admin",
            {"day": "2025-09-03", "kind": "day_off", "note": "Nghỉ thêm (ví dụ)"},
        ),
        ("calendar_day_removed", None, "admin2", swap),
    ]


def test_days_that_would_change_nothing_are_refused(ctx):
    with pytest.raises(ValidationError, match="already a working day"):
        add_calendar_day(ctx, date(2025, 2, 10), "working_day", "a Monday", "admin")
    with pytest.raises(ValidationError, match="already a day off"):
        add_calendar_day(ctx, date(2025, 1, 29), "day_off", "Tết", "admin")
    with pytest.raises(ValidationError):
        add_calendar_day(ctx, SWAPPED, "holiday", "?", "admin")
    with pytest.raises(ValidationError):
        add_calendar_day(ctx, SWAPPED, "working_day", " ", "admin")
    add_calendar_day(ctx, SWAPPED, "working_day", "swap", "admin")
    with pytest.raises(Conflict):
        add_calendar_day(ctx, SWAPPED, "working_day", "again", "admin")
    with pytest.raises(NotFound):
        remove_calendar_day(ctx, date(2025, 2, 15), "admin")
    assert [k for k, *_ in calendar_history(ctx)] == ["calendar_day_added"]


def test_another_process_sees_a_change_at_its_next_check(ctx, database_url, clock):
    other = bootstrap(database_url, clock=clock)
    try:
        ticks = FakeMonotonic()
        source = CalendarSource(other.db, check_every_s=30, monotonic=ticks)
        assert not source.current().is_working_day(SWAPPED)
        add_calendar_day(ctx, SWAPPED, "working_day", "swap", "admin")
        ticks.now += 29
        assert not source.current().is_working_day(SWAPPED)  # cached: no query at all
        ticks.now += 1
        assert source.current().is_working_day(SWAPPED)
        ticks.now += 30
        same = source.current()
        assert source.current() is same  # the revision did not move: the same calendar object
    finally:
        other.db.dispose()


def test_a_new_task_counts_the_swapped_saturday(ctx):
    policy = ctx.due_policy
    created = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)  # Monday 09:00 in Vietnam
    assert policy({"due": "P10WD"}, created, None) == datetime(2025, 2, 10, 10, 0, tzinfo=UTC)
    add_calendar_day(ctx, SWAPPED, "working_day", "swap", "admin")
    assert policy({"due": "P10WD"}, created, None) == datetime(2025, 2, 8, 10, 0, tzinfo=UTC)
    timer = datetime(2025, 2, 1, tzinfo=UTC)
    assert policy({"due": "P10WD"}, created, timer) == timer  # a sooner boundary timer wins
    assert policy({}, created, None) is None
