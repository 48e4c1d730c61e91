"""Where an instance waits for something other than a person: the timer or message catch events it
stands at, with a timer's moment — what a case's diagram highlights when no task is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateCatchEvent, ReceiveTask
from SpiffWorkflow.util.task import TaskState

from .context import EngineContext
from .steps import TIMER_EVENTS, _as_datetime, load


@dataclass(frozen=True)
class Wait:
    bpmn_id: str
    name: str | None  # the event's name in the BPMN
    kind: str  # "timer" | "message" | "signal" | "event"
    due_at: datetime | None  # when a timer fires
    message: str | None  # the message (or signal) name it waits for


def waits(workflow: BpmnWorkflow) -> list[Wait]:
    """The catch events the workflow stands at (boundary events, which may interrupt a task at any
    time, are the task's business and left out), soonest timer first."""
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        if not isinstance(spec, IntermediateCatchEvent | ReceiveTask):
            continue
        pending = spec.event_definition.details(task)
        timer = pending.event_type in TIMER_EVENTS
        kind = "timer" if timer else pending.event_type.removesuffix("EventDefinition").lower() or "event"
        found.append(
            Wait(
                bpmn_id=spec.bpmn_id,
                name=spec.bpmn_name,
                kind=kind,
                due_at=_as_datetime(pending.value) if timer and pending.value else None,
                message=None if timer else pending.name,
            )
        )
    return sorted(found, key=lambda w: (w.due_at is None, w.due_at or datetime.min, w.bpmn_id))


def instance_waits(ctx: EngineContext, instance_id: int) -> list[Wait]:
    with ctx.db.read() as session:
        return waits(load(ctx, session.connection(), instance_id).workflow)
