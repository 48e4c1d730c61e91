"""One step of one instance: load → act → run engine steps → save, inside the caller's unit of work.

Saving writes the workflow's state guarded by the instance's version column (a lost race raises
Conflict, never overwrites), then brings what sits beside the state up to date: the open user tasks,
the next timer due time and the message subscriptions. What changed is worked out in memory, from the
workflow as loaded and as it is now, so a step issues only the writes it needs. A model error while
running (a failing service handler, a script error) does not lose the step: the state is kept where it
stopped and an incident is raised.

This is the hot path of the whole product, so it speaks SQLAlchemy Core on the unit of work's
connection rather than the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from . import expressions, history
from .clock import running_at
from .compaction import compact, unfinished_tasks
from .context import ClosedTask, EngineContext
from .db import UTCDateTime
from .due import default_due
from .errors import Conflict, EngineError, NotFound
from .fastsql import FastStatement, insert_rows
from .models import Incident, Instance, MessageSubscription, OpenTask
from .scripting import SafeScriptEngine
from .serialization import pack_state, unpack_state
from .views import TaskView

MESSAGE_EVENT = "MessageEventDefinition"
_INSTANCE = Instance.__table__
_TASKS = OpenTask.__table__
_SUBSCRIPTIONS = MessageSubscription.__table__
_LOAD = select(
    _INSTANCE.c.id,
    _INSTANCE.c.process_version_id,
    _INSTANCE.c.process_key,
    _INSTANCE.c.business_key,
    _INSTANCE.c.area_code,
    _INSTANCE.c.status,
    _INSTANCE.c.version,
    _INSTANCE.c.next_timer_at,
    _INSTANCE.c.state,
)
_LOAD_FOR_TASK = FastStatement(
    _LOAD.add_columns(_TASKS.c.bpmn_id, _TASKS.c.claimed_by)
    .join_from(_TASKS, _INSTANCE, _TASKS.c.instance_id == _INSTANCE.c.id)
    .where(_TASKS.c.id == bindparam("task_id"))
)
_LOAD = FastStatement(_LOAD.where(_INSTANCE.c.id == bindparam("instance_id")))
_GUARD = (_INSTANCE.c.id == bindparam("b_id"), _INSTANCE.c.version == bindparam("b_version"))
_STATE = {
    "state": bindparam("b_state"),
    "serializer_version": bindparam("b_serializer_version"),
    "updated_at": bindparam("b_now", type_=UTCDateTime()),
    "version": bindparam("b_new_version"),
}
# Most steps change only the state: SET no indexed column then, so SQLite leaves the indexes alone.
_SAVE_STATE = FastStatement(update(_INSTANCE).where(*_GUARD).values(_STATE))
_SAVE = FastStatement(
    update(_INSTANCE)
    .where(*_GUARD)
    .values(
        {
            **_STATE,
            "ended_at": bindparam("b_ended_at", type_=UTCDateTime()),
            "status": bindparam("b_status"),
            "next_timer_at": bindparam("b_next_timer_at", type_=UTCDateTime()),
        }
    )
)
_KEPT_TASKS = select(_TASKS).where(_TASKS.c.id.in_(bindparam("ids", expanding=True)))
_DELETE_TASK = FastStatement(delete(_TASKS).where(_TASKS.c.id == bindparam("task_id")))
_INSERT_TASKS = FastStatement(insert_rows(_TASKS, skip=("claimed_at",)))
RESUME_AFTER = timedelta(minutes=1)


class LostTrack(Exception):
    """The library claimed a workflow completed while some of its tasks are unfinished."""


@dataclass
class InstanceRow:
    id: int
    process_version_id: int
    process_key: str
    business_key: str
    area_code: str
    status: str
    version: int
    next_timer_at: datetime | None


@dataclass
class Loaded:
    """An instance's row and workflow, with what was open and awaited when it was loaded."""

    row: InstanceRow
    workflow: BpmnWorkflow
    open_before: dict[str, str] = field(default_factory=dict)  # task id → bpmn id
    messages_before: set[str] = field(default_factory=set)
    history: list[dict] = field(default_factory=list)  # written once, at the end of the step
    pending: bool = False  # a service task ran and the engine steps after it are still to run

    def note(self, at: datetime, kind: str, **details) -> None:
        self.history.append(history.entry(at, kind, self.row.id, **details))


