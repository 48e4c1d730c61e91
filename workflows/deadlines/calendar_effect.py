"""What a change to the calendar would do to the deadlines of open tasks, shown before it is saved, and
applied on request (each moved deadline recorded in its case's history as a due change).

Deadlines already set keep their time unless the administrator asks to move them: a day off entered after
a task was created is then counted as it would have been had it been known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from engine import EngineContext, extend_due
from engine.models import Instance, OpenTask

from .calendar import VIETNAM, calendar_of
from .calendar_days import add_calendar_day, remove_calendar_day
from .models import CalendarDay
from .rules import due_from_rule


@dataclass(frozen=True)
class DeadlineShift:
    task_id: str
    business_key: str
    task_name: str | None
    rule: str
    due_now: datetime
    due_after: datetime


def deadline_shifts(ctx: EngineContext, day: date, kind: str | None) -> list[DeadlineShift]:
    """Open tasks whose working-day deadline would move if ``day`` became ``kind`` (None: removed)."""
    start = datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
    with ctx.db.read() as session:
        rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
        tasks = session.execute(
            select(OpenTask.id, Instance.business_key, OpenTask.name, OpenTask.properties,
                   OpenTask.created_at, OpenTask.due_at)
            .join(Instance, Instance.id == OpenTask.instance_id)
            .where(OpenTask.due_at >= start, OpenTask.created_at < start + timedelta(days=1))
            .order_by(OpenTask.due_at)
        ).all()  # fmt: skip
    days = {d: k for d, k in rows if d != day}
    if kind:
        days[day] = kind
    calendar = calendar_of(days.items())
    shifts = []
    for task_id, business_key, name, properties, created_at, due_at in tasks:
        rule = (properties or {}).get("due", "")
        if "WD" not in rule and not rule.startswith("before-day"):
            continue  # calendar durations do not count working days
        after = due_from_rule(rule, created_at, calendar)
        if after is not None and after != due_at:
            shifts.append(DeadlineShift(task_id, business_key, name, rule, due_at, after))
    return shifts


def change_calendar_day(
    ctx: EngineContext, day: date, kind: str | None, note: str, actor: str, move_deadlines: bool
) -> list[DeadlineShift]:
    """Add (``kind``) or remove (None) a calendar day; with ``move_deadlines`` the open tasks' deadlines
    follow. Returns the shifts applied (empty when they were not asked for)."""
    shifts = deadline_shifts(ctx, day, kind) if move_deadlines else []
    if kind:
        add_calendar_day(ctx, day, kind, note, actor)
    else:
        remove_calendar_day(ctx, day, actor)
    reason = f"calendar {day:%d/%m/%Y}: {note or 'removed'}"
    for shift in shifts:
        extend_due(ctx, shift.task_id, shift.due_after, reason, actor)
    return shifts
