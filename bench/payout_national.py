"""A national month: every commune's payout cycle for ``--n`` beneficiaries over ``--communes`` communes
(two-tier structure, one cycle per commune), on the database ``DATABASE_URL`` names (an empty
PostgreSQL database or schema; default a temporary SQLite file).

Setup (not timed in the total): provinces of the 2025 structure loaded until there are enough communes,
their demo agencies, bpmn/ deployed, and the beneficiaries inserted set-based in committed batches
(90 % paid by account, none failing: the failed-transfer path is bench/payout.py's).

Timed, for all cycles together: the month's lists generated (the scheduler's ``start_monthly_cycles``),
each cycle approved and funded, each provider's results file imported, cash recorded, payments closed,
reconciled and reported — by ``--workers`` processes sharing the cycles (as several job workers and
officers would), one by default. Prints one JSON object (the last line): seconds per phase (summed over
workers), the steps' wall time ``steps_wall_s``, ``total_s`` (lists + steps, wall), the CPU seconds per
phase of the bench's processes (``cpu_s``), the database server's (``database_backends_cpu_s``: the
connections still open at the end, so not those of the steps, whose contexts are closed by then) and the
load average at the end — on a shared machine wall time alone says little.

Usage: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \
       python bench/payout_national.py [--n 1000000] [--communes 700] [--workers 1]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself: its http.py would stand for the standard library's http in worker processes.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import engine  # noqa: E402
from workflows import payouts  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.demo import bulk  # noqa: E402
from workflows.demo.organisation import build_demo_organisation  # noqa: E402
from workflows.org import load_current_units  # noqa: E402
from workflows.org.models import Area  # noqa: E402
from workflows.payouts.models import PayoutLine  # noqa: E402

MONTH = date(2025, 9, 1)
# Provinces of the two-tier structure (official codes), largest first, until --communes are reached.
PROVINCES = ["01", "79", "38", "40", "33", "31", "24", "26", "04", "08", "11", "12", "14", "15", "19",
             "20", "22", "25", "42", "44", "45", "46", "48", "51", "52", "56", "66", "68", "75", "80",
             "82", "86", "91", "92", "96"]  # fmt: skip
BATCH = 50_000


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def setup(ctx, n: int, wanted: int) -> list[str]:
    communes: list[str] = []
    for code in PROVINCES:
        if len(communes) >= wanted:
            break
        with ctx.db.write() as session:
            try:
                load_current_units(session, code)
            except Exception as exc:  # a code this vietnam-provinces does not know: the next one
                print(f"province {code} skipped: {exc}", flush=True)
                session.rollback()
                continue
            build_demo_organisation(session, "2025", province_code=code)
            communes += list(
                session.scalars(
                    select(Area.code).where(Area.level == "commune", Area.parent_code == f"2025:{code}")
                    .order_by(Area.code)
                )
            )  # fmt: skip
    communes = communes[:wanted]
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    for start in range(1, n + 1, BATCH):  # one committed transaction per batch
        with ctx.db.transaction() as conn:
            bulk.add_beneficiaries(conn, communes, min(BATCH, n - start + 1), ctx.now(), start=start)
    return communes


def backend_cpu_s(ctx) -> float | None:
    """CPU seconds the PostgreSQL server processes serving this database spent so far (Linux /proc, a
    server on this machine); None elsewhere. Connections the pool closed meanwhile are not counted."""
    if ctx.db.dialect != "postgresql":
        return None
    with ctx.db.read() as session:
        ours = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = session.scalars(ours).all()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return round(total, 1)


def results_file(lines) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["Mã dòng", "Kết quả", "Lý do", "Mã giao dịch"])
    writer.writerows([line_id, "Đã chi", "", f"FT{line_id:09d}"] for line_id in lines)
    return out.getvalue().encode("utf-8-sig")


class Phases:
    """Wall and CPU seconds per phase, summed over calls."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def timed(self, name: str, work, *args):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = work(*args)
        self.wall[name] = round(self.wall.get(name, 0) + time.perf_counter() - began, 3)
        self.cpu[name] = round(self.cpu.get(name, 0) + time.process_time() - began_cpu, 3)
        return result

    def add(self, other: tuple[dict, dict]) -> None:
        for mine, theirs in zip((self.wall, self.cpu), other, strict=True):
            for name, seconds in theirs.items():
                mine[name] = round(mine.get(name, 0) + seconds, 3)