@dataclass(frozen=True)
class StepResult:
    """What a step left behind: where the instance stands and which tasks are open now."""

    instance_id: int
    status: str
    version: int
    open_tasks: list[TaskView]
    incident: str | None = None


def load(ctx: EngineContext, conn: Connection, instance_id: int) -> Loaded:
    found = _LOAD.one_or_none(conn, {"instance_id": instance_id})
    if found is None:
        raise NotFound(f"instance {instance_id} does not exist")
    return _restore(ctx, conn, found)


@dataclass(frozen=True)
class OpenTaskRow:
    bpmn_id: str
    claimed_by: str | None


def load_for_task(ctx: EngineContext, conn: Connection, task_id: str) -> tuple[Loaded, OpenTaskRow] | None:
    """The instance an open task belongs to, found and loaded in one query; None if it is not open."""
    found = _LOAD_FOR_TASK.one_or_none(conn, {"task_id": task_id})
    if found is None:
        return None
    *instance, bpmn_id, claimed_by = found
    return _restore(ctx, conn, instance), OpenTaskRow(bpmn_id, claimed_by)


def _restore(ctx: EngineContext, conn: Connection, found) -> Loaded:
    *columns, state = found
    row = InstanceRow(*columns)
    spec, subprocess_specs = ctx.specs.get(conn, row.process_version_id)
    workflow = ctx.serializer.load_workflow(unpack_state(state), spec, subprocess_specs)
    workflow.script_engine = script_engine_for(ctx, row, conn)
    open_before = {task_id: t.task_spec.bpmn_id for task_id, t in _ready_user_tasks(workflow).items()}
    return Loaded(row, workflow, open_before, _awaited_messages(workflow))


def script_engine_for(ctx: EngineContext, row: InstanceRow, conn: Connection) -> SafeScriptEngine:
    return SafeScriptEngine(ctx.services, row.id, row.business_key, row.area_code, ctx.clock, conn)


def run_budgeted(ctx: EngineContext, work: Callable[[], object]) -> Exception | None:
    """Run a step's BPMN work at the step's time, within one budget for all its expressions. A model error
    (a script's, a handler's, over budget) is returned, for ``save`` to keep the state and raise an
    incident; the engine's own errors (a conflict, a lost lock) propagate."""
    with running_at(ctx.clock), expressions.budget():
        try:
            work()
        except EngineError:
            raise
        except Exception as exc:
            return exc
    return None


def advance(
    ctx: EngineContext,
    conn: Connection,
    loaded: Loaded,
    act: Callable[[BpmnWorkflow], None] | None = None,
    *,
    finished_task_id: str | None = None,
) -> StepResult:
    """Apply ``act`` and run the engine to its next wait state, then save (see the module docstring)."""

    def work() -> None:
        if act is not None:
            act(loaded.workflow)
        loaded.workflow.do_engine_steps()

    failure = run_budgeted(ctx, work)
    return save(ctx, conn, loaded, ctx.now(), failure, finished_task_id)


