"""Small read-only views handed out of the engine (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .models import Instance, OpenTask


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: int
    business_key: str
    process_key: str
    bpmn_id: str
    name: str | None
    role: str | None
    area_code: str
    form_key: str | None
    properties: dict[str, str]
    created_at: datetime
    due_at: datetime | None
    claimed_by: str | None


def task_view(task: OpenTask, instance: Instance) -> TaskView:
    return TaskView(
        id=task.id,
        instance_id=task.instance_id,
        business_key=instance.business_key,
        process_key=instance.process_key,
        bpmn_id=task.bpmn_id,
        name=task.name,
        role=task.role,
        area_code=task.area_code,
        form_key=task.form_key,
        properties=dict(task.properties or {}),
        created_at=task.created_at,
        due_at=task.due_at,
        claimed_by=task.claimed_by,
    )


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_key: str
    process_version: int
    business_key: str
    area_code: str
    status: str
    version: int
    started_at: datetime
    ended_at: datetime | None
    next_timer_at: datetime | None
    data: dict
    open_tasks: list[TaskView]
    waiting_for: list[str]
    incidents: list[str]
    waiting_steps: list[str] = field(default_factory=list)  # the catch events it waits at, by name
