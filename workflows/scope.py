"""What an agency may see: for each role it plays, the areas whose tasks are its own.

An agency assigned a role at an area owns that role's work in the area and below it, except where a
nearer area has its own assignment for the role (a provincial police office backs up the districts but
does not see their work). Every inbox, task and case query is filtered by this.

Since 1/3/2025 a role can be held for one programme only (Sở Y tế: social assistance; Sở Nội vụ: merit,
both ``dolisa`` for the same province): the scope then says which programmes each role is held for, and
the inbox and the dashboard show that programme's work and figures (``workflows/programme_work.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .org.models import Area, RoleAssignment
from .org.routing import assignments_for


@dataclass(frozen=True)
class Scope:
    agency_code: str
    areas_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A role held for some programmes only; a role absent here is held for every programme.
    programmes_by_role: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(sorted(self.areas_by_role))

    @property
    def all_areas(self) -> frozenset[str]:
        return frozenset(a for areas in self.areas_by_role.values() for a in areas)

    def covers(self, role: str | None, area_code: str, programme: str | None = None) -> bool:
        """``programme`` None: any programme the role is held for."""
        if role is None or area_code not in self.areas_by_role.get(role, ()):
            return False
        return (
            programme is None
            or role not in self.programmes_by_role
            or programme in self.programmes_by_role[role]
        )

    def programmes(self, roles) -> frozenset[str] | None:
        """The programmes whose work these roles show; None for every programme."""
        held = [role for role in roles if role in self.areas_by_role]
        if not held or any(role not in self.programmes_by_role for role in held):
            return None
        return frozenset().union(*(self.programmes_by_role[role] for role in held))


def scope_for(session: Session, agency_code: str, on: date) -> Scope:
    held = assignments_for(session, agency_code, on)
    if not held:
        return Scope(agency_code)
    parents = dict(session.execute(select(Area.code, Area.parent_code)).all())
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        children.setdefault(parent, []).append(code)
    owned: dict[str, set[str]] = {}
    programmes: dict[str, set[str | None]] = {}
    for role, root, programme in held:
        holders = _holders(session, role, on, programme)
        programmes.setdefault(role, set()).add(programme)
        stack = [root]
        while stack:
            code = stack.pop()
            if holders.get(code, agency_code) != agency_code:
                continue  # a nearer assignment: that subtree is someone else's
            owned.setdefault(role, set()).add(code)
            stack.extend(children.get(code, ()))
    areas_by_role = {role: tuple(sorted(owned.get(role, ()))) for role in programmes}
    only = {role: frozenset(p) for role, p in programmes.items() if None not in p}
    return Scope(agency_code, areas_by_role, only)


def _holders(session: Session, role: str, on: date, programme: str | None) -> dict[str, str]:
    """area → agency holding ``role`` there on ``on`` for ``programme`` (None: for every programme): an
    assignment for the programme wins over one for every programme, a later one over an earlier one."""
    which = RoleAssignment.programme.is_(None)
    if programme is not None:
        which = which | (RoleAssignment.programme == programme)
    rows = session.execute(
        select(RoleAssignment.area_code, RoleAssignment.agency_code)
        .where(
            RoleAssignment.role == role,
            which,
            RoleAssignment.effective_from <= on,
            (RoleAssignment.effective_to.is_(None)) | (RoleAssignment.effective_to > on),
        )
        .order_by(RoleAssignment.programme.is_not(None), RoleAssignment.effective_from)
    ).all()
    return {area: agency for area, agency in rows}


def area_names(session: Session, codes) -> list[tuple[str, str]]:
    """(code, "Xã Đắk Cấm") for the given areas, sorted by name: for area filters and labels."""
    codes = sorted(codes)
    if not codes:
        return []
    rows = session.execute(select(Area.code, Area.kind, Area.name).where(Area.code.in_(codes))).all()
    return sorted(((code, f"{kind} {name}") for code, kind, name in rows), key=lambda r: r[1])
