"""Applying payment results — a provider's file, or cash results entered on screen — exactly once.

An import is a row in ``payout_imports`` keyed by (cycle, kind, content hash), applied in chunks, each
chunk one transaction that also advances the import's ``rows_done``. So:
- the same file again is recognised and changes nothing;
- an overlapping file finds the lines it shares already paid, and reports those rows as duplicates;
- a crash (kill -9) mid-chunk rolls that chunk back, and importing the same file again resumes at the
  first row not committed — nothing lost, nothing applied twice;
- every line change is an UPDATE guarded by the status the decision saw, under the cycle's lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from sqlalchemy import BigInteger, Connection, String, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from engine import EngineContext
from engine.errors import Conflict
from engine.fastsql import FastStatement, copy_rows

from . import faults, ledger
from .models import PayoutImport, PayoutImportRow, PayoutLine
from .outcomes import (
    ACCOUNT,
    APPLIED,
    CASH,
    DUPLICATE,
    REFUSED,
    SKIPPED,
    Change,
    LineState,
    ResultRow,
    decide,
)
from .results_file import ImportRefused, parse

IMP, IR, L = PayoutImport.__table__, PayoutImportRow.__table__, PayoutLine.__table__
CHUNK_ROWS = 5000
_PHASES = {ACCOUNT: ("funded",), CASH: ("funded", "fallback")}
# Run on the unit of work's DBAPI cursor: SQLAlchemy's per-row parameter handling cost more than SQLite.
_SET_RESULT = FastStatement(
    update(L)
    .where(L.c.id == bindparam("b_id"), L.c.status == bindparam("b_expected"))
    .values(
        status=bindparam("b_status"),
        transaction_ref=func.coalesce(bindparam("b_ref", type_=String), L.c.transaction_ref),
        failure_reason=func.coalesce(bindparam("b_reason", type_=String), L.c.failure_reason),
        import_id=bindparam("b_import"),
        result_at=bindparam("b_at", type_=L.c.result_at.type),
    )
)


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    cycle_id: int
    kind: str
    file_name: str
    status: str  # processing | done
    rows_total: int
    rows_done: int
    applied: int
    duplicates: int
    refused: int
    already_imported: bool = False  # this very file had been imported before: nothing happened now
    skipped: int = 0  # rows with no result yet (the rest of the rows done)

    @property
    def progress(self) -> float:
        return 1.0 if not self.rows_total else self.rows_done / self.rows_total


def import_results(
    ctx: EngineContext,
    cycle_id: int,
    file_name: str,
    content: bytes,
    kind: str = ACCOUNT,
    actor: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Apply a results file (CSV or XLSX) of ``kind`` ``"account"`` (transfers: paid / failed) or
    ``"cash"`` (paid / not collected). Raises ImportRefused (Vietnamese) if the file or the cycle's
    step does not allow it; row problems are reported per row instead. ``on_progress`` hears of each
    chunk committed (a page's progress bar can also poll ``get_import`` or ``list_imports``)."""
    if kind not in _PHASES:
        raise ValueError(f"unknown result kind {kind!r}")
    rows = parse(file_name, content)
    digest = hashlib.sha256(content).hexdigest()
    return _run(ctx, cycle_id, kind, file_name, digest, rows, actor, chunk_rows, on_progress)


def record_cash(
    ctx: EngineContext,
    cycle_id: int,
    results: Sequence[tuple[int, str] | tuple[int, str, str | None]],
    actor: str | None = None,
) -> ImportReport:
    """Cash results entered on screen: (line id, "paid" | "not_collected"[, note]) each."""
    rows = [
        ResultRow(i, line_id=int(entry[0]), result=entry[1], reason=(entry[2] if len(entry) > 2 else None))
        for i, entry in enumerate(results, start=1)
    ]
    return _run(ctx, cycle_id, CASH, "Ghi nhận trên màn hình", uuid4().hex, rows, actor, CHUNK_ROWS)


def begin_import(
    ctx: EngineContext,
    cycle_id: int,
    file_name: str,
    content: bytes,
    kind: str = ACCOUNT,
    actor: str | None = None,
) -> ImportReport:
    """Check a results file and record its import, applying nothing yet (a background job applies it
    with ``import_results``). Raises ImportRefused if the file or the cycle's step does not allow it;
    a file imported before comes back with ``already_imported``."""
    if kind not in _PHASES:
        raise ValueError(f"unknown result kind {kind!r}")
    rows = parse(file_name, content)
    batch_id = _begin(ctx, cycle_id, kind, file_name, hashlib.sha256(content).hexdigest(), rows, actor)
    if isinstance(batch_id, ImportReport):
        return batch_id
    return get_import(ctx, batch_id)


def _begin(ctx, cycle_id, kind, file_name, digest, rows, actor) -> int | ImportReport:
    """The import's row (created, or found to resume); the report itself if that file was done before."""
    with ctx.db.transaction() as conn:
        batch = _open_batch(conn, ctx.now(), cycle_id, kind, file_name, digest, rows, actor)
    return batch if isinstance(batch, ImportReport) else batch.id


