"""A roll imported by a background job: read and recorded in the request (a file that is not a roll is
refused at once), then imported batch by batch by whichever process runs the job; a job run again after a
crash resumes at the import's first uncommitted batch. The progress bar reads the import's own row."""

from __future__ import annotations

from engine import EngineContext
from engine.errors import ValidationError

from .. import jobs
from .importer import resume_import, start_import
from .reader import open_roll

KIND = "roll_import"


@jobs.kinds.register(KIND, permanent=(ValidationError, LookupError))
def run_roll_import(ctx: EngineContext, job: jobs.RunningJob) -> dict[str, int]:
    report = resume_import(
        ctx, job.payload["import_id"], on_progress=lambda r: job.progress(r.rows_done, r.rows_total)
    )
    return {"import_id": report.import_id, "created": report.created, "rejected": report.rejected}


def queue_roll_import(
    ctx: EngineContext, file_name: str, content: bytes, actor: str | None, agency_code: str | None
) -> int:
    """Check the file is a roll (SpreadsheetInvalid raises here), record the import, and queue it; the
    import's id. The same file, still unfinished, by the same agency, is the same import."""
    roll = open_roll(content)
    import_id = start_import(ctx, file_name, content, roll, actor, agency_code)
    job = jobs.enqueue(ctx, KIND, {"import_id": import_id}, actor=actor, key=job_key(import_id))
    if job.status == "failed":
        jobs.requeue(ctx, job.id)
    jobs.start_soon(ctx)
    return import_id


def job_key(import_id: int) -> str:
    return f"{KIND}:{import_id}"
