"""The roll pages' face: each function opens its own unit of work and checks that the import belongs to
the asking agency (commune and district labour staff see only their own office's imports)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from engine import EngineContext
from engine.errors import NotFound

from .. import file_jobs, jobs
from ..deadlines import local_date
from ..org.models import Area
from .areas import roll_communes
from .files import rejected_xlsx, template_xlsx
from .job import job_key
from .models import RollImport
from .report import RollReport, report_of

SHOWN_PROBLEMS = 200


@dataclass(frozen=True)
class ImportLine:
    import_id: int
    file_name: str
    status: str
    rows_total: int
    created: int
    rejected: int
    differences: int
    started_at: datetime


def agency_template(ctx: EngineContext, agency_code: str | None) -> bytes:
    """The template, listing the communes this agency may name among the allowed values."""
    with ctx.db.read() as session:
        communes = roll_communes(session, agency_code, local_date(ctx.now()))
        names = dict(session.execute(select(Area.code, Area.kind + " " + Area.name).where(
            Area.code.in_(communes.values()))).all())  # fmt: skip
    return template_xlsx(sorted((official, names.get(key, "")) for official, key in communes.items()))


def list_imports(ctx: EngineContext, agency_code: str, limit: int = 20) -> list[ImportLine]:
    with ctx.db.read() as session:
        mine = select(RollImport).where(RollImport.scope_agency == agency_code)
        rows = session.scalars(mine.order_by(RollImport.id.desc()).limit(limit))
        return [
            ImportLine(
                r.id, r.file_name, r.status, r.rows_total, r.created, r.rejected, r.differences, r.started_at
            )
            for r in rows
        ]


def import_report(ctx: EngineContext, import_id: int, agency_code: str | None) -> RollReport:
    """The report with its first rejected and differing rows; NotFound for another agency's import. An
    import whose job gave up says so (the rows it committed stay; the same file again resumes it)."""
    with ctx.db.read() as session:
        _own(session, import_id, agency_code)
        report = report_of(session, import_id, limit=SHOWN_PROBLEMS)
    if report.status == "running":
        job = jobs.find_job(ctx, job_key(import_id))
        if job is not None and job.status == "failed":
            return replace(report, status="failed", error=job.note)
    return report


def rejected_file(ctx: EngineContext, import_id: int, agency_code: str | None) -> bytes:
    with ctx.db.read() as session:
        _own(session, import_id, agency_code)
        return rejected_xlsx(session, import_id)


def _own(session, import_id: int, agency_code: str | None) -> None:
    owner = session.execute(select(RollImport.scope_agency).where(RollImport.id == import_id)).first()
    if owner is None or (agency_code is not None and owner[0] != agency_code):
        raise NotFound(f"no roll import {import_id}")


@file_jobs.builder("roll_rejected")
def _rejected_job(ctx: EngineContext, p: dict) -> bytes:
    """The rejected rows' file as a background job (``file_jobs``), for an office's own import."""
    return rejected_file(ctx, p["import_id"], p["agency"])
