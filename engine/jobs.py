"""Durable background jobs: long work (imports, exports, reports) kept in the ``jobs`` table, run by
whichever process claims it first — a web worker, the scheduler, ``ansinh jobs work``.

A claim is a conditional UPDATE (queued and due, or running with a lapsed lease), so two processes never
run one job at once; the running job's progress renews its lease, so a job whose process died is
claimed again once the lease lapses and resumes (handlers are written to be run again: the payout
import resumes at its first uncommitted row). Progress lives in the row, so any process can show it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .context import EngineContext
from .errors import EngineError, NotFound
from .leases import new_holder
from .models import BackgroundJob

log = logging.getLogger("ansinh.jobs")
J = BackgroundJob.__table__
LEASE = timedelta(minutes=2)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class JobFailed(EngineError):
    """Raised by a handler for a failure that running again would not cure; its text is shown as is."""


class JobInterrupted(Exception):
    """The job's process is stopping, or it lost the job's lease: it goes back to the queue."""


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    key: str | None
    status: str
    actor: str | None
    attempts: int
    done: int
    total: int | None
    note: str | None
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def progress(self) -> float:
        if self.status == DONE:
            return 1.0
        return min(self.done / self.total, 1.0) if self.total else 0.0


Handler = Callable[[EngineContext, "RunningJob"], dict[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Handler
    max_attempts: int = 3
    permanent: tuple[type[BaseException], ...] = ()  # errors that fail the job at once (bad input)


class JobKinds:
    """The registry of job kinds, by name: what a queued job's ``kind`` runs."""

    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def register(self, name: str, max_attempts: int = 3, permanent: tuple[type[BaseException], ...] = ()):
        def add(run: Handler) -> Handler:
            self._kinds[name] = JobKind(name, run, max_attempts, (JobFailed, *permanent))
            return run

        return add

    def get(self, name: str) -> JobKind:
        if name not in self._kinds:
            raise NotFound(f"no job kind {name!r} is registered")
        return self._kinds[name]

    def names(self) -> list[str]:
        return sorted(self._kinds)


