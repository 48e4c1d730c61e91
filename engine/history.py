"""Appending to the history table (nothing here, nor anywhere else, updates or deletes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .context import EngineContext
from .models import HistoryEvent


def record(
    session: Session,
    at: datetime,
    kind: str,
    instance_id: int | None = None,
    *,
    task_id: str | None = None,
    bpmn_id: str | None = None,
    actor: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        HistoryEvent(
            instance_id=instance_id,
            at=at,
            kind=kind,
            task_id=task_id,
            bpmn_id=bpmn_id,
            actor=actor,
            data=data,
        )
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    task_id: str | None
    bpmn_id: str | None
    actor: str | None
    data: dict[str, Any] | None


def instance_history(ctx: EngineContext, instance_id: int) -> list[HistoryEntry]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id)
        )
        return [HistoryEntry(r.at, r.kind, r.task_id, r.bpmn_id, r.actor, r.data) for r in rows]