def save(
    ctx: EngineContext,
    conn: Connection,
    loaded: Loaded,
    now: datetime,
    failure: Exception | None = None,
    finished_task_id: str | None = None,
) -> StepResult:
    row, workflow = loaded.row, loaded.workflow
    events = workflow.waiting_events()
    completed = workflow.is_completed()
    if completed and unfinished_tasks(workflow):  # the library's search gave up: not a real end
        completed = False
        failure = failure or LostTrack(
            "the workflow stopped without reaching an end event (tasks are still unfinished); "
            "the case is kept where it was — retry it, or report it to the administrator"
        )
    if not completed:
        compact(workflow)
    if completed:
        status = "completed"
    elif failure is not None or (row.status == "incident" and _error_task(workflow) is not None):
        status = "incident"
    else:
        status = "running"
    next_timer_at = _next_timer(events)
    if loaded.pending and not completed and failure is None:  # resumed by the timer sweep if never settled
        next_timer_at = min(filter(None, (next_timer_at, now + RESUME_AFTER)))
    unchanged = status == row.status and next_timer_at == row.next_timer_at and not completed
    updated = (_SAVE_STATE if unchanged else _SAVE).run(
        conn,
        {
            "b_id": row.id,
            "b_version": row.version,
            "b_state": pack_state(ctx.serializer.dump_workflow(workflow)),
            "b_serializer_version": ctx.serializer.version,
            "b_now": now,
            "b_ended_at": now if completed else None,
            "b_status": status,
            "b_next_timer_at": next_timer_at,
            "b_new_version": row.version + 1,
        },
    )
    if updated != 1:
        raise Conflict(f"instance {row.id} was changed by someone else; reload and try again")
    row.version, row.status, row.next_timer_at = row.version + 1, status, next_timer_at

    open_tasks = _sync_tasks(ctx, conn, loaded, now, finished_task_id)
    _sync_subscriptions(conn, loaded, _awaited_messages(workflow, events))
    message = None
    if failure is not None:
        message = _describe(failure)
        failed = _error_task(workflow) or getattr(failure, "task", None)  # a timer's expression: no ERROR
        where = {
            "task_id": str(failed.id) if failed else None,
            "bpmn_id": failed.task_spec.bpmn_id if failed else None,
        }
        conn.execute(
            insert(Incident.__table__),
            [{"instance_id": row.id, "message": message, "raised_at": now, **where}],
        )
        loaded.note(now, "incident_raised", data={"message": message}, **where)
    if completed:
        loaded.note(now, "instance_ended", data={"end": _end_event(workflow)})
    history.write(conn, loaded.history)
    loaded.history = []
    return StepResult(row.id, status, row.version, open_tasks, message)


def _ready_user_tasks(workflow: BpmnWorkflow) -> dict[str, object]:
    """READY human tasks of the workflow and its subprocesses (a plain scan: get_tasks' iterator is slow)."""
    ready = {}
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.tasks.values():
            if task.state == TaskState.READY and task.task_spec.manual:
                ready[str(task.id)] = task
    return ready


def _awaited_messages(workflow: BpmnWorkflow, events=None) -> set[str]:
    events = workflow.waiting_events() if events is None else events
    return {e.name for e in events if e.event_type == MESSAGE_EVENT}


