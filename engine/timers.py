"""Firing due BPMN timers: exactly the due instances, each once, whoever else is sweeping."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import history
from .context import EngineContext
from .errors import Conflict, NotFound
from .models import Instance
from .rehearsal import rehearse, settle, write
from .steps import StepResult, load


@dataclass(frozen=True)
class TimerSweep:
    due: int
    fired: list[StepResult]
    skipped: int  # already fired by another process, or no longer due


def fire_due_timers(ctx: EngineContext, now: datetime | None = None, limit: int = 1000) -> TimerSweep:
    """Advance every instance whose next timer is due before ``now`` (default: the context's clock).

    Each instance's step is rehearsed outside the write lock and written in its own unit of work under the
    version check, so two sweepers never fire one timer twice: the loser sees the timer gone, or loses the
    version race, and skips.
    """
    moment = now or ctx.now()
    with ctx.db.read() as session:
        due_ids = list(
            session.scalars(
                select(Instance.id)
                .where(Instance.next_timer_at < moment, Instance.status == "running")
                .order_by(Instance.next_timer_at)
                .limit(limit)
            )
        )
    fired, skipped = [], 0
    for instance_id in due_ids:
        try:
            result = _fire_one(ctx, instance_id, moment)
        except (Conflict, NotFound):
            result = None
        if result is None:
            skipped += 1
        else:
            fired.append(result)
    return TimerSweep(len(due_ids), fired, skipped)


def _fire_one(ctx: EngineContext, instance_id: int, moment: datetime) -> StepResult | None:
    """Rehearse the timer's step before the write lock, then write it if nobody moved the instance."""
    at_moment = replace(ctx, clock=lambda: moment)
    with ctx.db.read() as session:
        loaded = load(ctx, session.connection(), instance_id)
        due_at = loaded.row.next_timer_at
        if due_at is None or due_at >= moment:
            return None
        before = _waiting_timers(loaded.workflow)
        rehearsal = rehearse(at_moment, loaded, BpmnWorkflow.refresh_timers)
    after = _waiting_timers(loaded.workflow)
    fired = [bpmn_id for task_id, bpmn_id in before.items() if task_id not in after]
    with ctx.db.transaction() as conn:
        result = write(at_moment, conn, loaded, rehearsal)
        history.record(
            conn,
            moment,
            "timer_fired" if fired else "step_resumed",  # resumed: a step that stopped after a service task
            instance_id,
            bpmn_id=fired[0] if len(fired) == 1 else None,
            data={"timers": sorted(fired), "due_at": due_at.isoformat()},
        )
    return settle(at_moment, loaded, result)


def _waiting_timers(workflow: BpmnWorkflow) -> dict[str, str]:
    return {
        str(t.id): t.task_spec.bpmn_id
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(t.task_spec, CatchingEvent)
        and isinstance(t.task_spec.event_definition, TimerEventDefinition)
    }
