"""Closing alerts: all of a task's when it completes or is cancelled (inside the engine's step, through
``EngineContext.on_tasks_closed``), and those of a deadline that was changed, when a sweep re-plans it.
An escalation's closing is in its case's history; a reminder's is not worth a line there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from engine import history
from engine.context import ClosedTask
from engine.db import UTCDateTime
from engine.fastsql import FastStatement

from .models import DeadlineAlert

_A = DeadlineAlert.__table__
# Closing a finished task's alerts runs inside every step that finishes a task: one prepared UPDATE,
# which finds nothing for the great majority of tasks (those never reminded nor late).
_CLOSE_OF_TASK = FastStatement(
    update(_A)
    .where(_A.c.task_id == bindparam("b_task"), _A.c.closed_at.is_(None))
    .values(closed_at=bindparam("b_at", type_=UTCDateTime()), close_reason=bindparam("b_reason"))
)
_JUST_CLOSED_ESCALATIONS = select(_A.c.step, _A.c.agency_code).where(
    _A.c.task_id == bindparam("task"),
    _A.c.kind == "escalation",
    _A.c.closed_at == bindparam("at", type_=UTCDateTime()),
    _A.c.close_reason == bindparam("reason"),
)
_CLOSE = (
    update(_A)
    .where(_A.c.id.in_(bindparam("ids", expanding=True)), _A.c.closed_at.is_(None))
    .values(closed_at=bindparam("b_at", type_=UTCDateTime()), close_reason=bindparam("b_reason"))
)


def close_alerts(conn: Connection, closed: list[ClosedTask], now: datetime) -> list[dict[str, Any]]:
    """``EngineContext.on_tasks_closed``: a completed or cancelled task's open alerts close in its step."""
    notes: list[dict[str, Any]] = []
    for task in closed:
        values = {"b_task": task.task_id, "b_at": now, "b_reason": task.outcome}
        if _CLOSE_OF_TASK.run(conn, values) == 0:
            continue
        params = {"task": task.task_id, "at": now, "reason": task.outcome}
        for level, agency in conn.execute(_JUST_CLOSED_ESCALATIONS, params):
            data = {"level": level, "agency": agency, "reason": task.outcome}
            notes.append(
                history.entry(
                    now,
                    "escalation_closed",
                    task.instance_id,
                    task_id=task.task_id,
                    bpmn_id=task.bpmn_id,
                    data=data,
                )
            )
    return notes


def close_stale(conn: Connection, alerts: list, now: datetime, tasks: dict) -> list[dict[str, Any]]:
    """Close the alerts of a deadline that was changed since (``tasks`` by id, as the sweep read them);
    the escalations among them go in their case's history."""
    reason = "due_changed"
    if not alerts:
        return []
    conn.execute(_CLOSE, {"ids": [a.id for a in alerts], "b_at": now, "b_reason": reason})
    notes = []
    for alert in alerts:
        if alert.kind == "escalation":
            task = tasks[alert.task_id]
            data = {"level": alert.step, "agency": alert.agency_code, "reason": reason}
            notes.append(
                history.entry(
                    now,
                    "escalation_closed",
                    task.instance_id,
                    task_id=task.id,
                    bpmn_id=task.bpmn_id,
                    data=data,
                )
            )
    return notes