def _open_batch(conn: Connection, now: datetime, cycle_id, kind, file_name, digest, rows, actor):
    """Under the cycle's lock: the import's row, found (to resume) or created, with the lines of people
    who exited held first; the report itself if that file was done before."""
    cycle = ledger.lock_cycle(conn, cycle_id)
    batch = conn.execute(
        select(IMP).where(IMP.c.cycle_id == cycle_id, IMP.c.kind == kind, IMP.c.content_hash == digest)
    ).one_or_none()
    if batch is not None and batch.status == "done":
        return _report(batch, already=True)
    _check_phase(cycle, kind)
    if batch is None:
        batch = conn.execute(
            insert(IMP).returning(*IMP.c),
            {
                "cycle_id": cycle_id, "kind": kind, "file_name": file_name[:200], "content_hash": digest,
                "status": "processing", "rows_total": len(rows), "rows_done": 0, "applied": 0,
                "duplicates": 0, "refused": 0, "actor": actor, "started_at": now,
            },
        ).one()  # fmt: skip
    ledger.hold_exited(conn, cycle_id, now)
    return batch


def _run(ctx, cycle_id, kind, file_name, digest, rows, actor, chunk_rows, on_progress=None) -> ImportReport:
    """Apply ``rows`` a chunk a transaction; the first also finds or records the import, each records
    how far it got, and the last one's report is the answer."""
    batch_id = None
    while True:
        with ctx.db.transaction() as conn:
            if batch_id is None:
                batch = _open_batch(conn, ctx.now(), cycle_id, kind, file_name, digest, rows, actor)
                if isinstance(batch, ImportReport):
                    return batch
            else:
                _check_phase(ledger.lock_cycle(conn, cycle_id), kind)
                batch = conn.execute(select(IMP).where(IMP.c.id == batch_id)).one()
            if batch.status == "done":  # finished meanwhile by another import of the same file
                return _report(batch)
            batch_id = batch.id
            part = rows[batch.rows_done : batch.rows_done + chunk_rows]
            counts = _apply(conn, cycle_id, kind, batch_id, part, ctx.now())
            done = batch.rows_done + len(part)
            finished = done >= len(rows)
            progress = conn.execute(
                update(IMP)
                .where(IMP.c.id == batch_id, IMP.c.rows_done == batch.rows_done)
                .values(
                    rows_done=done,
                    applied=IMP.c.applied + counts[APPLIED],
                    duplicates=IMP.c.duplicates + counts[DUPLICATE],
                    refused=IMP.c.refused + counts[REFUSED],
                    status="done" if finished else "processing",
                    finished_at=ctx.now() if finished else None,
                )
                .returning(*IMP.c)
            ).one_or_none()
            if progress is None:
                raise Conflict(f"import {batch_id} was applied meanwhile by another; import the file again")
            faults.checkpoint("import.before_commit")
        faults.checkpoint("import.after_commit")
        if on_progress is not None:
            on_progress(_report(progress))
        if finished:
            return _report(progress)


def _check_phase(cycle, kind: str) -> None:
    if cycle.status in _PHASES[kind]:
        return
    if cycle.status in ("draft", "approved"):
        raise ImportRefused("Kho bạc chưa chuyển kinh phí cho kỳ này: chưa nhận kết quả chi trả.")
    if kind == ACCOUNT and cycle.status in ("fallback", "paid"):
        raise ImportRefused("Kỳ chi trả đã qua bước chuyển khoản: không nhận thêm kết quả chuyển khoản.")
    raise ImportRefused("Kỳ chi trả đã chi xong hoặc đã quyết toán: không nhận thêm kết quả.")


def _apply(
    conn: Connection, cycle_id: int, kind: str, batch_id: int, rows: list[ResultRow], at: datetime
) -> dict[str, int]:
    lines = _line_states(conn, cycle_id, rows)
    outcomes, changes = decide(kind, rows, lines)
    if changes:
        merged = _merge(changes)
        if _set_results(conn, merged, batch_id, at) != len(merged):
            raise Conflict(f"lines of cycle {cycle_id} changed during the import; import the file again")
    copy_rows(
        conn,
        IR,
        [
            {
                "import_id": batch_id,
                "row_no": o.row_no,
                "line_ids": ",".join(map(str, o.line_ids))[:100] or None,
                "outcome": o.outcome,
                "message": o.message[:300],
            }
            for o in outcomes
        ],
    )
    counts = {APPLIED: 0, DUPLICATE: 0, REFUSED: 0, SKIPPED: 0}
    for outcome in outcomes:
        counts[outcome.outcome] += 1
    return counts


def _merge(changes: list[Change]) -> list[Change]:
    """One change per line: a line changed twice in a chunk (not collected, then paid) goes from the
    status first seen to the last one, keeping the last reference and reason given (as two updates
    in a row would)."""
    merged: dict[int, Change] = {}
    for c in changes:
        before = merged.get(c.line_id)
        if before is not None:
            c = Change(c.line_id, before.expected, c.status, c.reference or before.reference,
                       c.reason or before.reason)  # fmt: skip
        merged[c.line_id] = c
    return list(merged.values())


