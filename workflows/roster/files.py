"""The roll's spreadsheets: the template (an example row, and the allowed values on a second sheet) and
the file of rejected rows (as uploaded, with an error column) to fix and upload again."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bulk.sheets import Column, save, write_table
from ..validators import load_providers
from .models import RollImport, RollProblem
from .rows import COLUMNS, category_choices

ERROR_HEADER = "Lỗi cần sửa"
EXAMPLE = (
    "Y Thị Hoa", date(1942, 5, 1), "Nữ", "062142000123", "23311", "Thôn 1", "elderly_80_plus_no_pension", "",
    "01/2022", "06/2024", "Tài khoản", "VBA", "5100205123456", "0912345678",
)  # fmt: skip
_KINDS = {
    "date_of_birth": "date",
    "cccd": "digits",
    "commune": "digits",
    "account": "digits",
    "phone": "digits",
}


def template_xlsx(commune_codes: list[tuple[str, str]] | None = None) -> bytes:
    """An empty roll to fill in; a second sheet with an example row (apart, so it is never imported) and a
    third listing every value a column accepts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    columns = [
        Column(key, header, width, _KINDS.get(key, "text"), entry=True) for key, header, width in COLUMNS
    ]
    write_table(sheet, columns, [])
    write_table(workbook.create_sheet("Ví dụ"), columns, [EXAMPLE])
    values = workbook.create_sheet("Giá trị hợp lệ")
    values.append(["Cột", "Giá trị", "Ý nghĩa"])
    for cell in values[1]:
        cell.font = Font(bold=True)
    rows = [
        ("Ngày sinh", "dd/mm/yyyy", "hoặc ô kiểu ngày"),
        ("Giới tính", "Nam", ""),
        ("Giới tính", "Nữ", ""),
        ("Số CCCD", "12 chữ số", "để trống nếu chưa có (hồ sơ sẽ qua bước cấp CCCD)"),
        ("Hưởng từ tháng", "mm/yyyy", "tháng đầu tiên được hưởng"),
        ("Đã nhận đến tháng", "mm/yyyy", "tháng cuối cùng đã chi trước khi dùng hệ thống; để trống nếu chưa"),
        ("Số con đang nuôi", "1–20", "chỉ cho người đơn thân nuôi con; để trống nếu khác"),
        ("Hình thức nhận", "Tiền mặt", ""),
        ("Hình thức nhận", "Tài khoản", "ghi cả Ngân hàng (hoặc Mobile Money, ví điện tử) và Số tài khoản"),
    ]
    rows += [("Mã đối tượng", code, name) for code, name in category_choices()]
    phone = "; số tài khoản là số điện thoại"
    rows += [
        ("Ngân hàng", bank.code, bank.label + ("" if bank.kind == "bank" else phone))
        for bank in load_providers().values()
    ]
    rows += [("Mã xã", code, name) for code, name in commune_codes or []]
    for row in rows:
        values.append(list(row))
    for letter, width in (("A", 20), ("B", 34), ("C", 90)):
        values.column_dimensions[letter].width = width
    return save(workbook)


def rejected_xlsx(session: Session, import_id: int) -> bytes:
    """The rejected rows as they were uploaded, the file's own header row, and the reason for each."""
    job = session.get(RollImport, import_id)
    if job is None:
        raise LookupError(f"no roll import {import_id}")
    problems = session.scalars(
        select(RollProblem)
        .where(RollProblem.import_id == import_id, RollProblem.kind == "rejected")
        .order_by(RollProblem.row_no)
    ).all()
    widths = {header: width for _, header, width in COLUMNS}
    columns = [Column(f"c{i}", h or "", widths.get(h, 14)) for i, h in enumerate(job.headers)]
    columns.append(Column("error", ERROR_HEADER, 70))
    width = len(job.headers)
    rows = [
        [*(list(p.cells) + [None] * width)[:width], f"Dòng {p.row_no}, cột «{p.column}»: {p.reason}"]
        for p in problems
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    write_table(sheet, columns, rows)
    return save(workbook)
