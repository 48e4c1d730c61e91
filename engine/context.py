"""What every engine function needs, wired once by ``bootstrap`` and passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .clock import Clock, system_clock
from .db import Database
from .serialization import WorkflowSerializer
from .services import ServiceRegistry
from .specs import SpecCache


@dataclass
class EngineContext:
    db: Database
    serializer: WorkflowSerializer
    specs: SpecCache
    services: ServiceRegistry
    clock: Clock = system_clock
    # (task properties, created at, boundary timer due) -> due time; the deadlines module plugs in here.
    due_policy: Callable[[dict[str, str], datetime, datetime | None], datetime | None] | None = None

    def now(self) -> datetime:
        return self.clock()
