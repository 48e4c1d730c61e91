"""What the officers before you said: the last step's note (a reviewer's reason for sending a
registration back) and a supervisor's answer to this task's escalation (their directive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.models import HistoryEvent
from engine.views import TaskView

from ..deadlines.models import DeadlineAlert as Alert


@dataclass(frozen=True)
class Said:
    at: datetime
    who: str | None
    step: str  # the step it was said at, by name
    text: str
    kind: str  # note (a step's note) | directive (a supervisor's answer to an escalation)


@dataclass(frozen=True)
class Handoff:
    said: tuple[Said, ...] = ()


def handoff(ctx: EngineContext, session: Session, task: TaskView) -> Handoff:
    """In the caller's unit of work: two statements (and the process's step names, when a note was left)."""
    last = session.execute(
        select(HistoryEvent.at, HistoryEvent.actor, HistoryEvent.bpmn_id, HistoryEvent.data)
        .where(HistoryEvent.instance_id == task.instance_id, HistoryEvent.kind == "task_completed")
        .order_by(HistoryEvent.id.desc())
        .limit(1)
    ).first()
    directives = session.execute(
        select(Alert.acknowledged_at, Alert.acknowledged_by, Alert.comment)
        .where(Alert.task_id == task.id, Alert.kind == "escalation", Alert.comment.is_not(None))
        .order_by(Alert.id)
    ).all()
    said = []
    note = ((last.data or {}).get("note") or "").strip() if last else ""
    if note:
        names = engine.step_names(ctx, task.instance_id)
        said.append(Said(last.at, last.actor, names.get(last.bpmn_id, last.bpmn_id), note, "note"))
    said += [Said(at, who, task.name or task.bpmn_id, text, "directive") for at, who, text in directives]
    return Handoff(tuple(said))
