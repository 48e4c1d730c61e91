"""Figures about the work itself: open and overdue tasks by the agency that must do them and the step,
and the escalations raised this month. Agencies are resolved in memory from one read of the role
assignments, not per task, each for the programme of the task's case (``programme_work``): since
1/3/2025 two departments may hold the same role at one area, one per programme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, case, func, select

from engine.models import Instance, OpenTask

from ..deadlines.models import DeadlineAlert
from ..org.models import Agency, RoleAssignment
from ..programme_work import instance_condition, instance_programme
from .frame import Frame

_T = OpenTask.__table__
_I = Instance.__table__
_D = DeadlineAlert.__table__
_R = RoleAssignment.__table__
_G = Agency.__table__


@dataclass(frozen=True)
class WorkRow:
    agency: str
    role: str
    step: str
    step_name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class EscalationRow:
    agency: str  # the agency the work was escalated to
    step: str
    step_name: str
    count: int


@dataclass(frozen=True)
class Work:
    rows: list[WorkRow]
    by_row: dict[str, tuple[int, int]]  # area row → (open, overdue)
    escalations: list[EscalationRow]

    @property
    def totals(self) -> tuple[int, int, int]:
        return (sum(r.open for r in self.rows), sum(r.overdue for r in self.rows),
                sum(e.count for e in self.escalations))  # fmt: skip


def work(conn: Connection, frame: Frame, names: dict[str, str], now: datetime, month_start: datetime) -> Work:
    today = now.date()
    holders = _holders(conn, today)
    agency_names = dict(conn.execute(select(_G.c.code, _G.c.name)).all())
    grouped: dict[tuple[str, str, str], list[int]] = {}
    by_row: dict[str, list[int]] = {}
    tasks = (
        select(_T.c.role, _T.c.area_code, _T.c.bpmn_id, _T.c.due_at,
               instance_programme(_I.c.id, _I.c.business_key).label("programme"))
        .join(_I, _I.c.id == _T.c.instance_id)
        .where(_T.c.area_code.in_(frame.codes),
               instance_condition(_I.c.id, _I.c.business_key, frame.programmes))
        .subquery()
    )  # fmt: skip
    t = tasks.c
    result = conn.execute(
        select(t.role, t.area_code, t.programme, t.bpmn_id, func.count(),
               func.sum(case((t.due_at < now, 1), else_=0)))
        .group_by(t.role, t.area_code, t.programme, t.bpmn_id)
    )  # fmt: skip
    for role, area, programme, step, number, late in result:
        agency = _resolve(holders, frame.parents, role, area, programme)
        key = (agency_names.get(agency, "—"), role or "", step)
        totals = grouped.setdefault(key, [0, 0])
        totals[0] += number
        totals[1] += late or 0
        row = by_row.setdefault(frame.row_of[area], [0, 0])
        row[0] += number
        row[1] += late or 0
    rows = [WorkRow(a, r, s, names.get(s, s), o, d) for (a, r, s), (o, d) in grouped.items()]
    rows.sort(key=lambda w: (-w.overdue, -w.open, w.agency, w.step_name))
    raised = conn.execute(
        select(_D.c.agency_code, _D.c.bpmn_id, func.count())
        .join(_I, _I.c.id == _D.c.instance_id)
        .where(
            _D.c.kind == "escalation",
            _D.c.raised_at >= month_start,
            _I.c.area_code.in_(frame.codes),
            instance_condition(_I.c.id, _I.c.business_key, frame.programmes),
        )
        .group_by(_D.c.agency_code, _D.c.bpmn_id)
    )
    escalations = [EscalationRow(agency_names.get(a, "—"), s, names.get(s, s), n) for a, s, n in raised]
    escalations.sort(key=lambda e: (-e.count, e.agency))
    return Work(rows, {k: (v[0], v[1]) for k, v in by_row.items()}, escalations)


def _holders(conn: Connection, on: date) -> dict[tuple[str, str, str | None], str]:
    """(role, area, programme) → agency holding it on ``on``; programme None: for every programme."""
    rows = conn.execute(
        select(_R.c.role, _R.c.area_code, _R.c.programme, _R.c.agency_code)
        .where(_R.c.effective_from <= on, (_R.c.effective_to.is_(None)) | (_R.c.effective_to > on))
        .order_by(_R.c.effective_from, _R.c.id)
    )
    return {(role, area, programme): agency for role, area, programme, agency in rows}  # the latest wins


def _resolve(
    holders: dict, parents: dict[str, str | None], role: str | None, area: str | None, programme: str
) -> str | None:
    """As ``org.resolve_agency``: the nearest area first, the programme's own assignment over one for
    every programme."""
    while area is not None:
        found = holders.get((role, area, programme)) or holders.get((role, area, None))
        if found is not None:
            return found
        area = parents.get(area)
    return None
