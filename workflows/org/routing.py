"""Who does the work: the agency that plays a role for an area on a date.

A role is assigned at some level of the tree and covers everything below it; the nearest assignment at
or above a case's area wins, so a district office can be overridden for one commune, and a provincial
office covers districts that have none of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.errors import NotFound, ValidationError

from .areas import ancestry_query, get_area
from .models import ROLES, Agency, RoleAssignment

DEFAULT_PROGRAMME = "social_assistance"


def resolve_agency(
    session: Session, role: str, area_code: str, on: date, programme: str = DEFAULT_PROGRAMME
) -> Agency:
    """The agency assigned ``role`` at the nearest area at or above ``area_code`` on ``on``; one query.
    An assignment for ``programme`` wins over one for every programme at the same area (since 1/3/2025
    social assistance and merit are run by different departments); a case is social assistance unless
    it says otherwise."""
    _check_role(role)
    chain = ancestry_query(area_code).subquery()
    which = or_(RoleAssignment.programme.is_(None), RoleAssignment.programme == programme)
    agency = session.scalars(
        select(Agency)
        .join(RoleAssignment, RoleAssignment.agency_code == Agency.code)
        .join(chain, chain.c.code == RoleAssignment.area_code)
        .where(RoleAssignment.role == role, which, *_holds_on(on))
        .order_by(
            chain.c.depth,
            RoleAssignment.programme.is_(None),
            RoleAssignment.effective_from.desc(),
            RoleAssignment.id.desc(),
        )
        .limit(1)
    ).first()
    if agency is None:
        area = get_area(session, area_code)
        raise NotFound(
            f"no agency plays role {role!r} for area {area.code} ({area.full_name}) "
            f"or any area above it on {on:%d/%m/%Y}"
        )
    return agency


def agencies_for(session: Session, agency_code: str, on: date) -> list[tuple[str, str]]:
    """``(role, area_code)`` for each assignment ``agency_code`` holds on ``on``: what its inbox covers."""
    return sorted({(role, area) for role, area, _ in assignments_for(session, agency_code, on)})


def assignments_for(session: Session, agency_code: str, on: date) -> list[tuple[str, str, str | None]]:
    """``(role, area_code, programme)`` for each assignment held on ``on``; programme None: every one."""
    rows = session.execute(
        select(RoleAssignment.role, RoleAssignment.area_code, RoleAssignment.programme)
        .where(RoleAssignment.agency_code == agency_code, *_holds_on(on))
        .order_by(RoleAssignment.role, RoleAssignment.area_code, RoleAssignment.programme)
    ).all()
    if not rows and session.get(Agency, agency_code) is None:
        raise NotFound(f"agency {agency_code} does not exist")
    return [(role, area, programme) for role, area, programme in rows]


def assign_role(
    session: Session,
    role: str,
    area_code: str,
    agency_code: str,
    effective_from: date,
    effective_to: date | None = None,
    programme: str | None = None,
) -> RoleAssignment:
    """Let ``agency_code`` play ``role`` for ``area_code`` (for ``programme``, or every programme) over
    ``[effective_from, effective_to)``.

    Giving the same assignment again only updates its end; one that would overlap another agency's
    for the same role and area is refused (end the old one first)."""
    _check_role(role)
    get_area(session, area_code)
    if session.get(Agency, agency_code) is None:
        raise NotFound(f"agency {agency_code} does not exist")
    current = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.role == role,
            RoleAssignment.area_code == area_code,
            RoleAssignment.programme.is_(None)
            if programme is None
            else RoleAssignment.programme == programme,
        )
    ).all()
    assignment = reconcile(current, role, area_code, agency_code, effective_from, effective_to)
    if assignment is None:
        assignment = RoleAssignment(
            role=role,
            area_code=area_code,
            agency_code=agency_code,
            programme=programme,
            effective_from=effective_from,
            effective_to=effective_to,
        )
        session.add(assignment)
    session.flush()
    return assignment


def reconcile(
    current: Sequence[RoleAssignment],
    role: str,
    area_code: str,
    agency_code: str,
    start: date,
    end: date | None,
) -> RoleAssignment | None:
    """Among ``current`` (the assignments of ``role`` at ``area_code``), the one this assignment
    repeats, with its end brought up to date; ``None`` when it is new. Raises on an overlap."""
    if end is not None and end <= start:
        raise ValidationError.single(
            f"assignment of {role} at {area_code} ends ({end}) before it starts ({start})"
        )
    same = None
    for other in current:
        if other.effective_from == start and other.agency_code == agency_code:
            same = other
        elif other.effective_from < (end or date.max) and start < (other.effective_to or date.max):
            raise ValidationError.single(
                f"{agency_code} cannot play {role} at {area_code} from {start:%d/%m/%Y}: "
                f"{other.agency_code} does from {other.effective_from:%d/%m/%Y}"
                + (f" until {other.effective_to:%d/%m/%Y} (exclusive)" if other.effective_to else "")
            )
    if same is not None and same.effective_to != end:
        same.effective_to = end
    return same


def _holds_on(on: date) -> tuple:
    return (
        RoleAssignment.effective_from <= on,
        or_(RoleAssignment.effective_to.is_(None), RoleAssignment.effective_to > on),
    )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError.single(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")


def list_agencies(session: Session) -> list[Agency]:
    """Every agency, by name: for pickers (an admin creating a user)."""
    return list(session.scalars(select(Agency).order_by(Agency.name)))
