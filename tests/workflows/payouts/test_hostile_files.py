"""Results files that are wrong or damaged: wrong amounts are refused row by row with the reason, an xlsx
whose <dimension> lies is read to its last row, and a damaged sheet or an over-long CSV field refuses the
file whole with one Vietnamese sentence (nothing stored)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from workflows import payouts
from workflows.payouts.models import PayoutImport

from .test_imports import funded  # noqa: F401  (fixture)


def test_a_row_whose_amount_is_not_its_lines_amount_is_refused_with_the_reason(funded):  # noqa: F811
    pay, cycle_id = funded
    lines = pay.lines(cycle_id, method="account")
    thousands = f"{lines[0].amount:,}".replace(",", ".")
    amounts = ["1", "99999999", "-500000", "0", "abc"]
    amounts += [f"{lines[5].amount:,}".replace(",", "."), f"{lines[6].amount} đ", ""]
    body = "".join(f"{line.id};đã chi;{amount}\n" for line, amount in zip(lines, amounts, strict=False))
    content = ("Mã dòng;Kết quả;Số tiền (đồng)\n" + body).encode()
    report = payouts.import_results(pay.ctx(), cycle_id, "so-tien.csv", content)
    rows = payouts.import_rows(pay.ctx(), report.import_id)
    messages = {row_no: message for row_no, _, _, message in rows}
    assert (report.applied, report.refused) == (3, 5)
    assert messages[2] == f"Số tiền 1 đồng khác số tiền của dòng ({thousands} đồng); không ghi nhận."
    assert messages[3].startswith("Số tiền 99.999.999 đồng khác số tiền của dòng")
    assert messages[4] == "Số tiền «-500000» phải lớn hơn 0."
    assert messages[5] == "Số tiền «0» phải lớn hơn 0."
    assert messages[6] == "Số tiền «abc» không hợp lệ."
    paid = {line.id for line in pay.lines(cycle_id, status="paid")}
    assert paid == {lines[5].id, lines[6].id, lines[7].id}


def _results_xlsx(lines, dimension: str | None = None, broken_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã dòng", "Kết quả", "Số tiền (đồng)"])
    for line in lines:
        sheet.append([line.id, "Đã chi", line.amount])
    buffer = io.BytesIO()
    book.save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if dimension:
                    data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data)
                if broken_sheet:
                    data = data[: len(data) // 2] + b"<<not xml"
            target.writestr(item, data)
    return out.getvalue()


def test_an_xlsx_with_a_stale_dimension_is_read_to_its_last_row(funded):  # noqa: F811
    pay, cycle_id = funded
    lines = pay.lines(cycle_id, method="account")
    content = _results_xlsx(lines, dimension="A1:C3")  # claims two rows; nine are there
    report = payouts.import_results(pay.ctx(), cycle_id, "ket-qua.xlsx", content)
    assert (report.rows_total, report.applied) == (9, 9)
    assert len(pay.lines(cycle_id, status="paid")) == 9


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_damaged_file_is_refused_whole_and_nothing_is_stored(funded, kind):  # noqa: F811
    pay, cycle_id = funded
    lines = pay.lines(cycle_id, method="account")
    if kind == "xlsx":
        content, expected = _results_xlsx(lines, broken_sheet=True), "tệp bị hỏng"
    else:
        content = f'Mã dòng,Kết quả,Lý do\n{lines[0].id},đã chi,"{"x" * 200_000}"\n'.encode()
        expected = "Dòng 2 của tệp CSV không đọc được"
    with pytest.raises(payouts.ImportRefused, match=expected):
        payouts.import_results(pay.ctx(), cycle_id, f"hong.{kind}", content)
    with pay.ctx().db.read() as session:
        assert session.query(PayoutImport).count() == 0
    assert pay.lines(cycle_id, status="paid") == []
