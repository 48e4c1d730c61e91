"""Who must do a task: the agency that plays its role at the nearest area at or above the case's, for
the case's programme (since 1/3/2025 social assistance and merit are different departments' work).

Who plays which role where changes rarely, so each process keeps what it resolved, per organisation
version: every change to the areas, agencies or role assignments, by any process, bumps that version
(database triggers, migration w1211), and routing reads it in the one statement that reads the cases'
programmes. A cache filled under another version is dropped, so the next step after a change, in any
process, routes by the new organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select

from engine import EngineContext
from engine.models import Instance
from engine.views import TaskView

from ..deadlines import local_date
from ..org import resolve_agency
from ..org.models import OrganisationVersion
from ..programme_work import instance_programme

_I = Instance.__table__
_VERSION = select(OrganisationVersion.version).where(OrganisationVersion.id == 1).scalar_subquery()
# the instances' programmes and the organisation's version, in one statement built once
_PROGRAMMES = select(_I.c.id, instance_programme(_I.c.id, _I.c.business_key), _VERSION).where(
    _I.c.id.in_(bindparam("ids", expanding=True))
)
MAX_ROUTES = 50_000  # (role, area, programme, day) entries a process keeps before starting afresh


@dataclass(frozen=True)
class Routed:
    """An open task and the agency that must do it."""

    task: TaskView
    agency_code: str
    agency_name: str


@dataclass
class _Routes:
    version: int | None = None
    agencies: dict[tuple[str, str, str, date], tuple[str, str]] = field(default_factory=dict)


def route(ctx: EngineContext, tasks: Sequence[TaskView], on: date | None = None) -> list[Routed]:
    """The agency each of ``tasks`` goes to on ``on`` (today by default), in one unit of work: one
    statement when the organisation has not changed since this process last routed there."""
    if not tasks:
        return []
    on = on or local_date(ctx.now())
    with ctx.db.lookup() as session:
        ids = sorted({t.instance_id for t in tasks})
        rows = session.connection().execute(_PROGRAMMES, {"ids": ids}).all()
        programmes = {instance_id: programme for instance_id, programme, _ in rows}
        routes = _routes(ctx, rows[0][2])
        routed = []
        for task in tasks:
            key = (task.role, task.area_code, programmes[task.instance_id], on)
            found = routes.agencies.get(key)
            if found is None:
                agency = resolve_agency(session, *key[:2], on, key[2])
                found = routes.agencies[key] = (agency.code, agency.name)
            routed.append(Routed(task, *found))
    return routed


def _routes(ctx: EngineContext, version: int) -> _Routes:
    """This process's routes for ``ctx``'s database, emptied when the organisation's version moved."""
    routes = ctx.extensions.get("routes")
    if routes is None or routes.version != version or len(routes.agencies) >= MAX_ROUTES:
        routes = ctx.extensions["routes"] = _Routes(version)
    return routes
