"""Plugging the deadlines into an engine context: the due policy, closing alerts when tasks close, and
the calendar and ladders the sweeps use. Called once by ``workflows.bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass

from engine import EngineContext

from .calendar_days import CalendarSource
from .ladder import LADDERS, LadderBook
from .rules import WorkingDayDuePolicy

EXTENSION = "deadlines"


@dataclass(frozen=True)
class Deadlines:
    calendars: CalendarSource
    ladders: LadderBook


def install(ctx: EngineContext, ladders: LadderBook = LADDERS, check_every_s: float = 30.0) -> Deadlines:
    from .closing import close_alerts

    deadlines = Deadlines(CalendarSource(ctx.db, check_every_s), ladders)
    ctx.due_policy = WorkingDayDuePolicy(deadlines.calendars)
    ctx.on_tasks_closed = close_alerts
    ctx.extensions[EXTENSION] = deadlines
    return deadlines


def installed(ctx: EngineContext) -> Deadlines | None:
    return ctx.extensions.get(EXTENSION)


def deadlines_of(ctx: EngineContext) -> Deadlines:
    deadlines = installed(ctx)
    if deadlines is None:
        raise RuntimeError("the deadlines are not wired into this context (workflows.bootstrap does it)")
    return deadlines