def _sync_tasks(
    ctx: EngineContext, conn: Connection, loaded: Loaded, now: datetime, finished_task_id: str | None
) -> list[TaskView]:
    row, before = loaded.row, loaded.open_before
    ready = _ready_user_tasks(loaded.workflow)
    gone = [task_id for task_id in before if task_id not in ready]
    if gone:
        _DELETE_TASK.run_many(conn, [{"task_id": task_id} for task_id in gone])
        for task_id in gone:
            if task_id != finished_task_id:
                loaded.note(now, "task_cancelled", task_id=task_id, bpmn_id=before[task_id])
        if ctx.on_tasks_closed is not None:
            closed = [
                ClosedTask(t, row.id, before[t], "completed" if t == finished_task_id else "cancelled")
                for t in gone
            ]
            loaded.history.extend(ctx.on_tasks_closed(conn, closed, now))
    views = []
    kept = [task_id for task_id in ready if task_id in before]
    if kept:
        views = [_view(row, r._mapping) for r in conn.execute(_KEPT_TASKS, {"ids": kept})]
    due_policy = ctx.due_policy or default_due
    new_rows = []
    for task_id, task in ready.items():
        if task_id in before:
            continue
        spec = task.task_spec
        properties = dict(spec.extensions.get("properties", {}))
        due_at = due_policy(properties, now, _boundary_timer_due(task), task.data)
        new_rows.append(
            {
                "id": task_id,
                "instance_id": row.id,
                "bpmn_id": spec.bpmn_id,
                "name": spec.bpmn_name,
                "role": spec.lane,
                "area_code": row.area_code,
                "form_key": properties.get("formKey"),
                "properties": properties,
                "created_at": now,
                "due_at": due_at,
                "next_alert_at": None if due_at is None else now,  # the deadline sweeper plans it
                "claimed_by": None,
            }
        )
        loaded.note(
            now,
            "task_created",
            task_id=task_id,
            bpmn_id=spec.bpmn_id,
            data={"role": spec.lane, "area": row.area_code},
        )
    if new_rows:
        _INSERT_TASKS.run_many(conn, new_rows)
        views.extend(_view(row, r) for r in new_rows)
    loaded.open_before = {task_id: t.task_spec.bpmn_id for task_id, t in ready.items()}
    return views


def _view(row: InstanceRow, task) -> TaskView:
    return TaskView(
        id=task["id"],
        instance_id=row.id,
        business_key=row.business_key,
        process_key=row.process_key,
        bpmn_id=task["bpmn_id"],
        name=task["name"],
        role=task["role"],
        area_code=task["area_code"],
        form_key=task["form_key"],
        properties=dict(task["properties"] or {}),
        created_at=task["created_at"],
        due_at=task["due_at"],
        claimed_by=task["claimed_by"],
    )


def _sync_subscriptions(conn: Connection, loaded: Loaded, wanted: set[str]) -> None:
    row, have = loaded.row, loaded.messages_before
    if have - wanted:
        conn.execute(
            delete(_SUBSCRIPTIONS).where(
                _SUBSCRIPTIONS.c.instance_id == row.id, _SUBSCRIPTIONS.c.message_name.in_(have - wanted)
            )
        )
    if wanted - have:
        conn.execute(
            insert(_SUBSCRIPTIONS),
            [
                {"instance_id": row.id, "message_name": name, "correlation_key": row.business_key}
                for name in sorted(wanted - have)
            ],
        )
    loaded.messages_before = wanted


# SpiffWorkflow's timer event definitions (a timeDate one has no "Timer" in its name).
TIMER_EVENTS = ("TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition")


def _next_timer(events) -> datetime | None:
    times = [_as_datetime(e.value) for e in events if e.event_type in TIMER_EVENTS and e.value]
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
        if isinstance(spec, BoundaryEvent) and isinstance(spec.event_definition, TimerEventDefinition):
            value = sibling._get_internal_data("event_value")
            if value:
                times.append(_as_datetime(value))
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _error_task(workflow: BpmnWorkflow):
    errored = workflow.get_tasks(state=TaskState.ERROR)
    return errored[0] if errored else None


def _end_event(workflow: BpmnWorkflow) -> str | None:
    """Where the instance finished: the latest end event reached inside an embedded subprocess (a case
    wrapped so that a boundary event can interrupt it ends in there), else the latest top-level one.
    Called processes' own end events don't count."""

    def reached(wf) -> list:
        return [
            t
            for t in wf.tasks.values()
            if t.state == TaskState.COMPLETED and isinstance(t.task_spec, EndEvent)
        ]

    inner = []
    for parent_id, subprocess in workflow.subprocesses.items():
        parent = workflow.get_task_from_id(parent_id)
        if parent is not None and not isinstance(parent.task_spec, CallActivity):
            inner += reached(subprocess)
    ends = inner or reached(workflow)
    return max(ends, key=lambda t: t.last_state_change).task_spec.bpmn_id if ends else None


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    cause = exc.__cause__ or getattr(exc, "error", None)
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text[:2000]