def run_cycles(url: str, ids: list[int]) -> tuple[dict, dict]:
    """Every step after the list, for ``ids``, the way officers, the treasury and the provider would:
    approve, fund, import the provider's file, record cash, close payments, reconcile, report. Runs in
    the main process, or in each worker process with its own context (``--workers``)."""
    ctx = bootstrap(url, clock=Clock(), upgrade=False)
    phases = Phases()
    timed = phases.timed
    for cycle_id in ids:
        timed("approve_s", payouts.do_step, ctx, cycle_id, "approve_list", {"decision": "approve"})
        total = payouts.get_cycle(ctx, cycle_id).total_amount
        form = {
            "transfer_reference": f"KB-{cycle_id}",
            "transfer_date": "2025-09-02",
            "transfer_amount": total,
        }
        timed("transfer_s", payouts.do_step, ctx, cycle_id, "confirm_transfer", form)
        with ctx.db.read() as session:
            rows = session.execute(
                select(PayoutLine.id, PayoutLine.method).where(PayoutLine.cycle_id == cycle_id)
            ).all()
        account = [i for i, method in rows if method == "account"]
        cash = [(i, "paid") for i, method in rows if method != "account"]
        content = results_file(account)
        timed("import_results_s", payouts.import_results, ctx, cycle_id, "kq.csv", content)
        if cash:
            timed("record_cash_s", payouts.record_cash, ctx, cycle_id, cash)
        timed("close_payments_s", payouts.do_step, ctx, cycle_id, "pay", {"results_recorded": True})
        timed("reconcile_s", payouts.do_step, ctx, cycle_id, "reconcile", {"returned_amount": 0})
        for bpmn_id in ("report_provider", "report_district_pc"):
            timed("report_steps_s",
                  payouts.do_step, ctx, cycle_id, bpmn_id, {"report_sent_on": "2025-09-09"})  # fmt: skip
    ctx.db.dispose()
    return phases.wall, phases.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="beneficiaries")
    parser.add_argument("--communes", type=int, default=700)
    parser.add_argument("--workers", type=int, default=1, help="processes doing the cycles' steps")
    args = parser.parse_args()
    phases = Phases()

    with tempfile.TemporaryDirectory(prefix="ansinh-bench-national-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        ctx = bootstrap(url, clock=Clock(), upgrade=True)
        began = time.perf_counter()
        communes = setup(ctx, args.n, args.communes)
        setup_s = round(time.perf_counter() - began, 1)
        print(f"setup: {len(communes)} communes, {args.n} beneficiaries in {setup_s} s", flush=True)

        started = phases.timed("generate_all_lists_s", payouts.start_monthly_cycles, ctx, MONTH)
        ids = [s.cycle_id for s in started]
        print(f"{len(ids)} cycles generated in {phases.wall['generate_all_lists_s']} s", flush=True)
        began = time.perf_counter()
        if args.workers == 1:
            phases.add(run_cycles(url, ids))
        else:
            shares = [ids[k :: args.workers] for k in range(args.workers)]
            with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
                for result in pool.starmap(run_cycles, [(url, share) for share in shares]):
                    phases.add(result)
        steps_s = round(time.perf_counter() - began, 1)
        print(f"steps of {len(ids)} cycles in {steps_s} s by {args.workers} worker(s)", flush=True)
        lines = sum(payouts.get_cycle(ctx, i).line_count for i in ids)
        closed = sum(payouts.get_cycle(ctx, i).status == "closed" for i in ids)
        database = ctx.db.dialect
        server_cpu = backend_cpu_s(ctx)
        ctx.db.dispose()
    print(json.dumps({
        "database": database, "beneficiaries": args.n, "communes": len(communes), "cycles": len(ids),
        "lines": lines, "cycles_closed": closed, "setup_s": setup_s, "workers": args.workers,
        **phases.wall, "steps_wall_s": steps_s,
        "total_s": round(phases.wall["generate_all_lists_s"] + steps_s, 1),
        "cpu_s": phases.cpu, "total_cpu_s": round(sum(phases.cpu.values()), 1),
        "database_backends_cpu_s": server_cpu, "load_average_at_end": os.getloadavg(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
