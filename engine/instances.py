"""Starting instances, reading them back, and retrying one that stopped on an incident."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, insert, select, update

from . import history
from .context import EngineContext
from .deployments import newest_version_id
from .errors import NotReady, ValidationError
from .models import Incident, Instance, OpenTask, ProcessVersion
from .rehearsal import rehearse, settle, write
from .steps import InstanceRow, Loaded, StepResult, advance, load, script_engine_for
from .views import InstanceView, task_view

log = logging.getLogger("ansinh.steps")
_INSTANCE = Instance.__table__


def start_instance(
    ctx: EngineContext,
    process_key: str,
    business_key: str,
    area_code: str,
    data: dict[str, Any] | None = None,
    actor: str | None = None,
    prepare: Callable[[Connection], None] | None = None,
    origin: dict[str, Any] | None = None,
) -> StepResult:
    """Start the newest version of ``process_key`` and run it to its first wait state.

    The first steps are rehearsed before the write lock is taken (a runaway script stops nobody else);
    then ``prepare`` runs in the same transaction as the instance's insert (the domain creates the case's
    records there), so the records and the instance are stored together or not at all. ``origin`` (where
    the case came from: a file and row, a decision) is kept in the ``instance_started`` history line.
    """
    if not business_key or not area_code:
        raise ValidationError.single("a business key and an area code are required")
    if data is not None and not isinstance(data, dict):
        raise ValidationError.single("initial data must be a JSON object")
    with ctx.db.read() as session:
        conn = session.connection()
        loaded = _new(ctx, conn, newest_version_id(conn, process_key), process_key, business_key, area_code)
        rehearsal = rehearse(ctx, loaded, _seed(data))
    with ctx.db.transaction() as conn:
        if prepare is not None:
            prepare(conn)
        _store(ctx, conn, loaded, actor, origin)
        result = write(ctx, conn, loaded, rehearsal)
    result = settle(ctx, loaded, result)
    log.info("%s %s: started by %s in area %s, %s", process_key, business_key, actor or "-", area_code,
             result.status)  # fmt: skip
    return result


def start_on(
    ctx: EngineContext,
    conn: Connection,
    version_id: int,
    process_key: str,
    business_key: str,
    area_code: str,
    data: dict[str, Any] | None,
    actor: str | None = None,
    origin: dict[str, Any] | None = None,
) -> StepResult:
    """Start one instance of process version ``version_id`` in the caller's transaction (bulk starts,
    whose caller holds the lock for the whole batch)."""
    loaded = _new(ctx, conn, version_id, process_key, business_key, area_code)
    _store(ctx, conn, loaded, actor, origin)
    return advance(ctx, conn, loaded, _seed(data))


def _new(
    ctx: EngineContext, conn: Connection, version_id: int, process_key: str, business_key: str, area_code: str
) -> Loaded:
    """A new workflow of ``version_id`` in memory, not stored yet (its row's id is 0 until ``_store``)."""
    spec, subprocess_specs = ctx.specs.get(conn, version_id)
    row = InstanceRow(
        id=0,
        process_version_id=version_id,
        process_key=process_key,
        business_key=business_key,
        area_code=area_code,
        status="running",
        version=1,
        next_timer_at=None,
    )
    return Loaded(row, BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine_for(ctx, row, conn)))


