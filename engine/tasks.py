"""User tasks: list, claim, unclaim, complete."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, Connection, Select, bindparam, exists, select, update
from sqlalchemy.orm import Session

from . import history
from .context import EngineContext
from .errors import Conflict, NotFound, ValidationError
from .models import HistoryEvent, Instance, OpenTask
from .rehearsal import rehearse, settle, write
from .steps import StepResult, load_for_task
from .views import TaskView, task_view

log = logging.getLogger("ansinh.steps")
_TASKS = OpenTask.__table__
_INSTANCES = Instance.__table__
# A TaskView's columns in its field order: the task with its instance's keys (never the state).
_TASK_VIEW = select(
    _TASKS.c.id, _TASKS.c.instance_id, _INSTANCES.c.business_key, _INSTANCES.c.process_key,
    _TASKS.c.bpmn_id, _TASKS.c.name, _TASKS.c.role, _TASKS.c.area_code, _TASKS.c.form_key,
    _TASKS.c.properties, _TASKS.c.created_at, _TASKS.c.due_at, _TASKS.c.claimed_by,
).join_from(_TASKS, _INSTANCES, _INSTANCES.c.id == _TASKS.c.instance_id)  # fmt: skip
_VIEW_FIELDS = len(_TASK_VIEW.selected_columns)
_PROPERTIES = [c.name for c in _TASK_VIEW.selected_columns].index("properties")
_ONE_TASK = _TASK_VIEW.where(_TASKS.c.id == bindparam("task_id"))
_CLAIMED_BY = select(OpenTask.claimed_by).where(OpenTask.id == bindparam("task_id"))
_WAS_OPEN = select(
    exists().where(HistoryEvent.task_id == bindparam("task_id"), HistoryEvent.kind == "task_created")
)


def list_tasks(
    ctx: EngineContext,
    role: str | None = None,
    area_codes: list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    instance_id: int | None = None,
) -> list[TaskView]:
    """Open user tasks, oldest first, optionally for one role and a set of areas, or of one instance
    (read from the indexed table: the workflow is not loaded)."""
    query = select(OpenTask, Instance).join(Instance, Instance.id == OpenTask.instance_id)
    if instance_id is not None:
        query = query.where(OpenTask.instance_id == instance_id)
    if role is not None:
        query = query.where(OpenTask.role == role)
    if area_codes is not None:
        query = query.where(OpenTask.area_code.in_(area_codes))
    query = query.order_by(OpenTask.created_at, OpenTask.id).limit(limit).offset(offset)
    with ctx.db.read() as session:
        return [task_view(task, instance) for task, instance in session.execute(query)]


def get_task(ctx: EngineContext, task_id: str) -> TaskView:
    with ctx.db.read() as session:
        return read_task(session, task_id)


def read_task(session: Session, task_id: str) -> TaskView:
    """An open task in the caller's unit of work (one statement: the task with its instance's keys), for a
    caller that reads more beside it; NotFound, or Conflict for a task no longer open."""
    found = session.connection().execute(_ONE_TASK, {"task_id": task_id}).first()
    if found is None:
        _missing(session, task_id)
    return task_from_row(found)


def task_query(task_id: str, *also: ColumnElement) -> Select:
    """The statement ``read_task`` runs, with ``also`` (e.g. whether a scope owns the task) after the
    task's columns, for ``task_from_row``: a caller that decides about the task reads it in one go."""
    return _TASK_VIEW.add_columns(*also).where(_TASKS.c.id == task_id)


def task_from_row(row) -> TaskView:
    """A TaskView from a row of ``read_task``'s or ``task_query``'s columns (extra columns ignored)."""
    values = list(row[:_VIEW_FIELDS])
    values[_PROPERTIES] = dict(values[_PROPERTIES] or {})
    return TaskView(*values)


def claim_task(ctx: EngineContext, task_id: str, user: str) -> TaskView:
    """Take a task; claiming one somebody else holds is a Conflict."""
    with ctx.db.write() as session:
        task = session.get(OpenTask, task_id) or _missing(session, task_id)
        result = session.execute(
            update(OpenTask)
            .where(OpenTask.id == task_id, (OpenTask.claimed_by.is_(None)) | (OpenTask.claimed_by == user))
            .values(claimed_by=user, claimed_at=ctx.now())
        )
        if result.rowcount != 1:
            raise Conflict(f"task {task_id} is already claimed by {task.claimed_by}", holder=task.claimed_by)
        history.record(
            session.connection(),
            ctx.now(),
            "task_claimed",
            task.instance_id,
            task_id=task_id,
            bpmn_id=task.bpmn_id,
            actor=user,
        )
        session.refresh(task)
        return task_view(task, session.get(Instance, task.instance_id))


