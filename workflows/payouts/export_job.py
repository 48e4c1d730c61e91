"""Payout files built by a background job (``file_jobs``): the payment list (xlsx, csv), the returned
list and the monthly report. A large cycle's file takes longer to build than a request should hold a web
worker, so the page queues a job, whichever process claims it builds the file and keeps it for the one
who asked, and the page polls the job's row until the file is there."""

from __future__ import annotations

from engine import EngineContext

from .. import file_jobs, jobs
from . import files
from .report import monthly_report_xlsx

WHAT = ("list", "returned", "report")
FORMATS = {"list": ("xlsx", "csv"), "returned": ("xlsx", "csv"), "report": ("xlsx",)}


@file_jobs.builder("payout_export")
def _build(ctx: EngineContext, p: dict) -> bytes:
    cycle_id, fmt = p["cycle_id"], p["fmt"]
    if p["what"] == "list":
        make = files.payment_list_xlsx if fmt == "xlsx" else files.payment_list_csv
        return make(ctx, cycle_id, p.get("method"))
    if p["what"] == "returned":
        return (files.returned_list_xlsx if fmt == "xlsx" else files.returned_list_csv)(ctx, cycle_id)
    return monthly_report_xlsx(ctx, cycle_id, issuer_role=p.get("issuer") or "district_pc")


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
    payload = {"cycle_id": cycle_id, "what": what, "fmt": fmt, "method": method, "issuer": issuer}
    return file_jobs.queue_file(ctx, "payout_export", payload, filename, actor, f"cycle/{cycle_id}")


def export_job(ctx: EngineContext, job_id: int, cycle_id: int, actor: str) -> jobs.JobView | None:
    """The export job ``job_id`` if it is ``actor``'s file of ``cycle_id`` (None otherwise)."""
    job = file_jobs.file_job(ctx, job_id, actor)
    return job if job is not None and file_jobs.subject_of(job) == f"cycle/{cycle_id}" else None
