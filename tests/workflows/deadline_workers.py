"""Worker functions for the deadline concurrency tests, run in spawned OS processes (the protocol of
``tests.integration.workers``: own context, wait at the barrier, report ``(index, outcome, detail)``)."""

from __future__ import annotations

import traceback
from datetime import datetime

from engine.scheduler import Scheduler
from workflows.bootstrap import bootstrap
from workflows.deadlines import sweep_deadlines
from workflows.scheduler import deadline_job

BARRIER_TIMEOUT = 60


def _run(index, database_url, now, barrier, queue, act) -> None:
    try:
        ctx = bootstrap(database_url, clock=lambda: now)  # the parent created the schema
    except BaseException as exc:
        barrier.abort()
        queue.put((index, "error", f"bootstrap: {type(exc).__name__}: {exc}"))
        return
    try:
        barrier.wait(BARRIER_TIMEOUT)
        outcome, detail = act(ctx)
    except BaseException as exc:
        outcome, detail = "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    finally:
        ctx.db.dispose()
    queue.put((index, outcome, detail))


def sweep(index: int, database_url: str, now: datetime, barrier, queue, batch_size: int) -> None:
    """One sweep with no lease at all: only the database keeps the two apart. The detail is
    ``"found handled skipped overdue escalations"``."""

    def act(ctx):
        s = sweep_deadlines(ctx, now=now, batch_size=batch_size)
        return "ok", f"{s.found} {s.handled} {s.skipped} {s.overdue} {s.escalations}"

    _run(index, database_url, now, barrier, queue, act)


def scheduler_tick(index: int, database_url: str, now: datetime, barrier, queue) -> None:
    """A whole scheduler's deadline tick, lease first: ``"ran"`` or ``"waited"``."""

    def act(ctx):
        scheduler = Scheduler(ctx, [deadline_job(30)], holder=f"worker-{index}")
        return ("ran" if scheduler.tick(scheduler.jobs[0]) else "waited"), ""

    _run(index, database_url, now, barrier, queue, act)
