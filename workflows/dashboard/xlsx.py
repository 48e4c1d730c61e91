"""A figure's numbers as a workbook: a title, what it covers, one header row, the rows. Labels come in
already translated (the page's language); numbers stay numbers so they can be added up in Excel."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Sheet = tuple[str, str, Sequence[str], Sequence[Sequence]]  # title, subtitle, columns, rows


def table_xlsx(title: str, subtitle: str, columns: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    return workbook_xlsx([(title, subtitle, columns, rows)])


def workbook_xlsx(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    for index, (title, subtitle, columns, rows) in enumerate(sheets):
        _sheet(book.active if index == 0 else book.create_sheet(), title, subtitle, columns, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet, title: str, subtitle: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    sheet.title = "".join(c for c in title if c not in "/\\?*[]:")[:31]
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=subtitle).font = Font(italic=True)
    for column, label in enumerate(columns, start=1):
        cell = sheet.cell(row=4, column=column, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = 34 if column == 1 else 16
    for index, row in enumerate(rows, start=5):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=index, column=column, value=value)
            if isinstance(value, int):
                cell.number_format = "#,##0"
            elif isinstance(value, float):
                cell.number_format = "0.0"
    sheet.freeze_panes = "B5"
