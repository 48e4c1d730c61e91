"""A province with beneficiaries to pay, and a driver that takes a payout cycle step by step through the
product's own functions (forms validated, books checked), with a fresh context for every step."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

import engine
from tests.workflows.conftest import Province, _province
from workflows import payouts
from workflows.demo import bulk
from workflows.payouts.views import CycleView

CITY = "2024:608"  # Thành phố Kon Tum
DAK_GLEI = "2024:610"
QUANG_TRUNG, DAK_CAM = "2024:23281", "2024:23311"  # communes of the city
DAK_GLEI_TOWN = "2024:23341"


@dataclass
class Payouts:
    """Drives payout cycles in a province."""

    province: Province

    @property
    def clock(self):
        return self.province.clock

    def ctx(self):
        return self.province.fresh()

    def add(self, count: int, communes=(QUANG_TRUNG, DAK_CAM), start: int = 1, **options) -> int:
        with self.ctx().db.transaction() as conn:
            return bulk.add_beneficiaries(conn, list(communes), count, self.clock(), start=start, **options)

    def at(self, year: int, month: int, day: int, hour: int = 2) -> None:
        self.clock.now = datetime(year, month, day, hour, tzinfo=UTC)

    def start(self, area: str = CITY, month: str = "2024-08", **options) -> int:
        return payouts.start_cycle(self.ctx(), area, month, **options).cycle_id

    def cycle(self, cycle_id: int) -> CycleView:
        return payouts.get_cycle(self.ctx(), cycle_id)

    def waiting(self, cycle_id: int) -> list[str]:
        instance = payouts.get_cycle(self.ctx(), cycle_id).instance_id
        return sorted(t.bpmn_id for t in engine.get_instance(self.ctx(), instance).open_tasks)

    def do(self, cycle_id: int, bpmn_id: str, form: dict):
        return payouts.do_step(self.ctx(), cycle_id, bpmn_id, form, user="officer")

    def lines(self, cycle_id: int, **filters):
        return payouts.list_lines(self.ctx(), cycle_id, limit=100_000, **filters)

    def approve_and_fund(self, cycle_id: int) -> None:
        self.do(cycle_id, "approve_list", {"decision": "approve"})
        total = self.cycle(cycle_id).total_amount
        self.do(
            cycle_id,
            "confirm_transfer",
            {"transfer_reference": "KB-0815", "transfer_date": "2024-08-02", "transfer_amount": total},
        )

    def import_account(
        self, cycle_id: int, fail=(), name: str = "ket-qua.csv", lines=None, reference: str = "GD", **options
    ):
        content = results_csv(lines or self.lines(cycle_id, method="account"), fail, reference)
        return payouts.import_results(self.ctx(), cycle_id, name, content, **options)

    def pay_cash(self, cycle_id: int, not_collected=(), status: str = "pending"):
        """Cash results for the cycle's cash lines (``status="cash_pending"``: failed transfers)."""
        lines = self.lines(cycle_id, status=status)
        cash = [line for line in lines if status == "cash_pending" or line.method != "account"]
        results = [(line.id, "not_collected" if line.id in not_collected else "paid") for line in cash]
        return payouts.record_cash(self.ctx(), cycle_id, results) if results else None

    def pay_all(self, cycle_id: int, fail=(), not_collected=()) -> None:
        """From a funded cycle to reconciled: every result recorded, the books balanced."""
        self.import_account(cycle_id, fail)
        self.pay_cash(cycle_id, not_collected)
        self.do(cycle_id, "pay", {"results_recorded": True})
        if self.waiting(cycle_id) == ["pay_fallback_cash"]:
            self.pay_cash(cycle_id, not_collected, status="cash_pending")
            self.do(cycle_id, "pay_fallback_cash", {"results_recorded": True})
        books = self.cycle(cycle_id).books
        self.do(cycle_id, "reconcile", reconcile_form(books.to_return))

    def close(self, cycle_id: int) -> None:
        for bpmn_id in ("report_provider", "report_district_pc"):
            self.do(cycle_id, bpmn_id, {"report_sent_on": "2024-08-09"})


def reconcile_form(returned: int) -> dict:
    form = {"returned_amount": returned}
    if returned:
        form |= {"return_reference": "HT-0820", "return_date": "2024-08-09"}
    return form


def results_csv(
    lines, fail=(), reference: str = "GD", header=("Mã dòng", "Kết quả", "Lý do", "Mã giao dịch")
):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for line in lines:
        failed = line.id in fail
        writer.writerow(
            [
                line.id,
                "Thất bại" if failed else "Đã chi",
                "Tài khoản bị khoá" if failed else "",
                f"{reference}{line.id}",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def pay(database_url):
    """Kon Tum (2024) in August 2024, its demo agencies, bpmn/ deployed; no beneficiary yet."""
    province = _province(database_url, "2024", datetime(2024, 8, 1, 2, 0, tzinfo=UTC))
    yield Payouts(province)
    for context in province.opened:
        context.db.dispose()


@pytest.fixture
def pay_2025(database_url):
    """Quảng Ngãi in the two-tier structure (cycles per commune), in August 2025."""
    province = _province(database_url, "2025", datetime(2025, 8, 1, 2, 0, tzinfo=UTC))
    yield Payouts(province)
    for context in province.opened:
        context.db.dispose()
