"""Who must do a task: the agency that plays its role at the nearest area at or above the case's, for
the case's programme (since 1/3/2025 social assistance and merit are different departments' work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine import EngineContext
from engine.views import TaskView

from ..deadlines import local_date
from ..org import resolve_agency
from ..programme_work import programmes_of


@dataclass(frozen=True)
class Routed:
    """An open task and the agency that must do it."""

    task: TaskView
    agency_code: str
    agency_name: str


def route(ctx: EngineContext, task: TaskView, on: date | None = None, programme: str | None = None) -> Routed:
    """``programme``: whose work the task is, when the caller knows; read from its instance otherwise."""
    with ctx.db.read() as session:
        if programme is None:
            programme = programmes_of(session.connection(), [task.instance_id])[task.instance_id]
        agency = resolve_agency(session, task.role, task.area_code, on or local_date(ctx.now()), programme)
        return Routed(task, agency.code, agency.name)
