"""Named points where a test can kill the process (SIGKILL, as ``kill -9`` would), to prove that a crash
during list generation, a result import or the delivery of notices loses and doubles nothing.

Nothing is armed in normal running; a checkpoint is then one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_armed: dict[str, int] = {}


def arm(point: str, after: int = 0) -> None:
    """Kill this process the ``after + 1``-th time ``point`` is reached."""
    _armed[point] = after


def disarm() -> None:
    _armed.clear()


def checkpoint(point: str) -> None:
    remaining = _armed.get(point)
    if remaining is None:
        return
    if remaining > 0:
        _armed[point] = remaining - 1
        return
    os.kill(os.getpid(), signal.SIGKILL)