class RunningJob:
    """What a handler gets: the job's input, and ``progress`` to report (and keep its lease)."""

    def __init__(self, ctx: EngineContext, row, holder: str, ttl: timedelta, stop: threading.Event) -> None:
        self.ctx, self.holder, self.ttl, self._stop = ctx, holder, ttl, stop
        self.id: int = row.id
        self.kind: str = row.kind
        self.payload: dict[str, Any] = row.payload
        self.content: bytes | None = row.content
        self.actor: str | None = row.actor
        self.attempt: int = row.attempts

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Record how far the job is (committed at once) and renew its lease. Raises JobInterrupted if
        the process is stopping or the lease was lost; the handler stops there, at a committed point."""
        values: dict[str, Any] = {"done": done, "lease_until": self.ctx.now() + self.ttl}
        if total is not None:
            values["total"] = total
        if note is not None:
            values["note"] = note[:500]
        with self.ctx.db.transaction() as conn:
            held = conn.execute(update(J).where(_mine(self.id, self.holder)).values(**values)).rowcount
        if held != 1:
            raise JobInterrupted(f"job {self.id} was taken over by another process")
        if self._stop.is_set():
            raise JobInterrupted(f"job {self.id} is handed back: this process is stopping")


def enqueue(
    ctx: EngineContext,
    kinds: JobKinds,
    kind: str,
    payload: dict[str, Any],
    actor: str | None = None,
    content: bytes | None = None,
    key: str | None = None,
) -> JobView:
    """Queue a job of a registered ``kind``. With a ``key``, queuing the same key again returns the
    job already there (one job per import, say), whatever its state."""
    kinds.get(kind)
    now = ctx.now()
    row = {"kind": kind, "key": key, "payload": payload, "content": content, "actor": actor,
           "status": QUEUED, "attempts": 0, "done": 0, "available_at": now, "created_at": now}  # fmt: skip
    try:
        with ctx.db.transaction() as conn:
            job_id = conn.execute(insert(J).returning(J.c.id), row).scalar_one()
    except IntegrityError:
        if key is None:
            raise
        existing = find_job(ctx, key)
        if existing is None:
            raise
        return existing
    log.info("job %s %s queued by %s", job_id, kind, actor or "-")
    return get_job(ctx, job_id)


def requeue(ctx: EngineContext, job_id: int, content: bytes | None = None) -> JobView:
    """Run a failed job again from a fresh count of attempts (``content`` replaces its dropped input)."""
    values: dict[str, Any] = {"status": QUEUED, "attempts": 0, "available_at": ctx.now(), "finished_at": None}
    if content is not None:
        values["content"] = content
    with ctx.db.transaction() as conn:
        changed = conn.execute(
            update(J).where(J.c.id == job_id, J.c.status == FAILED).values(**values)
        ).rowcount
    if changed != 1:
        get_job(ctx, job_id)  # NotFound if it does not exist
        raise EngineError(f"job {job_id} has not failed: only a failed job is run again")
    log.info("job %s queued again", job_id)
    return get_job(ctx, job_id)


def get_job(ctx: EngineContext, job_id: int) -> JobView:
    with ctx.db.read() as session:
        row = session.execute(select(*_VIEW).where(J.c.id == job_id)).one_or_none()
    if row is None:
        raise NotFound(f"job {job_id} does not exist")
    return JobView(*row)


def find_job(ctx: EngineContext, key: str) -> JobView | None:
    with ctx.db.read() as session:
        row = session.execute(select(*_VIEW).where(J.c.key == key)).one_or_none()
    return None if row is None else JobView(*row)


def list_jobs(ctx: EngineContext, status: str | None = None, limit: int = 50) -> list[JobView]:
    """The newest jobs first (``status`` to see only queued, running, done or failed ones)."""
    query = select(*_VIEW).order_by(J.c.id.desc()).limit(limit)
    if status:
        query = query.where(J.c.status == status)
    with ctx.db.read() as session:
        return [JobView(*row) for row in session.execute(query)]


def claim(ctx: EngineContext, kinds: JobKinds, holder: str, ttl: timedelta = LEASE) -> Any | None:
    """Take the oldest claimable job (queued and due, or running with a lapsed lease), or None."""
    now = ctx.now()
    claimable = and_(
        J.c.kind.in_(kinds.names()),
        or_(
            and_(J.c.status == QUEUED, J.c.available_at <= now),
            and_(J.c.status == RUNNING, J.c.lease_until < now),
        ),
    )
    with ctx.db.transaction() as conn:
        ids = conn.execute(
            select(J.c.id).where(claimable).order_by(J.c.id).limit(5).with_for_update(skip_locked=True)
        ).scalars()
        for job_id in list(ids):
            taken = conn.execute(
                update(J)
                .where(J.c.id == job_id, claimable)
                .values(status=RUNNING, holder=holder, lease_until=now + ttl, attempts=J.c.attempts + 1,
                        started_at=func.coalesce(J.c.started_at, now))
            ).rowcount  # fmt: skip
            if taken == 1:
                return conn.execute(select(J).where(J.c.id == job_id)).one()
    return None


def run_one(
    ctx: EngineContext,
    kinds: JobKinds,
    holder: str | None = None,
    ttl: timedelta = LEASE,
    stop: threading.Event | None = None,
) -> JobView | None:
    """Claim one job and run it to its end (done, failed, back in the queue); None if none was due."""
    holder = holder or new_holder()
    row = claim(ctx, kinds, holder, ttl)
    if row is None:
        return None
    kind = kinds.get(row.kind)
    job = RunningJob(ctx, row, holder, ttl, stop or threading.Event())
    if job.attempt > kind.max_attempts:
        _finish(ctx, job, FAILED, note=f"stopped after {kind.max_attempts} attempts")
        log.error("job %s %s failed: stopped after %s attempts", job.id, job.kind, kind.max_attempts)
        return get_job(ctx, job.id)
    log.info("job %s %s started (attempt %s, %s)", job.id, job.kind, job.attempt, holder)
    began = time.monotonic()
    try:
        result = kind.run(ctx, job)
    except JobInterrupted as exc:
        _hand_back(ctx, job)
        log.info("job %s %s handed back: %s", job.id, job.kind, exc)
    except kind.permanent as exc:
        _finish(ctx, job, FAILED, note=str(exc))
        log.warning("job %s %s failed: %s", job.id, job.kind, exc)
    except Exception as exc:
        if job.attempt >= kind.max_attempts:
            _finish(ctx, job, FAILED, note=f"{type(exc).__name__}: {exc}")
            log.exception("job %s %s failed on its last attempt", job.id, job.kind)
        else:
            retry_at = ctx.now() + timedelta(seconds=10 * 2**job.attempt)
            _finish(ctx, job, QUEUED, note=f"{type(exc).__name__}: {exc}", available_at=retry_at)
            log.exception("job %s %s failed; tried again at %s", job.id, job.kind, f"{retry_at:%H:%M:%S}")
    else:
        _finish(ctx, job, DONE, result=result)
        log.info("job %s %s done in %.1f s", job.id, job.kind, time.monotonic() - began)
    return get_job(ctx, job.id)


def run_pending(ctx: EngineContext, kinds: JobKinds, stop: threading.Event | None = None) -> int:
    """Run jobs until none is due (the queue drained, as far as this process can see); how many ran."""
    holder, ran = new_holder(), 0
    while not (stop and stop.is_set()) and run_one(ctx, kinds, holder, stop=stop) is not None:
        ran += 1
    return ran


class JobWorker:
    """A thread that runs due jobs, polling every ``poll_s`` seconds or when woken (``wake``) by a
    request of its own process that just queued one. ``stop`` hands a running job back at its next
    progress report, so another process resumes it at once."""

    def __init__(
        self, ctx: EngineContext, kinds: JobKinds, poll_s: float = 2.0, ttl: timedelta = LEASE
    ) -> None:
        self.ctx, self.kinds, self.poll_s, self.ttl = ctx, kinds, poll_s, ttl
        self.holder = new_holder()
        self._stop, self._wake = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ansinh-jobs", daemon=True)

    def start(self) -> JobWorker:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = run_one(self.ctx, self.kinds, self.holder, self.ttl, self._stop)
            except Exception:  # the database away for a moment: say so, wait, try again
                log.exception("the job worker could not reach the queue; trying again")
                ran = None
            if ran is None:
                self._wake.wait(self.poll_s)
                self._wake.clear()


def drain_in_background(ctx: EngineContext, kinds: JobKinds) -> threading.Thread:
    """Start running due jobs now in a thread of this process, until none is left (for a process with
    no JobWorker of its own, such as a test app); if it dies, any worker resumes the job later."""
    thread = threading.Thread(target=run_pending, args=(ctx, kinds), name="ansinh-jobs-drain", daemon=True)
    thread.start()
    return thread


_VIEW = (J.c.id, J.c.kind, J.c.key, J.c.status, J.c.actor, J.c.attempts, J.c.done, J.c.total, J.c.note,
         J.c.result, J.c.created_at, J.c.started_at, J.c.finished_at)  # fmt: skip


def _mine(job_id: int, holder: str):
    return and_(J.c.id == job_id, J.c.holder == holder, J.c.status == RUNNING)


def _finish(ctx: EngineContext, job: RunningJob, status: str, note: str | None = None, result=None,
            available_at: datetime | None = None) -> None:  # fmt: skip
    values: dict[str, Any] = {"status": status, "holder": None, "lease_until": None}
    if note is not None:
        values["note"] = note[:500]
    if status in (DONE, FAILED):
        values |= {"finished_at": ctx.now(), "content": None, "result": result}
    if available_at is not None:
        values["available_at"] = available_at
    with ctx.db.transaction() as conn:
        conn.execute(update(J).where(_mine(job.id, job.holder)).values(**values))


def _hand_back(ctx: EngineContext, job: RunningJob) -> None:
    """Back to the queue without counting the attempt: stopping is not the job's fault."""
    with ctx.db.transaction() as conn:
        conn.execute(
            update(J)
            .where(_mine(job.id, job.holder))
            .values(status=QUEUED, holder=None, lease_until=None, attempts=J.c.attempts - 1)
        )
