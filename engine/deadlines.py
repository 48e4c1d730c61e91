"""Changing a task's due time by hand (an admin extends a deadline, with a reason).

The engine knows nothing of reminders or escalations: it moves ``due_at`` and sets ``next_alert_at``
to now, which tells whoever sweeps deadlines to plan the task again from its new due time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from . import history
from .context import EngineContext
from .errors import ValidationError
from .models import Instance, OpenTask
from .tasks import _missing
from .views import TaskView, task_view

_TASKS = OpenTask.__table__


def extend_due(ctx: EngineContext, task_id: str, new_due: datetime, reason: str, actor: str) -> TaskView:
    """Set an open task's due time to ``new_due`` (later or earlier), recorded as ``due_changed`` with
    the old and new times and the reason; its reminders and escalations follow the new time."""
    if not isinstance(new_due, datetime) or new_due.tzinfo is None:
        raise ValidationError.single("the new due time must be a timezone-aware datetime")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.single("a reason is required to change a deadline", element="reason")
    now = ctx.now()
    with ctx.db.write() as session:
        conn = session.connection()
        row = conn.execute(
            select(_TASKS.c.instance_id, _TASKS.c.bpmn_id, _TASKS.c.due_at).where(_TASKS.c.id == task_id)
        ).first()
        if row is None:
            _missing(conn, task_id)
        if row.due_at == new_due:
            raise ValidationError.single("the task is already due at that time", element="due_at")
        conn.execute(update(_TASKS).where(_TASKS.c.id == task_id).values(due_at=new_due, next_alert_at=now))
        history.record(
            conn,
            now,
            "due_changed",
            row.instance_id,
            task_id=task_id,
            bpmn_id=row.bpmn_id,
            actor=actor,
            data={
                "old": row.due_at.isoformat() if row.due_at else None,
                "new": new_due.isoformat(),
                "reason": reason,
            },
        )
        task = session.get(OpenTask, task_id)
        return task_view(task, session.get(Instance, task.instance_id))
