"""Who may move a task someone holds: its holder, an administrator, and the officers of its supervisors.

A task's supervisors are the agencies it escalates to: those above the agency that must do it in the
escalation chain for the case's area and programme (``deadlines.chains``, the rule the deadline sweep
follows). Their officers may take a held task back from its holder or give it to another officer of the
agency that must do it; the change is in the case's history under their name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.errors import Conflict, NotFound
from engine.models import Instance, OpenTask
from engine.views import TaskView

from ..accounts.models import User
from ..deadlines import local_date
from ..deadlines.chains import AgencyChains
from ..inbox import task_in_scope
from ..programme_work import programmes_of
from .service import TaskHeld, Viewer


class NoSuchOfficer(NotFound):
    """The assignee is not an active officer of the agency that must do the task (the task itself is
    there: a different answer from ``NotFound``)."""


@dataclass(frozen=True)
class Oversight:
    """A task as the viewer stands to it."""

    task: TaskView
    agency: str | None  # the agency that must do it (None: nobody plays its role there)
    own: bool  # the viewer's agency does it (the task is in the viewer's scope)
    supervises: bool  # the viewer's agency is one it escalates to


def oversee(ctx: EngineContext, task_id: str, viewer: Viewer) -> Oversight:
    """The task for ``viewer``, who must do it or supervise it, or administers the system; NotFound to
    anyone else."""
    with ctx.db.read() as session:
        try:
            task = engine.read_task(session, task_id)
        except (NotFound, Conflict):
            raise NotFound(f"task {task_id} does not exist") from None
        own = task_in_scope(session, viewer.scope, task_id)
        (chain,) = _chains(session, [task], local_date(ctx.now())).values()
    supervises = viewer.scope.agency_code in chain[1:]
    if not (own or supervises or viewer.is_admin):
        raise NotFound(f"task {task_id} does not exist")
    return Oversight(task, chain[0] if chain else None, own, supervises)


def unclaim_task(ctx: EngineContext, task_id: str, viewer: Viewer) -> TaskView:
    """Give a task back: its holder may; an administrator or a supervisor may take it off anyone."""
    seen = oversee(ctx, task_id, viewer)
    holder = seen.task.claimed_by
    if holder is None:
        return seen.task
    if holder != viewer.username and not (viewer.is_admin or seen.supervises):
        raise TaskHeld(holder)
    return engine.unclaim_task(ctx, task_id, holder, actor=viewer.username)


def assign_task(ctx: EngineContext, task_id: str, assignee: str, viewer: Viewer) -> TaskView:
    """Give a task to an active officer of the agency that must do it: a colleague of the viewer's, or,
    for its supervisor, one of that agency's. A task someone else holds moves only by its holder, an
    administrator or a supervisor (never by a colleague taking it over)."""
    seen = oversee(ctx, task_id, viewer)
    agency = viewer.scope.agency_code if seen.own else seen.agency
    with ctx.db.read() as session:
        officer = session.scalar(
            select(User.username).where(User.username == assignee, User.agency_code == agency, User.active)
        )
    if officer is None:
        raise NoSuchOfficer(f"no active officer {assignee!r} of {agency}")
    holder = seen.task.claimed_by
    if holder not in (None, viewer.username, assignee) and not (viewer.is_admin or seen.supervises):
        raise TaskHeld(holder)
    return engine.assign_task(ctx, task_id, assignee, viewer.username)


def officers_for_moves(
    ctx: EngineContext, tasks: Iterable[TaskView], viewer: Viewer
) -> dict[str, list[User]]:
    """For each held task of ``tasks`` that ``viewer`` may move as its supervisor or an administrator (a
    case page's open tasks): the active officers of the agency that must do it, to give it to."""
    held = [t for t in tasks if t.claimed_by not in (None, viewer.username)]
    if not held:
        return {}
    with ctx.db.read() as session:
        chains = _chains(session, held, local_date(ctx.now()))
        movable = {
            t.id: chains[t.id][0]
            for t in held
            if chains[t.id] and (viewer.is_admin or viewer.scope.agency_code in chains[t.id][1:])
        }
        officers = session.scalars(
            select(User)
            .where(User.agency_code.in_(set(movable.values())), User.active)
            .order_by(User.username)
        ).all()
        session.expunge_all()
    return {task_id: [u for u in officers if u.agency_code == agency] for task_id, agency in movable.items()}


def supervised_cases(session: Session, agency_code: str, codes: Iterable[str], on: date) -> set[str]:
    """Which of ``codes`` wait on an open task that ``agency_code`` supervises (as ``oversee`` decides):
    whoever may move a case's task may read the case."""
    codes = sorted(set(codes))
    if not codes:
        return set()
    tasks = session.execute(
        select(OpenTask.id, OpenTask.role, OpenTask.area_code, OpenTask.instance_id, Instance.business_key)
        .join(Instance, Instance.id == OpenTask.instance_id)
        .where(Instance.business_key.in_(codes))
    ).all()
    if not tasks:
        return set()
    chains = _chains(session, tasks, on)
    return {t.business_key for t in tasks if agency_code in chains[t.id][1:]}


def _chains(session: Session, tasks: list, on) -> dict[str, list[str]]:
    """Each task's escalation chain: ``[the agency that must do it, its supervisor, theirs, …]``; a task is
    anything with the open task's ``id``, ``role``, ``area_code`` and ``instance_id``."""
    programme = programmes_of(session.connection(), {t.instance_id for t in tasks})
    chains = AgencyChains(on)
    chains.prepare(session, [(t.role, t.area_code, programme[t.instance_id]) for t in tasks])
    return {t.id: chains.chain(t.role, t.area_code, programme[t.instance_id]) for t in tasks}
