"""One full monthly payout cycle of a district on SQLite, phase by phase.

Setup (not in the total): the Kon Tum 2024 tree and agencies, ``--n`` active beneficiaries inserted
set-based over Kon Tum city's 20 communes (90 % paid by account), and, for the beneficiaries whose
transfer will fail, a case waiting for ``payout_failed``. Those cases are cloned from one real case
driven through its forms to that wait state (task ids renewed per clone): taking thousands of cases
through six forms each is the onboarding, not the payout, and would dominate the run.

The cycle (the total): the list generated, approved (hashed), funded; the payment list exported (CSV
and XLSX); the provider's results imported (and the same file again); cash recorded; the payment step
closed, failed transfers turned into cash lines and each failing beneficiary's case stepped once;
the fallback cash recorded; reconciliation; the monthly report, the returned-funds list and both
report steps.

Prints one JSON object (the last line): seconds per phase (``*_s``) and ``total_s``.
Usage: python bench/payout.py [--n 100000] [--failure-rate 0.03]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine.models import Instance, MessageSubscription  # noqa: E402
from engine.serialization import pack_state, unpack_state  # noqa: E402
from workflows import cases, payouts  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.demo import bulk  # noqa: E402
from workflows.demo.organisation import build_demo_organisation  # noqa: E402
from workflows.org import load_area_file  # noqa: E402
from workflows.org.models import Area  # noqa: E402
from workflows.payouts import files, report  # noqa: E402
from workflows.tasks import submit_task  # noqa: E402

CITY = "2024:608"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 8, 1, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def template_case(ctx) -> int:
    """One real case, through its forms, to "active, cashless" (waiting for payout_failed)."""
    step = cases.open_case(ctx, "TEMPLATE", "2024:23341", "Y Thị Hoa", "elderly_80_plus_no_pension")
    forms = [
        ("outreach", {"contact_date": "2024-07-01", "channel": "home_visit", "outcome": "agrees"}),
        ("register", {"full_name": "Y Thị Hoa", "date_of_birth": "1950-05-01", "gender": "female",
                      "cccd": "062150999999", "village": "Thôn 1",
                      "category_code": "elderly_80_plus_no_pension", "method": "existing_account",
                      "bank_code": "VCB", "account_number": "0123456789", "consent": True}),
        ("review", {"decision": "approve"}),
        ("police_check", {"result": "matched"}),
        ("open_account", {"account_outcome": "verified", "bank_code": "VCB", "account_number": "0123456789"}),
        ("issue_card", {"card_issued_on": "2024-07-10", "guidance_given": True}),
    ]  # fmt: skip
    for bpmn_id, form in forms:
        (task,) = [t for t in engine.get_instance(ctx, step.instance_id).open_tasks if t.bpmn_id == bpmn_id]
        submit_task(ctx, task.id, form)
    return step.instance_id


def clone_cases(ctx, template_id: int, codes: list[str]) -> None:
    with ctx.db.transaction() as conn:
        row = conn.execute(select(Instance).where(Instance.id == template_id)).one()
        names = (
            conn.execute(
                select(MessageSubscription.message_name).where(MessageSubscription.instance_id == template_id)
            )
            .scalars()
            .all()
        )
        state = unpack_state(row.state)
        copied = ("process_version_id", "process_key", "area_code", "status", "serializer_version", "version",
                  "started_at", "updated_at")  # fmt: skip
        base = {column: getattr(row, column) for column in copied}
        for code in codes:
            text = renew_task_ids(state)
            new_id = conn.execute(
                insert(Instance).returning(Instance.id),
                {**base, "business_key": code, "state": pack_state(text)},
            ).scalar_one()
            conn.execute(
                insert(MessageSubscription),
                [{"instance_id": new_id, "message_name": n, "correlation_key": code} for n in names],
            )


def renew_task_ids(state: str) -> str:
    """The same workflow state with every task id replaced by a fresh one (each consistently)."""
    fresh: dict[str, str] = {}
    return UUID.sub(lambda m: fresh.setdefault(m.group(0), str(uuid.uuid4())), state)


def results_file(lines, failing: set[str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["Mã dòng", "Kết quả", "Lý do", "Mã giao dịch"])
    for line_id, code in lines:
        failed = code in failing
        writer.writerow([line_id, "Thất bại" if failed else "Đã chi", "Tài khoản bị khoá" if failed else "",
                         "" if failed else f"FT{line_id:09d}"])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="beneficiaries in the district")
    parser.add_argument("--failure-rate", type=float, default=0.03)
    args = parser.parse_args()
    figures: dict[str, float | int] = {"beneficiaries": args.n, "failure_rate": args.failure_rate}
    phases: dict[str, float] = {}

    def timed(name: str, work):
        began = time.perf_counter()
        result = work()
        phases[name] = round(time.perf_counter() - began, 3)
        return result

    with tempfile.TemporaryDirectory(prefix="ansinh-bench-payout-") as folder:
        clock = Clock()
        ctx = bootstrap(f"sqlite:///{folder}/bench.db", clock=clock, upgrade=True)
        began = time.perf_counter()
        with ctx.db.write() as session:
            load_area_file(session)
            build_demo_organisation(session, "2024")
            communes = list(
                session.scalars(select(Area.code).where(Area.parent_code == CITY).order_by(Area.code))
            )
        engine.deploy_paths(ctx, [ROOT / "bpmn"])
        with ctx.db.transaction() as conn:
            bulk.add_beneficiaries(conn, communes, args.n, clock())
        figures["setup_beneficiaries_s"] = round(time.perf_counter() - began, 3)
        account = [n for n in range(1, args.n + 1) if n % 10 and n % 50]
        step = max(1, round(1 / args.failure_rate)) if args.failure_rate else 0
        failing = {f"BN{1_000_000 + n}" for n in account[::step]} if step else set()
        began = time.perf_counter()
        clone_cases(ctx, template_case(ctx), sorted(failing))
        figures["setup_cases_s"] = round(time.perf_counter() - began, 3)

        cycle_id = timed("generate_s", lambda: payouts.start_cycle(ctx, CITY, "2024-08").cycle_id)
        cycle = payouts.get_cycle(ctx, cycle_id)
        figures |= {"lines": cycle.line_count, "total_amount": cycle.total_amount}
        timed("approve_s", lambda: payouts.do_step(ctx, cycle_id, "approve_list", {"decision": "approve"}))
        transfer = {
            "transfer_reference": "KB-1",
            "transfer_date": "2024-08-01",
            "transfer_amount": cycle.total_amount,
        }
        timed("transfer_s", lambda: payouts.do_step(ctx, cycle_id, "confirm_transfer", transfer))
        timed("export_list_csv_s", lambda: files.payment_list_csv(ctx, cycle_id))
        xlsx = timed("export_list_xlsx_s", lambda: files.payment_list_xlsx(ctx, cycle_id))
        figures["list_xlsx_bytes"] = len(xlsx)
        with ctx.db.read() as session:
            lines = session.execute(
                select(payouts.models.PayoutLine.id, payouts.models.PayoutLine.beneficiary_code).where(
                    payouts.models.PayoutLine.cycle_id == cycle_id,
                    payouts.models.PayoutLine.method == "account",
                )
            ).all()
            cash = (
                session.execute(
                    select(payouts.models.PayoutLine.id).where(
                        payouts.models.PayoutLine.cycle_id == cycle_id,
                        payouts.models.PayoutLine.method != "account",
                    )
                )
                .scalars()
                .all()
            )
        content = results_file(lines, failing)  # the provider's work: not in the total
        imported = timed("import_results_s", lambda: payouts.import_results(ctx, cycle_id, "kq.csv", content))
        again = timed(
            "import_same_file_again_s", lambda: payouts.import_results(ctx, cycle_id, "kq.csv", content)
        )
        assert imported.applied == len(lines) and again.already_imported
        timed("record_cash_s", lambda: payouts.record_cash(ctx, cycle_id, [(i, "paid") for i in cash]))
        done = timed("close_payments_and_tell_cases_s",
                     lambda: payouts.do_step(ctx, cycle_id, "pay", {"results_recorded": True}))  # fmt: skip
        figures["cases_stepped"] = done.notices.delivered
        fallback = [line.id for line in payouts.list_lines(ctx, cycle_id, status="cash_pending", limit=10**7)]
        timed("fallback_cash_s", lambda: (
            payouts.record_cash(ctx, cycle_id, [(i, "paid") for i in fallback]),
            payouts.do_step(ctx, cycle_id, "pay_fallback_cash", {"results_recorded": True}),
        ))  # fmt: skip
        timed("reconcile_s", lambda: payouts.do_step(ctx, cycle_id, "reconcile", {"returned_amount": 0}))

        def reports():
            report.monthly_report_xlsx(ctx, cycle_id)
            files.returned_list_xlsx(ctx, cycle_id)
            for bpmn_id in ("report_provider", "report_district_pc"):
                payouts.do_step(ctx, cycle_id, bpmn_id, {"report_sent_on": "2024-08-09"})

        timed("reports_s", reports)
        final = payouts.get_cycle(ctx, cycle_id)
        assert final.status == "closed" and final.books.paid == final.total_amount
        figures["failed_transfers"] = final.books.fallback_lines
        ctx.db.dispose()
    figures |= phases
    figures["total_s"] = round(sum(phases.values()), 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
