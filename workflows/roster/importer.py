"""Bringing an existing roll in: every valid row becomes a beneficiary record, an enrolment and a case at
the step that fits; every other row is reported. Rows go in batches, each one transaction that also
moves the import's progress, so a killed import resumes at its first unfinished batch and nobody is
created twice; a person already recorded (same CCCD, or same name, birth date and commune when there
is none) is never created again, and a difference from the record is reported, never written over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import EngineContext
from engine.batch import NewInstance, start_instances

from ..case.service import PROCESS
from ..deadlines import local_date
from .areas import roll_communes
from .matching import Batch, Outcome, sort_batch
from .models import RollImport, RollProblem
from .reader import Roll, open_roll
from .report import RollReport, report_of
from .rows import RollRow, RowInvalid, parse_row
from .writing import create_people

BATCH_ROWS = 1000
Progress = Callable[[RollReport], None]


def import_roll(
    ctx: EngineContext,
    file_name: str,
    content: bytes,
    *,
    actor: str | None = None,
    agency_code: str | None = None,
    batch_rows: int = BATCH_ROWS,
    on_progress: Progress | None = None,
) -> RollReport:
    """Import (or resume importing) a roll; returns its report. ``agency_code`` limits the rows to that
    agency's communes (None: the command line's operator, every commune). A file that cannot be read as
    a roll raises SpreadsheetInvalid before anything is written."""
    roll = open_roll(content)
    import_id = start_import(ctx, file_name, content, roll, actor, agency_code)
    return run_import(ctx, import_id, roll, batch_rows=batch_rows, on_progress=on_progress)


def start_import(
    ctx: EngineContext, file_name: str, content: bytes, roll: Roll, actor: str | None, agency_code: str | None
) -> int:
    """The unfinished import of this same file by the same agency, to resume; else a new one."""
    digest = hashlib.sha256(content).hexdigest()
    now = ctx.now()
    with ctx.db.write() as session:
        same_scope = (
            RollImport.scope_agency.is_(None)
            if agency_code is None
            else RollImport.scope_agency == agency_code
        )
        unfinished = session.scalar(
            select(RollImport.id)
            .where(RollImport.content_hash == digest, RollImport.status == "running", same_scope)
            .order_by(RollImport.id.desc())
            .limit(1)
        )
        if unfinished is not None:
            return unfinished
        row = RollImport(
            file_name=file_name[:200], content_hash=digest, content=content, actor=actor,
            scope_agency=agency_code, status="running", headers=roll.headers, rows_total=roll.total,
            rows_done=0, created=0, unchanged=0, differences=0, rejected=0, started_at=now, updated_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def resume_import(ctx: EngineContext, import_id: int, **options) -> RollReport:
    """Finish an import that stopped (the process was killed): from its stored file, where it stopped."""
    with ctx.db.read() as session:
        job = session.get(RollImport, import_id)
        if job is None:
            raise LookupError(f"no roll import {import_id}")
        if job.status == "done":
            return report_of(session, import_id)
        content = job.content
    return run_import(ctx, import_id, open_roll(content), **options)


def run_import(
    ctx: EngineContext,
    import_id: int,
    roll: Roll,
    *,
    batch_rows: int = BATCH_ROWS,
    on_progress: Progress | None = None,
) -> RollReport:
    with ctx.db.read() as session:
        job = session.get(RollImport, import_id)
        file_name, actor, agency, done = job.file_name, job.actor, job.scope_agency, job.rows_done
        if job.status == "done":
            return report_of(session, import_id)
        communes = roll_communes(session, agency, local_date(ctx.now()))
    today = local_date(ctx.now())
    seen: dict[tuple, int] = {}
    batch = Batch()
    for index, (number, values) in enumerate(roll.rows()):
        outcome = _check(roll, number, values, communes, today, seen)
        if index < done:
            continue  # committed before the import stopped; read again only to know its people
        batch.add(outcome)
        if len(batch) >= batch_rows:
            _commit(ctx, import_id, file_name, actor, batch, on_progress)
            batch = Batch()
    _commit(ctx, import_id, file_name, actor, batch, on_progress, last=True)
    with ctx.db.read() as session:
        return report_of(session, import_id)


def _check(
    roll: Roll, number: int, values: tuple, communes: dict[str, str], today: date, seen: dict[tuple, int]
) -> Outcome:
    cells = list(values)
    try:
        row = parse_row(roll.cells(values), communes, today)
    except RowInvalid as exc:
        return Outcome(number, cells, None, "rejected", exc.column, exc.reason)
    first = seen.setdefault(row.identity, number)
    if first != number:
        column, who = (
            ("Số CCCD", "Số CCCD") if row.cccd else ("Họ và tên", "Người (cùng họ tên, ngày sinh, xã)")
        )
        return Outcome(number, cells, None, "rejected", column, f"{who} trùng với dòng {first} của tệp.")
    return Outcome(number, cells, row)


def _commit(
    ctx: EngineContext, import_id: int, file_name: str, actor: str | None, batch: Batch,
    on_progress: Progress | None, last: bool = False,
) -> None:  # fmt: skip
    now = ctx.now()
    with ctx.db.transaction() as conn:
        with Session(bind=conn) as session:
            sort_batch(session, batch)
        new: list[Outcome] = batch.new
        people = create_people(conn, new, file_name, now)
        if people:
            starts = [
                NewInstance(code, row.area_code, _start_data(code, row), {"file": file_name, "row": number})
                for code, row, number in people
            ]
            start_instances(ctx, conn, PROCESS, starts, path_keys=("start_at",), actor=actor)
        problems = [
            {"import_id": import_id, "row_no": o.number, "kind": o.kind, "column": o.column,
             "reason": o.reason, "beneficiary_code": o.code, "cells": [_plain(v) for v in o.cells]}
            for o in batch.outcomes if o.kind in ("rejected", "difference")
        ]  # fmt: skip
        if problems:
            conn.execute(RollProblem.__table__.insert(), problems)
        counts = batch.counts()
        conn.execute(
            update(RollImport)
            .where(RollImport.id == import_id)
            .values(
                rows_done=RollImport.rows_done + len(batch),
                created=RollImport.created + counts["created"],
                unchanged=RollImport.unchanged + counts["unchanged"],
                differences=RollImport.differences + counts["difference"],
                rejected=RollImport.rejected + counts["rejected"],
                updated_at=now,
                **({"status": "done", "finished_at": now, "content": b""} if last else {}),
            )
        )
    if on_progress is not None:
        with ctx.db.read() as session:
            on_progress(report_of(session, import_id, problems=False))


def _start_data(code: str, row: RollRow) -> dict:
    start_at = "active_cashless" if row.method == "account" else "outreach"
    return {"beneficiary": code, "category_code": row.category_code, "start_at": start_at}


def _plain(value):
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value
