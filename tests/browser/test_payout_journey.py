"""The provider's month in the browser: from the inbox to the cycle, cash results chosen on the page, then
a results file uploaded and followed by its progress bar (htmx polling) to the per-row report."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.web.demo_app import CITY, COMMUNE_A, COMMUNE_B
from tests.workflows.payouts.conftest import results_csv
from workflows import payouts
from workflows.demo import bulk
from workflows.payouts.common import money

pytestmark = pytest.mark.browser


def funded_cycle(app) -> int:
    ctx = app.extensions["ansinh"]
    with ctx.db.transaction() as conn:
        bulk.add_beneficiaries(conn, [COMMUNE_A, COMMUNE_B], 40, app.clock())
    cycle_id = payouts.start_cycle(ctx, CITY, "2024-03").cycle_id
    payouts.do_step(ctx, cycle_id, "approve_list", {"decision": "approve"})
    total = payouts.get_cycle(ctx, cycle_id).total_amount
    transfer = {"transfer_reference": "KB-0305", "transfer_date": "2024-03-05", "transfer_amount": total}
    payouts.do_step(ctx, cycle_id, "confirm_transfer", transfer)
    return cycle_id


def test_the_provider_records_cash_and_imports_transfer_results(page: Page, live_app, tmp_path):
    cycle_id = funded_cycle(live_app)
    live_app.config["PAYOUT_IMPORT_CHUNK_ROWS"] = 5
    log_in(page, "giang")
    page.locator("table.inbox tbody tr").filter(has_text="Chi trả (chuyển khoản, tiền mặt)").get_by_role(
        "link", name="Kỳ chi trả"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kỳ chi trả tháng 03/2024")
    page.select_option("select[name=method]", "cash_pay_point")  # htmx swaps the lines in
    expect(page.locator("#lines tbody tr")).to_have_count(4)
    page.get_by_role("button", name="Chọn «Đã chi» cho mọi dòng trên trang").click()
    page.get_by_role("button", name="Ghi nhận kết quả tiền mặt").click()
    cash = payouts.list_lines(live_app.extensions["ansinh"], cycle_id, method="cash_pay_point", limit=1000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận kết quả chi tiền mặt")
    expect(page.locator(".confirm-totals")).to_have_text(  # nothing recorded until confirmed
        f"Ghi «Đã chi» cho 4 dòng, tổng {money(sum(line.amount for line in cash))}."
    )
    assert {line.status for line in cash} == {"pending"}
    page.get_by_role("button", name="Xác nhận và ghi nhận").click()
    expect(page.locator("#import-status")).to_contain_text("4 dòng đã ghi nhận")

    lines = payouts.list_lines(live_app.extensions["ansinh"], cycle_id, method="account", limit=1000)
    results = tmp_path / "ket-qua.csv"
    results.write_bytes(results_csv(lines, fail={lines[0].id}))
    page.get_by_role("link", name="Nhập tệp khác").click()
    page.set_input_files("#file", str(results))
    page.get_by_role("button", name="Tải lên và xử lý").click()
    expect(page.locator("#import-status")).to_contain_text("Đã xử lý xong", timeout=10_000)
    expect(page.locator("#import-status .percent")).to_have_text("100 %")
    expect(page.locator("#import-status")).to_contain_text(f"{len(lines)} dòng đã ghi nhận")
    page.get_by_role("link", name="Kỳ chi trả tháng 03/2024").click()
    expect(page.locator(".books")).to_contain_text("Dòng chưa có kết quả")
