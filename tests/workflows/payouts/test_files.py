"""Files that leave the system: the provider's payment list (CSV and XLSX), the treasury's returned-funds
list and the month's report in the usual Vietnamese layout."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from workflows.payouts import files, report
from workflows.payouts.files import PAYMENT_HEADER

from .conftest import reconcile_form


def _closed_cycle(pay, count=10):
    pay.add(count)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    account = pay.lines(cycle_id, method="account")
    cash = [line for line in pay.lines(cycle_id) if line.method != "account"]
    pay.import_account(cycle_id, fail={account[0].id})
    pay.pay_cash(cycle_id, not_collected={cash[0].id})
    pay.do(cycle_id, "pay", {"results_recorded": True})
    pay.pay_cash(cycle_id, status="cash_pending")
    pay.do(cycle_id, "pay_fallback_cash", {"results_recorded": True})
    pay.do(cycle_id, "reconcile", reconcile_form(cash[0].amount))
    pay.close(cycle_id)
    return cycle_id, account, cash


def _cells(content: bytes) -> list[list]:
    """The non-empty cells of each non-empty row."""
    sheet = load_workbook(io.BytesIO(content)).active
    rows = ([v for v in row if v is not None] for row in sheet.iter_rows(values_only=True))
    return [row for row in rows if row]


def test_the_payment_list_as_csv_and_xlsx(pay):
    pay.add(10)
    cycle_id = pay.start()
    pay.do(cycle_id, "approve_list", {"decision": "approve"})
    rows = list(csv.reader(io.StringIO(files.payment_list_csv(pay.ctx(), cycle_id).decode("utf-8-sig"))))
    assert rows[0] == PAYMENT_HEADER and len(rows) == 11
    guardian = next(row for row in rows if row[1] == "BN1000001")
    assert guardian[7:14] == [
        "Chuyển khoản",
        "Người giám hộ",
        "Người Giám Hộ 1",
        guardian[10],
        "Tài khoản ngân hàng",
        "VBA",
        "51100000001",
    ]
    assert guardian[14] == "750000" and guardian[15:] == ["", "", ""]
    account_only = files.payment_list_csv(pay.ctx(), cycle_id, method="account").decode("utf-8-sig")
    assert len(account_only.strip().splitlines()) == 10
    cells = _cells(files.payment_list_xlsx(pay.ctx(), cycle_id))
    cycle = pay.cycle(cycle_id)
    assert cells[0] == ["DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI THÁNG 08/2024"]
    assert cells[1] == ["Địa bàn: Thành phố Kon Tum — Kỳ chi trả PAY-2024:608-2024-08"]
    assert cells[2] == [f"Mã kiểm tra danh sách đã duyệt (SHA-256): {cycle.list_hash}"]
    assert cells[3] == PAYMENT_HEADER and len(cells) == 14
    sheet = load_workbook(io.BytesIO(files.payment_list_xlsx(pay.ctx(), cycle_id))).active
    assert sum(sheet.cell(row, 15).value for row in range(6, 16)) == cycle.total_amount
    assert sheet.cell(6, 15).number_format == "#,##0" and sheet.cell(5, 1).font.b


def test_the_returned_funds_list_for_the_treasury(pay):
    cycle_id, _, cash = _closed_cycle(pay)
    rows = list(csv.reader(io.StringIO(files.returned_list_csv(pay.ctx(), cycle_id).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Số tiền (đồng)", "Lý do hoàn trả"]
    assert rows[1][1:3] == [str(cash[0].id), cash[0].beneficiary_code]
    assert (
        rows[1][-1] == "Không nhận tiền" and rows[-1][3] == "Tổng cộng" and rows[-1][7] == str(cash[0].amount)
    )
    cells = _cells(files.returned_list_xlsx(pay.ctx(), cycle_id))
    assert cells[0] == ["DANH SÁCH KINH PHÍ HOÀN TRẢ KHO BẠC NHÀ NƯỚC THÁNG 08/2024"]
    assert cells[-1] == ["Tổng cộng", cash[0].amount]


def test_the_monthly_report_in_the_usual_layout(pay):
    cycle_id, account, cash = _closed_cycle(pay, count=20)
    cycle = pay.cycle(cycle_id)
    cells = _cells(report.monthly_report_xlsx(pay.ctx(), cycle_id))
    assert cells[0] == ["UBND THÀNH PHỐ KON TUM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert cells[1] == ["Độc lập - Tự do - Hạnh phúc"]
    assert cells[2] == ["Kon Tum, ngày 01 tháng 08 năm 2024"]
    assert cells[3] == ["BÁO CÁO KẾT QUẢ CHI TRẢ TRỢ CẤP XÃ HỘI KHÔNG DÙNG TIỀN MẶT"]
    assert cells[4] == ["Tháng 08 năm 2024 — Thành phố Kon Tum"]
    assert cells[5] == ["Kính gửi: Sở LĐTBXH tỉnh Kon Tum"]
    communes = [row for row in cells if row and isinstance(row[0], int)]
    assert [row[1] for row in communes] == ["Phường Quang Trung", "Xã Đắk Cấm"]
    (total,) = [row for row in cells if row and row[0] == "Tổng cộng"]
    books = cycle.books
    assert total[1:] == [
        20, cycle.total_amount,
        18, cycle.by_method["account"].amount,
        2, cycle.by_method["cash_pay_point"].amount,
        0, 0,
        17, books.paid_account,
        2, books.paid_cash,
        1, account[0].amount,
        1, cash[0].amount,
    ]  # fmt: skip
    assert ["Chênh lệch (kinh phí đã chuyển − đã chi − hoàn trả): 0 đồng."] in cells
    assert cash[0].amount == 500_000
    assert ["Hoàn trả Kho bạc Nhà nước: 500.000 đồng (chứng từ số HT-0820, ngày 09/08/2024)."] in cells
    assert cells[-2] == ["NGƯỜI LẬP BIỂU", "KẾ TOÁN", "THỦ TRƯỞNG ĐƠN VỊ"]
    assert cells[-1] == ["(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"]
    provider = _cells(report.monthly_report_xlsx(pay.ctx(), cycle_id, issuer_role="provider"))
    assert provider[0][0] == "BƯU ĐIỆN THÀNH PHỐ KON TUM"


def test_mobile_money_and_e_wallets_are_paid_by_account_and_named_in_the_list(pay):
    from workflows.payouts.payees import payees

    from .test_entitled import set_record

    pay.add(3)
    set_record(pay, "BN1000002", bank_code="MOMO", account_number="0912345678")
    set_record(pay, "BN1000003", bank_code="VIETTELMONEY", account_number="0987654321")
    cycle_id = pay.start()
    pay.do(cycle_id, "approve_list", {"decision": "approve"})
    rows = list(csv.reader(io.StringIO(files.payment_list_csv(pay.ctx(), cycle_id).decode("utf-8-sig"))))
    kinds = {row[1]: (row[7], row[11], row[12], row[13]) for row in rows[1:]}
    assert kinds["BN1000002"] == ("Chuyển khoản", "Ví điện tử", "MOMO", "0912345678")
    assert kinds["BN1000003"] == ("Chuyển khoản", "Mobile Money", "VIETTELMONEY", "0987654321")
    assert kinds["BN1000001"][1:3] == ("Tài khoản ngân hàng", "VBA")
    shown = {p.beneficiary_code: p for p in payees(pay.ctx(), cycle_id)}
    wallet = shown["BN1000002"]
    assert (wallet.method, wallet.account_kind, wallet.provider, wallet.account) == (
        "account",
        "ewallet",
        "Ví điện tử MoMo",
        "******5678",
    )
    assert shown["BN1000003"].provider == "Mobile Money Viettel Money"
