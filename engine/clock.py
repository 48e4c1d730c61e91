"""The engine's clock, injectable, and SpiffWorkflow's timer clock tied to it.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module. ``install()`` swaps that
module's ``datetime`` for a subclass whose ``now()`` asks the clock set for the current step, so a
test or a catch-up sweep can say what time it is without sleeping or patching globally per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_current: ContextVar[Clock] = ContextVar("ansinh_clock", default=system_clock)


class _StepDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = _current.get()()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


def install() -> None:
    """Point SpiffWorkflow's timer module at the step clock (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _StepDatetime


@contextmanager
def running_at(clock: Clock) -> Iterator[None]:
    """Within this block, SpiffWorkflow's timers read ``clock``."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
