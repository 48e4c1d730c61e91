"""Files built by a background job for the one who asked: a dashboard table's xlsx, a month's report,
a roll import's rejected rows. A large file takes longer to build than a request should hold a web
worker, so the page queues a job naming a *builder* and what it needs, whichever process claims the job
builds the file and keeps it for the asker (``downloads``, a day), and the page polls the job's row until
the file is there. Run again after a crash or a restart, the job builds the file again from the start
(it writes nothing else).

A builder is a function of (ctx, payload) returning the file's bytes, registered by name::

    @builder("roll_rejected")
    def _rejected(ctx, p):
        return rejected_file(ctx, p["import_id"], p["agency"])

The caller checks that the asker may have the file before queueing it; the builder checks it again
with what the payload names (an agency's scope), so a job never builds more than its asker may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from engine import EngineContext
from engine.errors import NotFound

from . import jobs
from .downloads import keep_file

KIND = "file_export"
Builder = Callable[[EngineContext, dict[str, Any]], bytes]
_builders: dict[str, Builder] = {}


def builder(name: str) -> Callable[[Builder], Builder]:
    def add(build: Builder) -> Builder:
        _builders[name] = build
        return build

    return add


@jobs.kinds.register(KIND, permanent=(NotFound, LookupError, ValueError))
def build_file(ctx: EngineContext, job: jobs.RunningJob) -> dict:
    build = _builders.get(job.payload["builder"])
    if build is None:
        raise LookupError(f"no file builder {job.payload['builder']!r} in this process")
    job.progress(0, 1)
    content = build(ctx, job.payload)
    with ctx.db.write() as session:
        token = keep_file(session, job.actor or "", job.payload["filename"], content, ctx.now())
    return {"token": token, "filename": job.payload["filename"], "bytes": len(content)}


def queue_file(
    ctx: EngineContext, build: str, payload: dict[str, Any], filename: str, actor: str, subject: str
) -> jobs.JobView:
    """Queue building ``filename`` for ``actor`` with the builder ``build`` and have it start at once.
    ``subject`` names what the file is of (``dashboard/<area>``, ``roll/12``), for the page to link back
    to (``subject_of``)."""
    if build not in _builders:
        raise ValueError(f"no file builder {build!r}")
    payload = {**payload, "builder": build, "filename": filename}
    job = jobs.enqueue(ctx, KIND, payload, actor=actor, key=f"{KIND}:{subject}:{uuid4().hex}")
    jobs.start_soon(ctx)
    return job


def file_job(ctx: EngineContext, job_id: int, actor: str) -> jobs.JobView | None:
    """The file job ``job_id`` if ``actor`` asked for it (None otherwise)."""
    try:
        job = jobs.get_job(ctx, job_id)
    except NotFound:
        return None
    return job if job.kind == KIND and job.actor == actor else None


def subject_of(job: jobs.JobView) -> str:
    """What ``queue_file`` was told the file is of."""
    key = job.key or ""
    return key[len(KIND) + 1 : key.rfind(":")]
