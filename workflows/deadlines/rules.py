"""When a task is due, from its ``due`` property in the BPMN and its timer boundary events.

``due`` is one of:
- a calendar ISO duration from the task's creation: ``P3D``, ``PT72H``, ``P1M``;
- working days: ``P5WD`` = by the end (17:00, Vietnam) of the 5th working day after the day the task
  was created (``P0WD``: the end of that day, or of the next working day if it is not one);
- a day of the month: ``before-day:12`` = by the end of the last working day before the 12th of the
  month the task was created in, or of the next month once that moment has passed;
  ``before-day:12 month=month`` = before the 12th of the month named (``YYYY-MM``) by the task's data
  variable ``month``: a deadline that belongs to a month (the payout's report "trước ngày 12 của tháng chi
  trả") stays in that month even when the task starts late, and is then already overdue.
A timer boundary event on the task that falls sooner wins.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime

from engine.due import calendar_duration_due

from .calendar import VIETNAM, WorkingCalendar
from .calendar_days import CalendarSource

log = logging.getLogger("ansinh.deadlines")

_WORKING_DAYS = re.compile(r"P(\d{1,3})WD")
_BEFORE_DAY = re.compile(r"before-day:(\d{1,2})(?: month=([A-Za-z_][A-Za-z0-9_]*))?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def check_due_rule(text: str) -> None:
    """Raise ValueError unless ``text`` is a ``due`` rule this module understands."""
    if _WORKING_DAYS.fullmatch(text):
        return
    match = _BEFORE_DAY.fullmatch(text)
    if match:
        day = int(match.group(1))
        if not 1 <= day <= 28:
            raise ValueError(f"before-day takes a day from 1 to 28 (all months have it), not {day}")
        return
    if calendar_duration_due(text, datetime(2024, 1, 1, tzinfo=VIETNAM)) is None:
        raise ValueError(f"{text!r} is not a due rule (P3D, PT72H, P5WD or before-day:12)")


def due_from_rule(
    text: str, created_at: datetime, calendar: WorkingCalendar, data: dict | None = None
) -> datetime | None:
    """The due time that ``text`` gives a task created at ``created_at``; None for an unknown rule."""
    text = text.strip()
    match = _WORKING_DAYS.fullmatch(text)
    if match:
        start = created_at.astimezone(VIETNAM).date()
        days = int(match.group(1))
        end = calendar.add_working_days(start, days) if days else calendar.next_working_day(start)
        return calendar.end_of_day(end)
    match = _BEFORE_DAY.fullmatch(text)
    if match:
        month = _MONTH.fullmatch(str((data or {}).get(match.group(2) or "", "")))
        if match.group(2) and month:
            day = date(int(month.group(1)), int(month.group(2)), int(match.group(1)))
            return calendar.end_of_day(calendar.last_working_day_before(day))
        return before_day(int(match.group(1)), created_at, calendar)
    return calendar_duration_due(text, created_at)


def before_day(day_of_month: int, created_at: datetime, calendar: WorkingCalendar) -> datetime:
    """The end of the last working day before ``day_of_month`` of the current month, or of the next
    month when that has passed."""
    if not 1 <= day_of_month <= 28:
        raise ValueError(f"before-day takes a day from 1 to 28, not {day_of_month}")
    local = created_at.astimezone(VIETNAM)
    year, month = local.year, local.month
    due = calendar.end_of_day(calendar.last_working_day_before(date(year, month, day_of_month)))
    if due <= created_at:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        due = calendar.end_of_day(calendar.last_working_day_before(date(year, month, day_of_month)))
    return due


class WorkingDayDuePolicy:
    """``EngineContext.due_policy``: the due rule above, on this process's current calendar."""

    def __init__(self, calendars: CalendarSource) -> None:
        self.calendars = calendars

    def __call__(
        self,
        properties: dict[str, str],
        created_at: datetime,
        timer_due: datetime | None,
        data: dict | None = None,
    ) -> datetime | None:
        text = properties.get("due")
        due = None
        if text:
            due = due_from_rule(text, created_at, self.calendars.current(), data)
            if due is None:
                log.warning("due rule %r is not understood; the task has no deadline from it", text)
        candidates = [t for t in (due, timer_due) if t is not None]
        return min(candidates) if candidates else None
