"""Counts for a status page and health checks."""

from __future__ import annotations

from sqlalchemy import func, select

from .context import EngineContext
from .models import Instance, OpenTask


def engine_counts(ctx: EngineContext) -> dict[str, int]:
    with ctx.db.read() as session:
        by_status = dict(
            session.execute(select(Instance.status, func.count()).group_by(Instance.status)).all()
        )
        open_tasks = session.scalar(select(func.count()).select_from(OpenTask))
    return {
        "running_instances": by_status.get("running", 0),
        "incident_instances": by_status.get("incident", 0),
        "completed_instances": by_status.get("completed", 0),
        "open_tasks": open_tasks or 0,
    }
