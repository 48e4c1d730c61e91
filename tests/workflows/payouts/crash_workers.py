"""What the crash tests run in a child process, armed to SIGKILL itself at one named point."""

from __future__ import annotations

from datetime import datetime

from workflows import payouts
from workflows.bootstrap import bootstrap
from workflows.payouts import faults


def _ctx(database_url: str, now: datetime):
    return bootstrap(database_url, clock=lambda: now)


def start_cycle(database_url: str, now: datetime, point: str, after: int, area: str, month: str) -> None:
    ctx = _ctx(database_url, now)
    faults.arm(point, after)
    payouts.start_cycle(ctx, area, month)


def import_file(
    database_url: str, now: datetime, point: str, after: int, cycle_id: int, content: bytes, chunk_rows: int
) -> None:
    ctx = _ctx(database_url, now)
    faults.arm(point, after)
    payouts.import_results(ctx, cycle_id, "ket-qua.csv", content, chunk_rows=chunk_rows)


def close_payments(database_url: str, now: datetime, point: str, after: int, cycle_id: int) -> None:
    ctx = _ctx(database_url, now)
    faults.arm(point, after)
    payouts.do_step(ctx, cycle_id, "pay", {"results_recorded": True})


def import_together(
    database_url: str, now: datetime, barrier, queue, cycle_id: int, name: str, content: bytes
):
    """Wait for the others, import one file, report (name, import id, applied, duplicates, refused)."""
    ctx = _ctx(database_url, now)
    try:
        barrier.wait(60)
        report = payouts.import_results(ctx, cycle_id, name, content, chunk_rows=7)
        queue.put((name, report.import_id, report.applied, report.duplicates, report.refused))
    except BaseException as exc:  # reported, so the parent does not wait forever
        queue.put((name, "error", repr(exc), 0, 0))
    finally:
        ctx.db.dispose()
