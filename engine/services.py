"""The registry that service tasks dispatch through: operator name → handler.

The registry instance with the real handlers lives in ``workflows/``; the engine only knows the shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection


@dataclass(frozen=True)
class ServiceCall:
    """What a handler gets: its evaluated parameters, which case it works for, the step's time, and the
    step's database connection — a handler's writes commit or roll back with the step itself."""

    operation: str
    params: Mapping[str, Any]
    instance_id: int | None = None
    business_key: str | None = None
    area_code: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    db: Connection | None = None


Handler = Callable[[ServiceCall], Any]


class ServiceRegistry(Mapping[str, Handler]):
    """Handlers by operator name; a BPMN naming an operator missing here is refused at deploy time."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def handler(self, name: str) -> Callable[[Handler], Handler]:
        def register(func: Handler) -> Handler:
            if name in self._handlers:
                raise ValueError(f"service operator {name!r} is registered twice")
            self._handlers[name] = func
            return func

        return register

    def __getitem__(self, name: str) -> Handler:
        return self._handlers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)
