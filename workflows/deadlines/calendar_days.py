"""The admin's calendar days (extra days off, swapped working days) and the cached calendar built on them.

Every change bumps the "calendar" revision in the same transaction. A process keeps one calendar in
memory and, at most every ``check_every_s`` seconds, reads that one number to know whether another
process changed the days since: a stale calendar lives for seconds, not until a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, delete, insert, select, update

from engine import EngineContext, history
from engine.db import Database
from engine.errors import Conflict, NotFound, ValidationError

from .calendar import WorkingCalendar, calendar_of
from .models import DAY_KINDS, CalendarDay, ConfigRevision

REVISION = "calendar"
_DAYS = CalendarDay.__table__
_REVISIONS = ConfigRevision.__table__
_REVISION = select(_REVISIONS.c.number).where(_REVISIONS.c.name == REVISION)


@dataclass(frozen=True)
class CalendarDayView:
    day: date
    kind: str  # day_off | working_day
    note: str
    created_by: str
    created_at: datetime


class CalendarSource:
    """This process's calendar: loaded once, reloaded when the revision in the database moves."""

    def __init__(
        self, db: Database, check_every_s: float = 30.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.check_every_s = check_every_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._calendar: WorkingCalendar | None = None
        self._revision: int | None = None
        self._checked_at = 0.0

    def current(self) -> WorkingCalendar:
        with self._lock:
            moment = self._monotonic()
            if self._calendar is None or moment - self._checked_at >= self.check_every_s:
                with self.db.read() as session:
                    revision = session.scalar(_REVISION) or 0
                    if self._calendar is None or revision != self._revision:
                        rows = session.execute(select(_DAYS.c.day, _DAYS.c.kind)).all()
                        self._calendar, self._revision = calendar_of(rows), revision
                self._checked_at = moment
            return self._calendar

    def invalidate(self) -> None:
        """Read the database again on the next use (this process just changed the days)."""
        with self._lock:
            self._calendar = None


def list_calendar_days(session, year: int | None = None) -> list[CalendarDayView]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return [_view(row) for row in session.scalars(query)]


def add_calendar_day(ctx: EngineContext, day: date, kind: str, note: str, actor: str) -> CalendarDayView:
    """Make ``day`` an extra day off, or a working day (a swapped Saturday). Deadlines computed from
    now on count it; deadlines already set keep their time (extend them by hand if need be)."""
    if kind not in DAY_KINDS:
        raise ValidationError.single(f"kind must be one of {', '.join(DAY_KINDS)}", element="kind")
    note = (note or "").strip()
    if not note:
        raise ValidationError.single("say why (e.g. the decision that announced it)", element="note")
    working = WorkingCalendar().is_working_day(day)  # as the package has it, without the admin's entry
    if kind == "working_day" and working:
        raise ValidationError.single(f"{day:%d/%m/%Y} is already a working day", element="day")
    if kind == "day_off" and not working:
        raise ValidationError.single(f"{day:%d/%m/%Y} is already a day off", element="day")
    now = ctx.now()
    row = {"day": day, "kind": kind, "note": note[:300], "created_by": actor, "created_at": now}
    with ctx.db.transaction() as conn:
        if conn.execute(select(_DAYS.c.kind).where(_DAYS.c.day == day)).first() is not None:
            raise Conflict(f"{day:%d/%m/%Y} is in the calendar already; remove it first")
        conn.execute(insert(_DAYS).values(row))
        _bump(conn, now)
        data = {"day": day.isoformat(), "kind": kind, "note": row["note"]}
        history.record(conn, now, "calendar_day_added", None, actor=actor, data=data)
    _invalidate(ctx)
    return CalendarDayView(**row)


def remove_calendar_day(ctx: EngineContext, day: date, actor: str) -> None:
    now = ctx.now()
    with ctx.db.transaction() as conn:
        found = conn.execute(select(_DAYS.c.kind, _DAYS.c.note).where(_DAYS.c.day == day)).first()
        if found is None:
            raise NotFound(f"{day:%d/%m/%Y} is not in the calendar")
        conn.execute(delete(_DAYS).where(_DAYS.c.day == day))
        _bump(conn, now)
        data = {"day": day.isoformat(), "kind": found.kind, "note": found.note}
        history.record(conn, now, "calendar_day_removed", None, actor=actor, data=data)
    _invalidate(ctx)


def _bump(conn: Connection, now: datetime) -> None:
    changed = conn.execute(
        update(_REVISIONS)
        .where(_REVISIONS.c.name == REVISION)
        .values(number=_REVISIONS.c.number + 1, changed_at=now)
    ).rowcount
    if changed != 1:
        conn.execute(insert(_REVISIONS).values(name=REVISION, number=1, changed_at=now))


def _invalidate(ctx: EngineContext) -> None:
    from .wiring import installed

    deadlines = installed(ctx)
    if deadlines is not None:
        deadlines.calendars.invalidate()


def _view(row: CalendarDay) -> CalendarDayView:
    return CalendarDayView(row.day, row.kind, row.note, row.created_by, row.created_at)
