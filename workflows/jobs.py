"""The product's background jobs: the registry of job kinds, and the engine's job queue bound to it.

A kind is a function of (ctx, job) registered here by name, like a service-task handler:

    @kinds.register("roll_import", permanent=(RollRefused,))
    def run_roll_import(ctx, job):           # job.payload (JSON), job.content (bytes), job.actor
        for done in ...:
            job.progress(done, total)        # committed; renews the lease; may raise JobInterrupted
        return {"rows": n}                   # kept as the job's result

    job = enqueue(ctx, "roll_import", {"area": "62"}, actor="an", content=data, key="roll:<hash>")
    start_soon(ctx)                          # run it now in this process (any worker resumes it)
    get_job(ctx, job.id).progress            # read from the database, by any process

A handler runs again from the start after a crash or a restart, so it must resume (skip what its
committed work already did). Workers: every web worker under ``ansinh serve``, the scheduler process,
and ``ansinh jobs work``.
"""

from __future__ import annotations

from typing import Any

from engine import EngineContext
from engine import jobs as queue
from engine.jobs import JobFailed, JobInterrupted, JobKinds, JobView, RunningJob, find_job, get_job, list_jobs

kinds = JobKinds()
WORKER = "ansinh_jobs"  # where a process keeps its JobWorker, in ctx.extensions


def enqueue(
    ctx: EngineContext,
    kind: str,
    payload: dict[str, Any],
    actor: str | None = None,
    content: bytes | None = None,
    key: str | None = None,
) -> JobView:
    """Queue a job of a kind registered in ``kinds`` (see the module's docstring)."""
    return queue.enqueue(ctx, kinds, kind, payload, actor=actor, content=content, key=key)


def requeue(ctx: EngineContext, job_id: int, content: bytes | None = None) -> JobView:
    """Run a failed job again (``content`` gives back an input dropped when it failed)."""
    return queue.requeue(ctx, job_id, content)


def start_soon(ctx: EngineContext) -> None:
    """Have the queued jobs run now: wake this process's worker, or drain the queue in a thread."""
    worker = ctx.extensions.get(WORKER)
    if worker is not None:
        worker.wake()
    else:
        queue.drain_in_background(ctx, kinds)


def run_pending(ctx: EngineContext) -> int:
    """Run every due job here and now (the CLI, tests); how many ran."""
    return queue.run_pending(ctx, kinds)


def start_worker(ctx: EngineContext, poll_s: float = 2.0) -> queue.JobWorker:
    """A worker thread for this process (web worker, scheduler), kept where ``start_soon`` finds it."""
    worker = queue.JobWorker(ctx, kinds, poll_s=poll_s).start()
    ctx.extensions[WORKER] = worker
    return worker


def stop_worker(ctx: EngineContext) -> None:
    """Stop this process's worker and forget it, so ``start_soon`` drains in a thread from then on."""
    worker = ctx.extensions.pop(WORKER, None)
    if worker is not None:
        worker.stop()


__all__ = [
    "JobFailed",
    "JobInterrupted",
    "JobView",
    "RunningJob",
    "enqueue",
    "find_job",
    "get_job",
    "kinds",
    "list_jobs",
    "requeue",
    "run_pending",
    "start_soon",
    "start_worker",
    "stop_worker",
]
