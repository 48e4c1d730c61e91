"""The engine's own due-time rule: a calendar ISO duration in the task's ``due`` property, or the
earliest timer boundary event on the task. Working-day rules plug in through ``EngineContext.due_policy``.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def default_due(
    properties: dict[str, str], created_at: datetime, timer_due: datetime | None, data: dict | None = None
) -> datetime | None:
    due = calendar_duration_due(properties.get("due"), created_at)
    candidates = [t for t in (due, timer_due) if t is not None]
    return min(candidates) if candidates else None


def calendar_duration_due(text: str | None, start: datetime) -> datetime | None:
    """``P3D``, ``PT72H``, ``P1M``… from ``start``; None for anything that is not a plain ISO duration."""
    if not text or not text.startswith("P"):
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    except Exception:
        return None
