"""Who hears about a deadline: the agency that must do the task, then its supervisors up to the top.

A sweep asks this for thousands of tasks over a few hundred (role, area, programme) triples, so it is
answered set-based, a batch at a time, with the rule of ``workflows.org.resolve_agency``: the assignment
of the role for the case's programme (``workflows.programme_work.programmes_of``) at the nearest area at
or above the task's, holding on the day (one for that programme over one for every programme; the
latest-starting one if two do). A handful of queries per batch instead of one recursive query per task;
the answers are kept for the sweep (never longer: assignments change).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..org.areas import MAX_DEPTH
from ..org.models import Agency, Area, RoleAssignment
from ..org.routing import DEFAULT_PROGRAMME

Need = tuple[str | None, str, str]  # (role, area, programme)


class AgencyChains:
    def __init__(self, on: date) -> None:
        self.on = on
        self._parent: dict[str, str | None] = {}
        self._assigned: dict[tuple[str, str, str], str | None] = {}
        self._supervisor: dict[str, str | None] = {}

    def prepare(self, session: Session, needs: Iterable[Need]) -> None:
        """Resolve every (role, area, programme) not known yet, and the supervisors above the answers."""
        wanted = {need for need in needs if need[0] is not None} - self._assigned.keys()
        if not wanted:
            return
        self._load_ancestry(session, {area for _, area, _ in wanted})
        for role, programme in {(role, programme) for role, _, programme in wanted}:
            areas = {area for r, area, p in wanted if (r, p) == (role, programme)}
            lines = {area: self._ancestry(area) for area in areas}
            best = self._assignments(session, role, programme, {a for line in lines.values() for a in line})
            for area, line in lines.items():
                self._assigned[role, area, programme] = next((best[a] for a in line if a in best), None)
        self._load_supervisors(session, {a for a in self._assigned.values() if a is not None})

    def chain(self, role: str | None, area_code: str, programme: str = DEFAULT_PROGRAMME) -> list[str]:
        """``[assigned agency, its supervisor, theirs, …]``; empty when nobody plays the role there."""
        chain: list[str] = []
        agency = self._assigned.get((role, area_code, programme)) if role is not None else None
        while agency is not None and agency not in chain and len(chain) <= MAX_DEPTH:
            chain.append(agency)
            agency = self._supervisor.get(agency)
        return chain

    def _ancestry(self, area: str) -> list[str]:
        line: list[str] = []
        current: str | None = area
        while current is not None and current in self._parent and len(line) <= MAX_DEPTH:
            line.append(current)
            current = self._parent[current]
        return line

    def _load_ancestry(self, session: Session, areas: set[str]) -> None:
        frontier = areas - self._parent.keys()
        for _ in range(MAX_DEPTH + 1):
            if not frontier:
                return
            rows = session.execute(select(Area.code, Area.parent_code).where(Area.code.in_(frontier))).all()
            self._parent.update(dict(rows))
            frontier = {parent for _, parent in rows if parent is not None} - self._parent.keys()

    def _assignments(self, session: Session, role: str, programme: str, areas: set[str]) -> dict[str, str]:
        """The assignment holding at each of ``areas`` (latest start first, as resolve_agency orders)."""
        rows = session.execute(
            select(RoleAssignment.area_code, RoleAssignment.agency_code)
            .where(
                RoleAssignment.role == role,
                RoleAssignment.area_code.in_(areas),
                RoleAssignment.effective_from <= self.on,
                or_(RoleAssignment.effective_to.is_(None), RoleAssignment.effective_to > self.on),
                or_(RoleAssignment.programme.is_(None), RoleAssignment.programme == programme),
            )
            .order_by(RoleAssignment.programme.is_not(None), RoleAssignment.effective_from, RoleAssignment.id)
        ).all()
        return dict(rows)  # later rows win: a programme's own assignment over one for every programme

    def _load_supervisors(self, session: Session, agencies: set[str]) -> None:
        frontier = agencies - self._supervisor.keys()
        for _ in range(MAX_DEPTH + 1):
            if not frontier:
                return
            rows = session.execute(
                select(Agency.code, Agency.supervisor_code).where(Agency.code.in_(frontier))
            ).all()
            self._supervisor.update(dict(rows))
            self._supervisor.update({code: None for code in frontier - {code for code, _ in rows}})
            frontier = {s for _, s in rows if s is not None} - self._supervisor.keys()
