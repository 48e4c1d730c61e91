"""What every engine function needs, wired once by ``bootstrap`` and passed in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from .clock import Clock, system_clock
from .db import Database
from .serialization import WorkflowSerializer
from .services import ServiceRegistry
from .specs import SpecCache


@dataclass(frozen=True)
class ClosedTask:
    """A user task that left the inbox in a step: ``outcome`` is "completed" or "cancelled"."""

    task_id: str
    instance_id: int
    bpmn_id: str
    outcome: str


# (task properties, created at, boundary timer due) -> due time.
# (the task's properties, created at, the earliest boundary timer, the task's data) -> due time
DuePolicy = Callable[[dict[str, str], datetime, datetime | None, dict[str, Any]], datetime | None]
# (the step's connection, tasks closed by the step, at) -> history rows to write with the step's.
TasksClosedHook = Callable[[Connection, list[ClosedTask], datetime], Iterable[dict[str, Any]]]


@dataclass
class EngineContext:
    db: Database
    serializer: WorkflowSerializer
    specs: SpecCache
    services: ServiceRegistry
    clock: Clock = system_clock
    # The deadlines module plugs in here: working-day due rules, and closing a task's escalations.
    due_policy: DuePolicy | None = None
    on_tasks_closed: TasksClosedHook | None = None
    # Whatever the layer above wires beside the engine (the engine never reads it).
    extensions: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()
