"""One step of one instance: load → act → run engine steps → save, inside the caller's unit of work.

Saving writes the workflow's state guarded by the instance's version column (a lost race raises
Conflict, never overwrites), then rewrites what sits beside the state: the open user tasks, the next
timer due time and the message subscriptions. A model error while running (a failing service handler,
a script error) does not lose the step: the state is kept where it stopped and an incident is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import history
from .clock import running_at
from .context import EngineContext
from .due import default_due
from .errors import Conflict, EngineError, NotFound
from .models import Incident, Instance, MessageSubscription, OpenTask
from .scripting import SafeScriptEngine
from .views import TaskView, task_view

MESSAGE_EVENT = "MessageEventDefinition"


@dataclass
class Loaded:
    row: Instance
    workflow: BpmnWorkflow


@dataclass(frozen=True)
class StepResult:
    """What a step left behind: where the instance stands and which tasks are open now."""

    instance_id: int
    status: str
    version: int
    open_tasks: list[TaskView]
    incident: str | None = None


def load(ctx: EngineContext, session: Session, instance_id: int) -> Loaded:
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    spec, subprocess_specs = ctx.specs.get(session, row.process_version_id)
    workflow = ctx.serializer.load_workflow(row.state, spec, subprocess_specs)
    workflow.script_engine = script_engine_for(ctx, row)
    return Loaded(row, workflow)


def script_engine_for(ctx: EngineContext, row: Instance) -> SafeScriptEngine:
    return SafeScriptEngine(ctx.services, row.id, row.business_key, row.area_code)


def advance(
    ctx: EngineContext,
    session: Session,
    loaded: Loaded,
    act: Callable[[BpmnWorkflow], None] | None = None,
    *,
    finished_task_id: str | None = None,
) -> StepResult:
    """Apply ``act`` and run the engine to its next wait state, then save (see the module docstring)."""
    now = ctx.now()
    failure: Exception | None = None
    with running_at(ctx.clock):
        try:
            if act is not None:
                act(loaded.workflow)
            loaded.workflow.do_engine_steps()
        except EngineError:
            raise
        except Exception as exc:  # a model error: keep the state, raise an incident
            failure = exc
    return save(ctx, session, loaded, now, failure, finished_task_id)


def save(
    ctx: EngineContext,
    session: Session,
    loaded: Loaded,
    now: datetime,
    failure: Exception | None = None,
    finished_task_id: str | None = None,
) -> StepResult:
    row, workflow = loaded.row, loaded.workflow
    row.state = ctx.serializer.dump_workflow(workflow)
    row.serializer_version = ctx.serializer.version
    row.updated_at = now
    events = workflow.waiting_events()
    row.next_timer_at = _next_timer(events)
    completed = workflow.is_completed()
    if completed:
        row.status, row.ended_at = "completed", now
    elif failure is not None:
        row.status = "incident"
    elif row.status == "incident" and _has_error_task(workflow):
        pass
    else:
        row.status = "running"
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"instance {row.id} was changed by someone else; reload and try again") from exc
    open_tasks = _sync_tasks(ctx, session, loaded, now, finished_task_id)
    _sync_subscriptions(session, row, events)
    message = None
    if failure is not None:
        message = _describe(failure)
        failed = _error_task(workflow)
        session.add(
            Incident(
                instance_id=row.id,
                task_id=str(failed.id) if failed else None,
                bpmn_id=failed.task_spec.bpmn_id if failed else None,
                message=message,
                raised_at=now,
            )
        )
        history.record(
            session,
            now,
            "incident_raised",
            row.id,
            task_id=str(failed.id) if failed else None,
            bpmn_id=failed.task_spec.bpmn_id if failed else None,
            data={"message": message},
        )
    if completed:
        history.record(session, now, "instance_ended", row.id, data={"end": _end_event(workflow)})
    return StepResult(row.id, row.status, row.version, open_tasks, message)


def _sync_tasks(
    ctx: EngineContext, session: Session, loaded: Loaded, now: datetime, finished_task_id: str | None
) -> list[TaskView]:
    row, workflow = loaded.row, loaded.workflow
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    existing = {t.id: t for t in session.scalars(select(OpenTask).where(OpenTask.instance_id == row.id))}
    gone = [task_id for task_id in existing if task_id not in ready]
    if gone:
        session.execute(delete(OpenTask).where(OpenTask.id.in_(gone)))
    for task_id in gone:
        if task_id != finished_task_id:
            history.record(
                session, now, "task_cancelled", row.id, task_id=task_id, bpmn_id=existing[task_id].bpmn_id
            )
    due_policy = ctx.due_policy or default_due
    kept = [existing[task_id] for task_id in ready if task_id in existing]
    for task_id, task in ready.items():
        if task_id in existing:
            continue
        spec = task.task_spec
        properties = dict(spec.extensions.get("properties", {}))
        open_task = OpenTask(
            id=task_id,
            instance_id=row.id,
            bpmn_id=spec.bpmn_id,
            name=spec.bpmn_name,
            role=spec.lane,
            area_code=row.area_code,
            form_key=properties.get("formKey"),
            properties=properties,
            created_at=now,
            due_at=due_policy(properties, now, _boundary_timer_due(task)),
        )
        session.add(open_task)
        kept.append(open_task)
        history.record(
            session,
            now,
            "task_created",
            row.id,
            task_id=task_id,
            bpmn_id=spec.bpmn_id,
            data={"role": spec.lane, "area": row.area_code},
        )
    return [task_view(t, row) for t in kept]


def _sync_subscriptions(session: Session, row: Instance, events) -> None:
    wanted = {e.name for e in events if e.event_type == MESSAGE_EVENT}
    have = set(
        session.scalars(
            select(MessageSubscription.message_name).where(MessageSubscription.instance_id == row.id)
        )
    )
    if have - wanted:
        session.execute(
            delete(MessageSubscription).where(
                MessageSubscription.instance_id == row.id,
                MessageSubscription.message_name.in_(have - wanted),
            )
        )
    for name in sorted(wanted - have):
        session.add(
            MessageSubscription(instance_id=row.id, message_name=name, correlation_key=row.business_key)
        )


def _next_timer(events) -> datetime | None:
    times = [_as_datetime(e.value) for e in events if "Timer" in e.event_type and e.value]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.astimezone()


def _boundary_timer_due(task) -> datetime | None:
    if task.parent is None:
        return None
    times = []
    for sibling in task.parent.children:
        spec = sibling.task_spec
        if isinstance(spec, BoundaryEvent) and "Timer" in type(spec.event_definition).__name__:
            value = sibling._get_internal_data("event_value")
            if value:
                times.append(_as_datetime(value))
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _error_task(workflow: BpmnWorkflow):
    errored = workflow.get_tasks(state=TaskState.ERROR)
    return errored[0] if errored else None


def _has_error_task(workflow: BpmnWorkflow) -> bool:
    return _error_task(workflow) is not None


def _end_event(workflow: BpmnWorkflow) -> str | None:
    """The end event the instance finished on (the latest one, when branches ended separately)."""
    ends = [
        t
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.workflow is workflow and isinstance(t.task_spec, EndEvent)
    ]
    return max(ends, key=lambda t: t.last_state_change).task_spec.bpmn_id if ends else None


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    cause = exc.__cause__ or getattr(exc, "error", None)
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text[:2000]
