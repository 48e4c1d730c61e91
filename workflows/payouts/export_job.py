"""Payout files built by a background job: the payment list (xlsx, csv), the returned list and the
monthly report. A large cycle's file takes longer to build than a request should hold a web worker, so
the page queues a job, whichever process claims it builds the file and keeps it for the one who asked
(``downloads``, a day), and the page polls the job's row until the file is there. Run again after a
crash or a restart, the job builds the file again from the start (it writes nothing else)."""

from __future__ import annotations

from uuid import uuid4

from engine import EngineContext
from engine.errors import NotFound

from .. import jobs
from ..downloads import keep_file
from . import files
from .report import monthly_report_xlsx

KIND = "payout_export"
WHAT = ("list", "returned", "report")
FORMATS = {"list": ("xlsx", "csv"), "returned": ("xlsx", "csv"), "report": ("xlsx",)}


def _build(ctx: EngineContext, p: dict) -> bytes:
    cycle_id, fmt = p["cycle_id"], p["fmt"]
    if p["what"] == "list":
        make = files.payment_list_xlsx if fmt == "xlsx" else files.payment_list_csv
        return make(ctx, cycle_id, p.get("method"))
    if p["what"] == "returned":
        return (files.returned_list_xlsx if fmt == "xlsx" else files.returned_list_csv)(ctx, cycle_id)
    return monthly_report_xlsx(ctx, cycle_id, issuer_role=p.get("issuer") or "district_pc")


@jobs.kinds.register(KIND, permanent=(NotFound, LookupError, ValueError))
def build_export(ctx: EngineContext, job: jobs.RunningJob) -> dict:
    job.progress(0, 1)
    content = _build(ctx, job.payload)
    with ctx.db.write() as session:
        token = keep_file(session, job.actor or "", job.payload["filename"], content, ctx.now())
    return {"token": token, "filename": job.payload["filename"], "bytes": len(content)}


def queue_export(
    ctx: EngineContext,
    cycle_id: int,
    what: str,
    fmt: str,
    filename: str,
    actor: str,
    method: str | None = None,
    issuer: str | None = None,
) -> jobs.JobView:
    """Queue building a cycle's file for ``actor`` and have it start at once; the caller has checked
    that ``actor`` may have it."""
    if what not in WHAT or fmt not in FORMATS[what]:
        raise ValueError(f"no {what}.{fmt} export")
    payload = {"cycle_id": cycle_id, "what": what, "fmt": fmt, "filename": filename, "method": method,
               "issuer": issuer}  # fmt: skip
    job = jobs.enqueue(ctx, KIND, payload, actor=actor, key=f"{KIND}:{cycle_id}:{uuid4().hex}")
    jobs.start_soon(ctx)
    return job


def export_job(ctx: EngineContext, job_id: int, cycle_id: int, actor: str) -> jobs.JobView | None:
    """The export job ``job_id`` if it is ``actor``'s file of ``cycle_id`` (None otherwise)."""
    try:
        job = jobs.get_job(ctx, job_id)
    except NotFound:
        return None
    mine = job.actor == actor and (job.key or "").startswith(f"{KIND}:{cycle_id}:")
    return job if mine else None
