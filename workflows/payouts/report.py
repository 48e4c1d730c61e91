"""The month's report (XLSX) in the usual Vietnamese administrative layout: the issuing agency and the
national motto, the title, totals by commune and by method with what was paid, turned into cash and
returned, the reconciliation to the đồng, and the signature block."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from engine import EngineContext

from ..deadlines.calendar import VIETNAM
from ..org import ancestors, resolve_agency
from .common import CASH_PAID, HELD, NOT_COLLECTED, PAID, RETURNED, month_label
from .models import PayoutLine
from .views import CycleView, cycle_view, grouped

L = PayoutLine.__table__
GROUPS = [
    ("Tổng số", lambda m, s, f: True),
    ("Qua tài khoản", lambda m, s, f: m == "account"),
    ("Tiền mặt tại điểm chi trả", lambda m, s, f: m == "cash_pay_point"),
    ("Tiền mặt tại nhà", lambda m, s, f: m == "cash_home"),
    ("Đã chi qua tài khoản", lambda m, s, f: s == PAID),
    ("Đã chi tiền mặt", lambda m, s, f: s == CASH_PAID),
    ("Chuyển khoản lỗi, chi tiền mặt", lambda m, s, f: f),
    ("Hoàn trả, chưa chi", lambda m, s, f: s in (RETURNED, NOT_COLLECTED, HELD)),
]
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def monthly_report_xlsx(ctx: EngineContext, cycle_id: int, issuer_role: str = "district_pc") -> bytes:
    today = ctx.now().astimezone(VIETNAM).date()
    with ctx.db.read() as session:
        conn = session.connection()
        cycle = cycle_view(conn, cycle_id)
        rows = grouped(
            conn, cycle_id, L.c.commune_code, L.c.method, L.c.status, L.c.fallback_method.is_not(None)
        )
        issuer, recipient, place = _parties(session, cycle, issuer_role, cycle.month)
    table: dict[str, list[int]] = defaultdict(lambda: [0] * (2 * len(GROUPS)))
    for (commune, method, status, fallback), total in rows.items():
        for index, (_, belongs) in enumerate(GROUPS):
            if belongs(method, status, fallback):
                table[commune][2 * index] += total.lines
                table[commune][2 * index + 1] += total.amount
    book = Workbook()
    sheet = book.active
    sheet.title = f"Báo cáo {month_label(cycle.month).replace('/', '-')}"
    width = 2 + 2 * len(GROUPS)
    _header(sheet, width, issuer, place, today, cycle, recipient)
    row = _table(sheet, 9, cycle, table)
    row = _reconciliation(sheet, row + 1, cycle)
    _signatures(sheet, row + 1, width)
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 24
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 9 if column % 2 else 15
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _parties(session: Session, cycle: CycleView, issuer_role: str, on: date) -> tuple[str, str, str]:
    """Who reports to whom: the agencies that played those roles in the cycle's month, for its programme
    (since 1/3/2025 a merit cycle reports to Home Affairs, a social-assistance one to Health)."""
    issuer = resolve_agency(session, issuer_role, cycle.area_code, on, cycle.programme).name
    recipient = resolve_agency(session, "dolisa", cycle.area_code, on, cycle.programme).name
    province = next((a for a in ancestors(session, cycle.area_code) if a.level == "province"), None)
    return issuer, recipient, province.name if province else ""


def _put(sheet, row: int, column: int, value, *, span: int = 1, bold=False, italic=False, align=None):
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font = Font(bold=bold, italic=italic, name="Times New Roman", size=12)
    cell.alignment = align or CENTER
    if span > 1:
        sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + span - 1)
    return cell


def _header(
    sheet, width: int, issuer: str, place: str, today: date, cycle: CycleView, recipient: str
) -> None:
    left = 5
    _put(sheet, 1, 1, issuer.upper(), span=left, bold=True)
    _put(sheet, 1, left + 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", span=width - left, bold=True)
    _put(sheet, 2, left + 1, "Độc lập - Tự do - Hạnh phúc", span=width - left, bold=True)
    when = f"{place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    _put(sheet, 3, left + 1, when, span=width - left, italic=True)
    title = "BÁO CÁO KẾT QUẢ CHI TRẢ TRỢ CẤP XÃ HỘI KHÔNG DÙNG TIỀN MẶT"
    _put(sheet, 5, 1, title, span=width, bold=True)
    _put(sheet, 6, 1, f"Tháng {cycle.month:%m} năm {cycle.month:%Y} — {cycle.area_name}", span=width)
    _put(sheet, 7, 1, f"Kính gửi: {recipient}", span=width, italic=True)


def _table(sheet, top: int, cycle: CycleView, table: dict[str, list[int]]) -> int:
    _put(sheet, top, 1, "STT").border = BOX
    _put(sheet, top, 2, "Xã, phường, thị trấn").border = BOX
    sheet.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    sheet.merge_cells(start_row=top, start_column=2, end_row=top + 1, end_column=2)
    for index, (label, _) in enumerate(GROUPS):
        column = 3 + 2 * index
        _put(sheet, top, column, label, span=2, bold=True).border = BOX
        _put(sheet, top + 1, column, "Số lượt").border = BOX
        _put(sheet, top + 1, column + 1, "Số tiền (đồng)").border = BOX
    row = top + 2
    totals = [0] * (2 * len(GROUPS))
    for number, (commune, values) in enumerate(sorted(table.items()), start=1):
        _line(sheet, row, number, cycle.commune_names.get(commune, commune), values)
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        row += 1
    _line(sheet, row, "", "Tổng cộng", totals, bold=True)
    return row + 1


def _line(sheet, row: int, number, name: str, values: list[int], bold: bool = False) -> None:
    left = Alignment(horizontal="left", vertical="center")
    _put(sheet, row, 1, number, bold=bold).border = BOX
    _put(sheet, row, 2, name, bold=bold, align=left).border = BOX
    for offset, value in enumerate(values):
        cell = _put(sheet, row, 3 + offset, value, bold=bold, align=Alignment(horizontal="right"))
        cell.border = BOX
        cell.number_format = "#,##0"


def _reconciliation(sheet, row: int, cycle: CycleView) -> int:
    books = cycle.books
    left = Alignment(horizontal="left")
    transfer = f" (chứng từ số {cycle.transfer_reference}" + (
        f", ngày {cycle.transfer_date:%d/%m/%Y})" if cycle.transfer_date else ")"
    )
    refund = ""
    if cycle.return_date:
        refund = f" (chứng từ số {cycle.return_reference}, ngày {cycle.return_date:%d/%m/%Y})"
    returned = books.to_return + books.returned
    difference = books.transferred - books.paid - returned
    lines = [
        f"Kinh phí Kho bạc Nhà nước đã chuyển: {_n(books.transferred)} đồng"
        + (transfer if cycle.transfer_reference else "")
        + ".",
        f"Đã chi trả: {_n(books.paid)} đồng (qua tài khoản {_n(books.paid_account)} đồng; "
        f"tiền mặt {_n(books.paid_cash)} đồng).",
        f"Hoàn trả Kho bạc Nhà nước: {_n(returned)} đồng{refund}.",
        f"Chênh lệch (kinh phí đã chuyển − đã chi − hoàn trả): {_n(difference)} đồng.",
        f"Mã kiểm tra danh sách đã duyệt (SHA-256): {cycle.list_hash or ''}",
    ]
    for text in lines:
        _put(sheet, row, 1, text, span=10, align=left)
        row += 1
    return row


def _n(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _signatures(sheet, row: int, width: int) -> None:
    thirds = [1, 1 + width // 3, 1 + 2 * width // 3]
    span = width // 3
    for column, (role, hint) in zip(
        thirds,
        [
            ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
            ("KẾ TOÁN", "(Ký, ghi rõ họ tên)"),
            ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"),
        ],
        strict=True,
    ):
        _put(sheet, row + 1, column, role, span=span, bold=True)
        _put(sheet, row + 2, column, hint, span=span, italic=True)
