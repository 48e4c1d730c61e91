"""Starting instances, reading them back, and retrying one that stopped on an incident."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import history
from .context import EngineContext
from .deployments import newest_version_id
from .errors import NotReady, ValidationError
from .models import Incident, Instance, OpenTask, ProcessVersion
from .steps import Loaded, StepResult, advance, load, script_engine_for
from .views import InstanceView, task_view


def start_instance(
    ctx: EngineContext,
    process_key: str,
    business_key: str,
    area_code: str,
    data: dict[str, Any] | None = None,
    actor: str | None = None,
) -> StepResult:
    """Start the newest version of ``process_key`` and run it to its first wait state."""
    if not business_key or not area_code:
        raise ValidationError.single("a business key and an area code are required")
    now = ctx.now()
    with ctx.db.write() as session:
        version_id = newest_version_id(session, process_key)
        spec, subprocess_specs = ctx.specs.get(session, version_id)
        row = Instance(
            process_version_id=version_id,
            process_key=process_key,
            business_key=business_key,
            area_code=area_code,
            status="running",
            state="",
            serializer_version=ctx.serializer.version,
            started_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine_for(ctx, row))
        history.record(
            session,
            now,
            "instance_started",
            row.id,
            actor=actor,
            data={"process": process_key, "business_key": business_key, "area": area_code},
        )

        def seed(wf: BpmnWorkflow) -> None:
            for task in wf.get_tasks(state=TaskState.READY):
                task.data.update(data or {})

        return advance(ctx, session, Loaded(row, workflow), seed)


def get_instance(ctx: EngineContext, instance_id: int) -> InstanceView:
    with ctx.db.read() as session:
        loaded = load(ctx, session, instance_id)
        row, workflow = loaded.row, loaded.workflow
        version = session.scalar(
            select(ProcessVersion.version).where(ProcessVersion.id == row.process_version_id)
        )
        tasks = session.scalars(
            select(OpenTask).where(OpenTask.instance_id == row.id).order_by(OpenTask.created_at)
        )
        incidents = session.scalars(
            select(Incident.message).where(Incident.instance_id == row.id, Incident.resolved_at.is_(None))
        )
        last = workflow.last_task
        data = dict(workflow.data) if workflow.is_completed() else dict(last.data) if last is not None else {}
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
    """Run the failed task again; on success the instance's open incidents are resolved."""
    with ctx.db.write() as session:
        loaded = load(ctx, session, instance_id)
        failed = loaded.workflow.get_tasks(state=TaskState.ERROR)
        if not failed:
            raise NotReady(f"instance {instance_id} has no failed task to retry")

        def rerun(_: BpmnWorkflow) -> None:
            for task in failed:
                task._set_state(TaskState.READY)

        result = advance(ctx, session, loaded, rerun)
        if result.incident is None:
            now = ctx.now()
            for incident in session.scalars(
                select(Incident).where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
            ):
                incident.resolved_at = now
                history.record(
                    session,
                    now,
                    "incident_resolved",
                    instance_id,
                    actor=actor,
                    task_id=incident.task_id,
                    bpmn_id=incident.bpmn_id,
                )
        return result
