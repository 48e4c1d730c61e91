"""APScheduler runs the clock; correctness lives in the database.

APScheduler only ticks. Each tick first takes or renews a database lease, so that of several scheduler
processes one works and the others wait to take over; then the job sweeps due work selected by indexed
columns and applies it with conditional updates, so work that fell due while the scheduler was down is
done once when it comes back, and even two processes sweeping at once never do a thing twice. The
engine's own job fires BPMN timers; the layer above adds its jobs (deadlines, monthly cycles).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .context import EngineContext
from .leases import acquire_lease, new_holder, release_lease
from .timers import fire_due_timers

log = logging.getLogger("ansinh.scheduler")
LEASE = "scheduler"


@dataclass(frozen=True)
class Job:
    """A sweep run every ``every_s`` seconds; it returns a line for the log, or None if nothing was due."""

    name: str
    run: Callable[[EngineContext], str | None]
    every_s: float


def sweep_timers(ctx: EngineContext) -> str | None:
    sweep = fire_due_timers(ctx)
    if not sweep.due:
        return None
    return f"{sweep.due} due, {len(sweep.fired)} fired, {sweep.skipped} skipped"


def timer_job(interval_s: float) -> Job:
    return Job("timers", sweep_timers, interval_s)


class Scheduler:
    """Our jobs on an APScheduler, each tick gated by the lease (held for ``lease_ttl``, renewed by
    every tick of the holder; three missed ticks and another process takes over)."""

    def __init__(
        self,
        ctx: EngineContext,
        jobs: Sequence[Job],
        holder: str | None = None,
        lease_ttl: timedelta | None = None,
    ) -> None:
        self.ctx = ctx
        self.jobs = list(jobs)
        self.holder = holder or new_holder()
        shortest = min((job.every_s for job in self.jobs), default=30)
        self.lease_ttl = lease_ttl or timedelta(seconds=max(3 * shortest, 10))
        self._lock = threading.Lock()  # one job at a time in this process: they share a database
        self._scheduler: BackgroundScheduler | BlockingScheduler | None = None

    def is_leader(self) -> bool:
        return acquire_lease(self.ctx.db, LEASE, self.holder, self.lease_ttl, self.ctx.now())

    def tick(self, job: Job) -> bool:
        """Run ``job`` once if this process holds the lease; True if it ran. Never raises: a failing
        sweep is logged and tried again on its next tick."""
        with self._lock:
            try:
                if not self.is_leader():
                    log.debug("%s: another scheduler holds the lease", job.name)
                    return False
                summary = job.run(self.ctx)
            except Exception:
                log.exception("%s: sweep failed; it runs again on the next tick", job.name)
                return False
        if summary:
            log.info("%s: %s", job.name, summary)
        else:
            log.debug("%s: nothing due", job.name)
        return True

    def _add_jobs(self, scheduler) -> None:
        for job in self.jobs:
            scheduler.add_job(
                self.tick,
                "interval",
                seconds=job.every_s,
                args=[job],
                id=job.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=datetime.now(UTC),  # the first tick at once: catching up on start
            )

    def start_background(self) -> BackgroundScheduler:
        """In-process, for the development server."""
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._add_jobs(self._scheduler)
        self._scheduler.start()
        return self._scheduler

    def run_blocking(self) -> None:
        """``ansinh scheduler``: the scheduler alone until interrupted (Ctrl-C, or SIGTERM from a service
        manager); then it lets the lease go, so a standby takes over at its next tick."""
        self._scheduler = BlockingScheduler(timezone="UTC")
        self._add_jobs(self._scheduler)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self._scheduler.shutdown(wait=False))
        names = ", ".join(f"{job.name} every {job.every_s:g}s" for job in self.jobs)
        log.info("scheduler %s started: %s", self.holder, names)
        try:
            self._scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()
            log.info("scheduler %s stopped", self.holder)

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        release_lease(self.ctx.db, LEASE, self.holder, self.ctx.now())


def start_background(
    ctx: EngineContext, interval_s: int = 30, jobs: Sequence[Job] | None = None
) -> BackgroundScheduler:
    """In-process scheduler for the development server (the engine's timers unless ``jobs`` is given)."""
    return Scheduler(ctx, jobs or [timer_job(interval_s)]).start_background()


def run_blocking(ctx: EngineContext, interval_s: int = 30, jobs: Sequence[Job] | None = None) -> None:
    """``ansinh scheduler``: the scheduler alone, until interrupted."""
    Scheduler(ctx, jobs or [timer_job(interval_s)]).run_blocking()