def unclaim_task(ctx: EngineContext, task_id: str, user: str, actor: str | None = None) -> TaskView:
    """``user`` gives the task back; ``actor``, when another (an administrator, a supervisor), takes it
    back from them: the history names who did it, and whom it was taken from."""
    with ctx.db.write() as session:
        task = session.get(OpenTask, task_id) or _missing(session, task_id)
        if task.claimed_by is None:
            return task_view(task, session.get(Instance, task.instance_id))
        if task.claimed_by != user:
            raise Conflict(
                f"task {task_id} is claimed by {task.claimed_by}, not {user}", holder=task.claimed_by
            )
        task.claimed_by, task.claimed_at = None, None
        history.record(
            session.connection(),
            ctx.now(),
            "task_unclaimed",
            task.instance_id,
            task_id=task_id,
            bpmn_id=task.bpmn_id,
            actor=actor or user,
            data={"from": user} if actor not in (None, user) else None,
        )
        return task_view(task, session.get(Instance, task.instance_id))


def complete_task(
    ctx: EngineContext,
    task_id: str,
    data: dict[str, Any] | None = None,
    user: str | None = None,
    expected_version: int | None = None,
    check: Callable[[Session], None] | None = None,
) -> StepResult:
    """Complete an open task with ``data`` and run its instance on.

    ``expected_version`` is the instance version the caller saw; if the instance moved since, or the
    task was completed by someone else meanwhile, this raises Conflict and changes nothing. ``check``
    (the caller's own checks of ``data``) runs first, in the read that loads the instance, and refuses
    by raising; nothing is changed then.
    """
    if data is not None and not isinstance(data, dict):
        raise ValidationError.single("task data must be a JSON object")
    began = time.perf_counter()
    # First the BPMN work, outside the write lock (a slow script must not stop every other officer's
    # click); then the lock, only to check that nobody moved the instance meanwhile and to write.
    with ctx.db.lookup() as session:
        if check is not None:
            check(session)
        loaded, run, claim = _prepare(ctx, session.connection(), task_id, data, user, expected_version)
        loaded.note(
            ctx.now(), "task_completed", task_id=task_id, bpmn_id=claim.bpmn_id, actor=user, data=data or {}
        )
        rehearsal = rehearse(ctx, loaded, run)
    with ctx.db.transaction() as conn:
        if conn.execute(_CLAIMED_BY, {"task_id": task_id}).first() != (claim.claimed_by,):
            raise Conflict(f"task {task_id} was claimed or completed meanwhile; reload and try again")
        result = write(ctx, conn, loaded, rehearsal, task_id)
    result = settle(ctx, loaded, result)
    log.info("%s %s: %s completed by %s, %s, version %s (%.0f ms)", loaded.row.process_key,
             loaded.row.business_key, claim.bpmn_id, user or "-", result.status, result.version,
             (time.perf_counter() - began) * 1000)  # fmt: skip
    return result


def _prepare(ctx: EngineContext, conn: Connection, task_id: str, data, user, expected_version):
    """Load the task's instance and check the task may be completed by ``user`` now."""
    loaded, task = load_for_task(ctx, conn, task_id) or _missing(conn, task_id)
    if user is not None and task.claimed_by not in (None, user):
        raise Conflict(f"task {task_id} is claimed by {task.claimed_by}", holder=task.claimed_by)
    if expected_version is not None and loaded.row.version != expected_version:
        raise Conflict(f"instance {loaded.row.id} changed since it was read; reload and try again")
    spiff_task = loaded.workflow.get_task_from_id(UUID(task_id))
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise Conflict(f"task {task_id} is no longer open")

    def run(_: BpmnWorkflow) -> None:
        spiff_task.set_data(**(data or {}))
        spiff_task.run()

    return loaded, run, task


def _missing(db: Session | Connection, task_id: str):
    """Raise the right error for a task id that is not open: Conflict if it was open once."""
    if db.execute(_WAS_OPEN, {"task_id": task_id}).scalar():
        raise Conflict(f"task {task_id} is no longer open (completed or cancelled)")
    raise NotFound(f"task {task_id} does not exist")


def assign_task(ctx: EngineContext, task_id: str, assignee: str, actor: str) -> TaskView:
    """Give a task to a colleague (whoever held it before); the caller checks they may."""
    with ctx.db.write() as session:
        task = session.get(OpenTask, task_id) or _missing(session, task_id)
        previous = task.claimed_by
        task.claimed_by, task.claimed_at = assignee, ctx.now()
        history.record(
            session.connection(), ctx.now(), "task_assigned", task.instance_id,
            task_id=task_id, bpmn_id=task.bpmn_id, actor=actor, data={"to": assignee, "from": previous},
        )  # fmt: skip
        return task_view(task, session.get(Instance, task.instance_id))
