"""APScheduler runs the clock; correctness lives in the database.

Each job sweeps due work selected by indexed columns and applies it with conditional updates, so a
sweep missed while the scheduler was down is done once when it comes back, and two scheduler
processes at once never fire a timer twice.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .context import EngineContext
from .timers import fire_due_timers

log = logging.getLogger("ansinh.scheduler")


def sweep_timers(ctx: EngineContext) -> None:
    sweep = fire_due_timers(ctx)
    if sweep.due:
        log.info("timers: %d due, %d fired, %d skipped", sweep.due, len(sweep.fired), sweep.skipped)


def _add_jobs(scheduler, ctx: EngineContext, interval_s: int) -> None:
    scheduler.add_job(
        sweep_timers,
        "interval",
        seconds=interval_s,
        args=[ctx],
        id="timers",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )


def start_background(ctx: EngineContext, interval_s: int = 30) -> BackgroundScheduler:
    """In-process scheduler for the development server."""
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_jobs(scheduler, ctx, interval_s)
    scheduler.start()
    return scheduler


def run_blocking(ctx: EngineContext, interval_s: int = 30) -> None:
    """``ansinh scheduler``: the scheduler alone, until interrupted."""
    scheduler = BlockingScheduler(timezone="UTC")
    _add_jobs(scheduler, ctx, interval_s)
    log.info("scheduler started: timers every %ss", interval_s)
    scheduler.start()
