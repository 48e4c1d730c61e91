"""What an agency may see: for each role it plays, the areas whose tasks are its own.

An agency assigned a role at an area owns that role's work in the area and below it, except where a
nearer area has its own assignment for the role (a provincial police office backs up the districts but
does not see their work). Every inbox, task and case query is filtered by this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .org.models import Agency, Area, RoleAssignment
from .org.routing import agencies_for


@dataclass(frozen=True)
class Scope:
    agency_code: str
    areas_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(sorted(self.areas_by_role))

    @property
    def all_areas(self) -> frozenset[str]:
        return frozenset(a for areas in self.areas_by_role.values() for a in areas)

    def covers(self, role: str | None, area_code: str) -> bool:
        return role is not None and area_code in self.areas_by_role.get(role, ())


def scope_for(session: Session, agency_code: str, on: date) -> Scope:
    held = agencies_for(session, agency_code, on)
    if not held:
        return Scope(agency_code)
    parents = dict(session.execute(select(Area.code, Area.parent_code)).all())
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        children.setdefault(parent, []).append(code)
    areas_by_role: dict[str, tuple[str, ...]] = {}
    for role in {role for role, _ in held}:
        holders = _holders(session, role, on)
        owned = []
        for root in (area for r, area in held if r == role):
            stack = [root]
            while stack:
                code = stack.pop()
                if holders.get(code, agency_code) != agency_code:
                    continue  # a nearer assignment: that subtree is someone else's
                owned.append(code)
                stack.extend(children.get(code, ()))
        areas_by_role[role] = tuple(sorted(set(owned)))
    return Scope(agency_code, areas_by_role)


def _holders(session: Session, role: str, on: date) -> dict[str, str]:
    """area → agency holding ``role`` there on ``on`` (the latest assignment if several)."""
    rows = session.execute(
        select(RoleAssignment.area_code, RoleAssignment.agency_code)
        .where(
            RoleAssignment.role == role,
            RoleAssignment.effective_from <= on,
            (RoleAssignment.effective_to.is_(None)) | (RoleAssignment.effective_to > on),
        )
        .order_by(RoleAssignment.effective_from)
    ).all()
    return {area: agency for area, agency in rows}


def area_names(session: Session, codes) -> list[tuple[str, str]]:
    """(code, "Xã Đắk Cấm") for the given areas, sorted by name: for area filters and labels."""
    codes = sorted(codes)
    if not codes:
        return []
    rows = session.execute(select(Area.code, Area.kind, Area.name).where(Area.code.in_(codes))).all()
    return sorted(((code, f"{kind} {name}") for code, kind, name in rows), key=lambda r: r[1])


def agency_names(session: Session, codes) -> dict[str, str]:
    """code → name of the given agencies: pages show agencies by name, never by code."""
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    return dict(session.execute(select(Agency.code, Agency.name).where(Agency.code.in_(codes))).all())
