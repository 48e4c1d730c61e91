"""Worker functions for the concurrency tests, run in spawned OS processes.

Each worker builds its own engine context from the database URL (never the parent's engine), waits on
a shared Barrier so that all of them act at the same moment, and reports one outcome through a Queue
as a tuple of plain strings and ints: ``(worker index, outcome, detail)``. Outcomes are ``"ok"``,
``"conflict"``, ``"duplicate"`` or ``"error"`` (any other exception, with its type in the detail).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine import EngineContext, bootstrap, complete_task, deliver_message, fire_due_timers, start_instance
from engine.errors import Conflict
from engine.services import ServiceCall, ServiceRegistry

BARRIER_TIMEOUT = 60


def echo(call: ServiceCall) -> dict:
    """The fixture's ``echo`` operator, as the integration conftest registers it."""
    return {"echo": call.params["value"], "case": call.business_key}


def make_context(database_url: str, now: datetime) -> EngineContext:
    registry = ServiceRegistry()
    registry.handler("echo")(echo)
    # The parent created the schema: upgrading here would run migrations in every worker at once.
    return bootstrap(database_url, registry, clock=lambda: now, upgrade=False)


def _run(index: int, database_url: str, now: datetime, barrier, queue, act: Callable[[EngineContext], Any]):
    """Bootstrap, wait for the others, act once, and always report exactly one outcome."""
    try:
        ctx = make_context(database_url, now)
    except BaseException as exc:  # report instead of leaving the parent waiting
        barrier.abort()
        queue.put((index, "error", f"bootstrap: {type(exc).__name__}: {exc}"))
        return
    try:
        barrier.wait(BARRIER_TIMEOUT)
        outcome, detail = act(ctx)
    except Conflict as exc:
        outcome, detail = "conflict", str(exc)
    except BaseException as exc:
        outcome = "error"
        detail = f"{type(exc).__module__}.{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    finally:
        ctx.db.dispose()
    queue.put((index, outcome, detail))


def complete(index: int, database_url: str, now: datetime, barrier, queue, task_id: str, data: dict):
    """Complete ``task_id``; the detail of a success is the instance's new version."""

    def act(ctx: EngineContext):
        result = complete_task(ctx, task_id, data, user=f"worker-{index}")
        return "ok", result.version

    _run(index, database_url, now, barrier, queue, act)


def sweep_timers(index: int, database_url: str, now: datetime, barrier, queue, moment: datetime):
    """Fire every timer due before ``moment``; the detail is ``"due fired skipped"``."""

    def act(ctx: EngineContext):
        sweep = fire_due_timers(ctx, now=moment)
        return "ok", f"{sweep.due} {len(sweep.fired)} {sweep.skipped}"

    _run(index, database_url, now, barrier, queue, act)


def deliver(
    index: int,
    database_url: str,
    now: datetime,
    barrier,
    queue,
    name: str,
    key: str,
    payload: dict,
    message_id: str,
):
    """Deliver one message: ``"duplicate"`` when the id had been delivered before, ``"unmatched"`` when
    nobody waited for it; the detail is the ids of the instances it went to."""

    def act(ctx: EngineContext):
        delivery = deliver_message(ctx, name, key, payload, message_id=message_id)
        targets = ",".join(map(str, delivery.delivered_to))
        if delivery.duplicate:
            return "duplicate", targets
        return ("ok" if delivery.delivered_to else "unmatched"), targets

    _run(index, database_url, now, barrier, queue, act)


def count_job(ctx: EngineContext, job) -> dict:
    """The job kind of the job-queue test: reports progress once, says who ran it."""
    job.progress(1, 1)
    return {"by": job.holder}


def run_jobs(index: int, database_url: str, now: datetime, barrier, queue):
    """Run every due ``count`` job; the detail is how many this process ran."""
    from engine.jobs import JobKinds, run_pending

    kinds = JobKinds()
    kinds.register("count")(count_job)
    _run(index, database_url, now, barrier, queue, lambda ctx: ("ok", run_pending(ctx, kinds)))


def complete_timed(
    index: int, database_url: str, now: datetime, barrier, queue, task_id: str, data: dict, delay_s: float
):
    """Wait ``delay_s`` after the barrier, complete ``task_id``; the detail is "status began ended"
    (wall-clock seconds since the epoch), for the budget test to compare with the other worker's."""

    def act(ctx: EngineContext):
        time.sleep(delay_s)
        began = time.time()
        result = complete_task(ctx, task_id, data, user=f"worker-{index}")
        return "ok", f"{result.status} {began} {time.time()}"

    _run(index, database_url, now, barrier, queue, act)


def start_timed(
    index: int, database_url: str, now: datetime, barrier, queue, key: str, business_key: str, delay_s: float
):
    """Wait ``delay_s`` after the barrier, start an instance of ``key``; the detail: "status began ended"."""

    def act(ctx: EngineContext):
        time.sleep(delay_s)
        began = time.time()
        result = start_instance(ctx, key, business_key, "62001", {}, actor=f"worker-{index}")
        return "ok", f"{result.status} {began} {time.time()}"

    _run(index, database_url, now, barrier, queue, act)


def sweep_timed(
    index: int, database_url: str, now: datetime, barrier, queue, moment: datetime, delay_s: float
):
    """Wait ``delay_s`` after the barrier, fire the timers due before ``moment``; the detail is "status began
    ended" with the status of the one instance fired."""

    def act(ctx: EngineContext):
        time.sleep(delay_s)
        began = time.time()
        (fired,) = fire_due_timers(ctx, now=moment).fired
        return "ok", f"{fired.status} {began} {time.time()}"

    _run(index, database_url, now, barrier, queue, act)


def one_of(index: int, database_url: str, now: datetime, barrier, queue, target: Callable, arguments: tuple):
    """Run ``target`` with ``arguments``: one ``run_workers`` call, workers doing different things."""
    target(index, database_url, now, barrier, queue, *arguments)