def _set_results(conn: Connection, changes: list[Change], batch_id: int, at: datetime) -> int:
    """Apply the changes, each guarded by the status it was decided on; returns how many applied.
    On PostgreSQL one UPDATE joined to the changes as arrays; elsewhere one statement per line."""
    if conn.dialect.name != "postgresql":
        params = [
            {
                "b_id": c.line_id, "b_expected": c.expected, "b_status": c.status, "b_ref": c.reference,
                "b_reason": c.reason, "b_import": batch_id, "b_at": at,
            }
            for c in changes
        ]  # fmt: skip
        return _SET_RESULT.run_many(conn, params)
    text = ARRAY(String)
    given = func.unnest(
        bindparam("ids", type_=ARRAY(BigInteger)), bindparam("expected", type_=text),
        bindparam("statuses", type_=text), bindparam("refs", type_=text), bindparam("reasons", type_=text),
    ).table_valued("id", "expected", "status", "ref", "reason").render_derived("given")  # fmt: skip
    statement = (
        update(L)
        .where(L.c.id == given.c.id, L.c.status == given.c.expected)
        .values(
            status=given.c.status,
            transaction_ref=func.coalesce(given.c.ref, L.c.transaction_ref),
            failure_reason=func.coalesce(given.c.reason, L.c.failure_reason),
            import_id=batch_id,
            result_at=at,
        )
    )
    values = {
        "ids": [c.line_id for c in changes], "expected": [c.expected for c in changes],
        "statuses": [c.status for c in changes], "refs": [c.reference for c in changes],
        "reasons": [c.reason for c in changes],
    }  # fmt: skip
    return conn.execute(statement, values).rowcount


def _line_states(conn: Connection, cycle_id: int, rows: list[ResultRow]) -> dict[int, LineState]:
    """The lines a chunk names, by id or by CCCD. By id, the primary key is used and lines of another
    cycle are dropped here (given the cycle too, SQLite would scan the cycle's index instead)."""
    ids = sorted({r.line_id for r in rows if r.line_id is not None})
    cccds = sorted({r.cccd for r in rows if r.cccd})
    columns = (L.c.id, L.c.beneficiary_code, L.c.beneficiary_cccd, L.c.recipient_cccd, L.c.method, L.c.status,
               L.c.transaction_ref, L.c.amount)  # fmt: skip
    found = {}
    if ids:
        query = select(L.c.cycle_id, *columns).where(L.c.id.in_(ids))
        found |= {row.id: LineState(*row[1:]) for row in conn.execute(query) if row.cycle_id == cycle_id}
    if cccds:
        query = select(*columns).where(
            L.c.cycle_id == cycle_id, or_(L.c.beneficiary_cccd.in_(cccds), L.c.recipient_cccd.in_(cccds))
        )
        found |= {row.id: LineState(*row) for row in conn.execute(query) if row.id not in found}
    return found


def _report(batch, already: bool = False) -> ImportReport:
    return ImportReport(
        import_id=batch.id,
        cycle_id=batch.cycle_id,
        kind=batch.kind,
        file_name=batch.file_name,
        status=batch.status,
        rows_total=batch.rows_total,
        rows_done=batch.rows_done,
        applied=batch.applied,
        duplicates=batch.duplicates,
        refused=batch.refused,
        already_imported=already,
        skipped=batch.rows_done - batch.applied - batch.duplicates - batch.refused,
    )


def get_import(ctx: EngineContext, import_id: int) -> ImportReport:
    """An import as it stands (for a progress bar: ``rows_done`` of ``rows_total``)."""
    with ctx.db.read() as session:
        batch = session.execute(select(IMP).where(IMP.c.id == import_id)).one_or_none()
        if batch is None:
            raise LookupError(f"import {import_id} does not exist")
        return _report(batch)


def list_imports(ctx: EngineContext, cycle_id: int) -> list[ImportReport]:
    """A cycle's imports, newest first (one still ``processing`` was interrupted, or is running)."""
    with ctx.db.read() as session:
        rows = session.execute(select(IMP).where(IMP.c.cycle_id == cycle_id).order_by(IMP.c.id.desc()))
        return [_report(row) for row in rows]


def import_rows(
    ctx: EngineContext,
    import_id: int,
    outcomes: Sequence[str] | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[tuple[int, str | None, str, str]]:
    """The per-row report: (row number, line ids, outcome, Vietnamese message), in file order."""
    query = select(IR.c.row_no, IR.c.line_ids, IR.c.outcome, IR.c.message).where(IR.c.import_id == import_id)
    if outcomes:
        query = query.where(IR.c.outcome.in_(outcomes))
    with ctx.db.read() as session:
        return [tuple(r) for r in session.execute(query.order_by(IR.c.row_no).limit(limit).offset(offset))]


__all__ = [
    "ImportRefused",
    "begin_import",
    "ImportReport",
    "get_import",
    "import_results",
    "import_rows",
    "list_imports",
    "record_cash",
]
