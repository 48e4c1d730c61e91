"""Who must do a task: the agency that plays its role at the nearest area at or above the case's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine import EngineContext
from engine.views import TaskView

from ..deadlines import local_date
from ..org import resolve_agency


@dataclass(frozen=True)
class Routed:
    """An open task and the agency that must do it."""

    task: TaskView
    agency_code: str
    agency_name: str


def route(ctx: EngineContext, task: TaskView, on: date | None = None) -> Routed:
    with ctx.db.read() as session:
        agency = resolve_agency(session, task.role, task.area_code, on or local_date(ctx.now()))
        return Routed(task, agency.code, agency.name)
