"""A provider's results file applied by a background job: checked and recorded in the request (a refused
file is said at once), then applied chunk by chunk by whichever process runs the job. The progress bar
reads the import's row, which every chunk's transaction advances."""

from __future__ import annotations

from engine import EngineContext

from .. import jobs
from .imports import ImportRefused, ImportReport, begin_import, import_results

KIND = "payout_import"


@jobs.kinds.register(KIND, permanent=(ImportRefused,))
def apply_results_file(ctx: EngineContext, job: jobs.RunningJob) -> dict[str, int]:
    """Resumes at the import's first uncommitted row when run again after a crash or a restart."""
    p = job.payload

    def heard(report: ImportReport) -> None:
        job.progress(report.rows_done, report.rows_total)

    report = import_results(
        ctx, p["cycle_id"], p["file_name"], job.content or b"", kind=p["kind"], actor=job.actor,
        chunk_rows=p["chunk_rows"], on_progress=heard,
    )  # fmt: skip
    return {"import_id": report.import_id, "applied": report.applied, "duplicates": report.duplicates,
            "refused": report.refused}  # fmt: skip


def queue_import(
    ctx: EngineContext,
    cycle_id: int,
    file_name: str,
    content: bytes,
    kind: str,
    actor: str | None,
    chunk_rows: int,
) -> ImportReport:
    """Check and record the import now (ImportRefused raises here), then queue applying it and have it
    start at once. A file imported before comes back with ``already_imported`` and queues nothing."""
    report = begin_import(ctx, cycle_id, file_name, content, kind, actor)
    if report.already_imported:
        return report
    payload = {"cycle_id": cycle_id, "file_name": file_name, "kind": kind, "chunk_rows": chunk_rows}
    job = jobs.enqueue(ctx, KIND, payload, actor=actor, content=content, key=import_job_key(report.import_id))
    if job.status == "failed":  # the same file again after its job gave up: try again
        jobs.requeue(ctx, job.id, content)
    jobs.start_soon(ctx)
    return report


def import_job_key(import_id: int) -> str:
    return f"{KIND}:{import_id}"


def import_job(ctx: EngineContext, import_id: int) -> jobs.JobView | None:
    """The job applying an import (None for cash results entered on screen, applied in the request)."""
    return jobs.find_job(ctx, import_job_key(import_id))