def _store(
    ctx: EngineContext, conn: Connection, loaded: Loaded, actor: str | None, origin: dict[str, Any] | None
) -> None:
    """Insert the instance's row (its state is written by the step's save) and its first history line."""
    now, row = ctx.now(), loaded.row
    row.id = conn.execute(
        insert(_INSTANCE).returning(_INSTANCE.c.id),
        {
            "process_version_id": row.process_version_id,
            "process_key": row.process_key,
            "business_key": row.business_key,
            "area_code": row.area_code,
            "status": "running",
            "state": b"",
            "serializer_version": ctx.serializer.version,
            "version": 1,
            "started_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    loaded.workflow.script_engine.instance_id = row.id
    loaded.note(
        now,
        "instance_started",
        actor=actor,
        data={
            "process": row.process_key,
            "business_key": row.business_key,
            "area": row.area_code,
            **({"origin": origin} if origin else {}),
        },
    )


def _seed(data: dict[str, Any] | None) -> Callable[[BpmnWorkflow], None]:
    def seed(wf: BpmnWorkflow) -> None:
        for task in wf.get_tasks(state=TaskState.READY):
            task.data.update(data or {})

    return seed


def instance_data(ctx: EngineContext, instance_id: int) -> tuple[int, dict[str, Any]]:
    """An instance's version and current data, in one read (a task page needs no more)."""
    with ctx.db.read() as session:
        return read_instance_data(ctx, session.connection(), instance_id)


def read_instance_data(ctx: EngineContext, conn: Connection, instance_id: int) -> tuple[int, dict[str, Any]]:
    """``instance_data`` in the caller's unit of work (one statement)."""
    loaded = load(ctx, conn, instance_id)
    return loaded.row.version, _current_data(loaded.workflow)


def get_instance(ctx: EngineContext, instance_id: int) -> InstanceView:
    with ctx.db.read() as session:
        workflow = load(ctx, session.connection(), instance_id).workflow
        row = session.get(Instance, instance_id)
        version = session.scalar(
            select(ProcessVersion.version).where(ProcessVersion.id == row.process_version_id)
        )
        tasks = session.scalars(
            select(OpenTask).where(OpenTask.instance_id == row.id).order_by(OpenTask.created_at)
        )
        incidents = session.scalars(
            select(Incident.message).where(Incident.instance_id == row.id, Incident.resolved_at.is_(None))
        )
        data = _current_data(workflow)
        return InstanceView(
            id=row.id,
            process_key=row.process_key,
            process_version=version,
            business_key=row.business_key,
            area_code=row.area_code,
            status=row.status,
            version=row.version,
            started_at=row.started_at,
            ended_at=row.ended_at,
            next_timer_at=row.next_timer_at,
            data=data,
            open_tasks=[task_view(t, row) for t in tasks],
            waiting_for=[f"{e.event_type}:{e.name}" for e in workflow.waiting_events()],
            incidents=list(incidents),
        )


def retry_incident(ctx: EngineContext, instance_id: int, actor: str | None = None) -> StepResult:
    """Run the failed task again (rehearsed first, like every step); on success the instance's open
    incidents are resolved."""
    with ctx.db.read() as session:
        loaded = load(ctx, session.connection(), instance_id)
        failed = loaded.workflow.get_tasks(state=TaskState.ERROR)
        if not failed:
            raise NotReady(f"instance {instance_id} has no failed task to retry")

        def rerun(_: BpmnWorkflow) -> None:
            for task in failed:
                task._set_state(TaskState.READY)

        rehearsal = rehearse(ctx, loaded, rerun)
    with ctx.db.transaction() as conn:
        result = write(ctx, conn, loaded, rehearsal)
        if result.incident is None:
            now = ctx.now()
            open_incidents = (Incident.instance_id == instance_id) & Incident.resolved_at.is_(None)
            resolved = conn.execute(select(Incident.task_id, Incident.bpmn_id).where(open_incidents)).all()
            conn.execute(update(Incident).where(open_incidents).values(resolved_at=now))
            history.write(
                conn,
                [
                    history.entry(now, "incident_resolved", instance_id, actor=actor, task_id=t, bpmn_id=b)
                    for t, b in resolved
                ],
            )
    return settle(ctx, loaded, result)


def _current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data as the case stands: at the open user task if there is one (what its form sees), else
    at the last task run, or the workflow's result once it has ended."""
    if workflow.is_completed():
        return dict(workflow.data)
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if ready:
        return dict(ready[0].data)
    return dict(workflow.last_task.data) if workflow.last_task is not None else {}


def move_area(conn: Connection, old_area: str, new_area: str, at, actor: str | None = None) -> list[int]:
    """Running instances of ``old_area`` and their open tasks now belong to ``new_area`` (areas merged or
    renamed by a reorganisation). Each moved instance's version is bumped, so a step loaded before the
    move loses its race cleanly, and its history says from where to where. Returns the moved ids."""
    moved = list(
        conn.execute(
            select(Instance.id).where(Instance.area_code == old_area, Instance.status != "completed")
        ).scalars()
    )
    if not moved:
        return []
    conn.execute(
        update(Instance)
        .where(Instance.id.in_(moved))
        .values(area_code=new_area, version=Instance.version + 1, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    tasks: dict[int, list[dict]] = {}
    for task in conn.execute(
        select(OpenTask.instance_id, OpenTask.id, OpenTask.bpmn_id, OpenTask.role, OpenTask.due_at).where(
            OpenTask.instance_id.in_(moved), OpenTask.area_code == old_area
        )
    ):
        due = task.due_at.isoformat() if task.due_at else None
        tasks.setdefault(task.instance_id, []).append(
            {"task": task.id, "step": task.bpmn_id, "role": task.role, "due_at": due}
        )
    conn.execute(
        update(OpenTask)
        .where(OpenTask.instance_id.in_(moved), OpenTask.area_code == old_area)
        .values(area_code=new_area)
        .execution_options(synchronize_session=False)
    )
    history.write(
        conn,
        [
            history.entry(
                at,
                "area_moved",
                i,
                actor=actor,
                data={"from": old_area, "to": new_area, "tasks": tasks.get(i, [])},
            )
            for i in moved
        ],
    )
    return moved
