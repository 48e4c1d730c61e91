"""Administrators changing the organisation: an agency's supervisor, and who plays which role where from
when. A new assignment takes effect on its date: the one it replaces ends that day, and the open tasks of
that role and area appear in the new agency's inbox from then on (inboxes resolve the assignment holding
on the day they are read), with every change in the append-only history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from engine import EngineContext, history
from engine.errors import NotFound, ValidationError
from engine.models import OpenTask

from .areas import descendants_codes
from .models import Agency, Area, RoleAssignment
from .routing import assign_role


@dataclass(frozen=True)
class AssignmentRow:
    role: str
    area_code: str
    agency_code: str
    effective_from: date
    effective_to: date | None
    current: bool


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    area_code: str
    area_name: str
    supervisor_code: str | None
    assignments: list[AssignmentRow]


@dataclass(frozen=True)
class Assigned:
    role: str
    area_code: str
    agency_code: str
    effective_from: date
    replaced: str | None  # the agency whose assignment ended that day
    open_tasks: int  # open tasks of that role in that area (and below) that follow on the date


def organisation(ctx: EngineContext, today: date) -> list[AgencyRow]:
    """Every agency, by area, with its supervisor and its assignments past, present and future."""
    with ctx.db.read() as session:
        agencies = session.execute(
            select(Agency.code, Agency.name, Agency.area_code, Area.kind, Area.name, Agency.supervisor_code)
            .join(Area, Area.code == Agency.area_code)
            .order_by(Area.code, Agency.name)
        ).all()
        assignments: dict[str, list[AssignmentRow]] = {}
        for a in session.scalars(select(RoleAssignment).order_by(RoleAssignment.effective_from)):
            current = a.effective_from <= today and (a.effective_to is None or today < a.effective_to)
            assignments.setdefault(a.agency_code, []).append(
                AssignmentRow(a.role, a.area_code, a.agency_code, a.effective_from, a.effective_to, current)
            )
    return [
        AgencyRow(code, name, area, f"{kind} {area_name}", supervisor, assignments.get(code, []))
        for code, name, area, kind, area_name, supervisor in agencies
    ]


def set_supervisor(ctx: EngineContext, agency_code: str, supervisor_code: str | None, actor: str) -> None:
    """Overdue work of ``agency_code`` escalates to ``supervisor_code`` (None: to nobody)."""
    with ctx.db.write() as session:
        agency = session.get(Agency, agency_code)
        if agency is None:
            raise NotFound(f"agency {agency_code} does not exist")
        if supervisor_code is not None and session.get(Agency, supervisor_code) is None:
            raise ValidationError.single(
                f"agency {supervisor_code} does not exist", element="supervisor_code"
            )
        chain, seen = supervisor_code, {agency_code}
        while chain is not None:  # no agency may end up supervising itself
            if chain in seen:
                raise ValidationError.single("that would make a supervision loop", element="supervisor_code")
            seen.add(chain)
            chain = session.scalar(select(Agency.supervisor_code).where(Agency.code == chain))
        old, agency.supervisor_code = agency.supervisor_code, supervisor_code
        data = {"agency": agency_code, "supervisor": [old, supervisor_code]}
        history.record(session.connection(), ctx.now(), "agency_supervisor_changed", actor=actor, data=data)


def assign(
    ctx: EngineContext, role: str, area_code: str, agency_code: str, effective_from: date,
    effective_to: date | None, actor: str,
) -> Assigned:  # fmt: skip
    """``agency_code`` plays ``role`` for ``area_code`` from ``effective_from``; the assignment holding
    then (open-ended or ending later) ends that day."""
    with ctx.db.write() as session:
        previous = session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.role == role, RoleAssignment.area_code == area_code,
                RoleAssignment.effective_from < effective_from,
                or_(RoleAssignment.effective_to.is_(None), RoleAssignment.effective_to > effective_from),
                RoleAssignment.agency_code != agency_code,
            )
        ).first()  # fmt: skip
        replaced = None
        if previous is not None:
            replaced, previous.effective_to = previous.agency_code, effective_from
            session.flush()
        assign_role(session, role, area_code, agency_code, effective_from, effective_to)
        areas = descendants_codes(session, area_code)
        open_tasks = session.scalar(
            select(func.count()).where(OpenTask.role == role, OpenTask.area_code.in_(areas))
        )
        data = {
            "role": role, "area": area_code, "agency": agency_code, "from": effective_from.isoformat(),
            "to": effective_to.isoformat() if effective_to else None, "replaced": replaced,
            "open_tasks": open_tasks,
        }  # fmt: skip
        history.record(session.connection(), ctx.now(), "role_assigned", actor=actor, data=data)
    return Assigned(role, area_code, agency_code, effective_from, replaced, open_tasks)
