"""Spreadsheets in and out of bulk work: writing a list with Vietnamese headers, and reading one back by
its headers (whatever order, extra columns or a title row above), with cells turned into form input."""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from engine.errors import ValidationError

from ..validators import fold_diacritics

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # a title or a note may sit above the header row
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # where the officer types
DATE_FORMAT = "dd/mm/yyyy"
_DAY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


class SpreadsheetInvalid(ValidationError):
    """The upload cannot be read as the expected list; the message (Vietnamese) says what is wrong."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    kind: str = "text"  # text | date | digits
    entry: bool = False  # typed in by the officer (highlighted; read back on import)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetRow:
    number: int  # as Excel shows it
    values: tuple[Any, ...]  # every cell of the row as uploaded, for the results file
    cells: dict[str, Any]  # by column key, for the columns we know


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[SheetRow]


def write_table(ws: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """Headers, then rows; frozen header row, widths, dates as dd/mm/yyyy, digit strings kept as text."""
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    count = 0
    for row in rows:
        ws.append(list(row))
        count += 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        for (cell,) in ws.iter_rows(min_row=2, max_row=count + 1, min_col=index, max_col=index):
            if column.kind == "date":
                cell.number_format = DATE_FORMAT
            elif column.kind == "digits":
                cell.number_format = "@"
            if column.entry:
                cell.fill = INPUT_FILL
    ws.row_dimensions[1].height = 32
    return count


def save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_table(data: bytes, columns: Sequence[Column], required: Sequence[str], sheet: str) -> Table:
    """The rows of the first sheet (``sheet`` first) whose header row names our columns.

    Raises SpreadsheetInvalid — before anything is done with the rows — when the bytes are not an xlsx
    workbook, when a required column is missing, or when there are too many rows.
    """
    workbook = _open(data)
    try:
        return _read_table(workbook, columns, required, sheet)
    except SpreadsheetInvalid:
        raise
    except Exception:  # a damaged sheet inside a valid zip (ParseError), a missing part, …
        raise SpreadsheetInvalid.single(
            "Không đọc được trang tính trong tệp Excel (.xlsx): tệp bị hỏng. Hãy mở tệp bằng Excel, lưu lại "
            "rồi tải lên lại."
        ) from None
    finally:
        workbook.close()


def _read_table(workbook, columns: Sequence[Column], required: Sequence[str], sheet: str) -> Table:
    for ws in workbook.worksheets:
        ws.reset_dimensions()  # read every row that is there, whatever a stale <dimension> claims
    sheets = sorted(workbook.worksheets, key=lambda ws: ws.title != sheet)
    found, first_headers = None, None
    for ws in sheets:
        lines = ws.iter_rows(values_only=True)
        head = [next(lines, None) for _ in range(HEADER_SEARCH_ROWS)]
        for offset, values in enumerate(head):
            keys = _keys(values or (), columns)
            first_headers = first_headers or [v for v in values or () if v not in (None, "")]
            if all(any(k in keys.values() for k in alts.split("|")) for alts in required):
                found = (ws, offset + 1, list(values), keys)
                break
        if found:
            break
    if found is None:
        raise SpreadsheetInvalid.single(_missing(columns, required, first_headers or []))
    ws, header_row, headers, keys = found
    rows = []
    for number, values in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetInvalid.single(f"Tệp có hơn {MAX_ROWS:,} dòng; hãy chia thành nhiều tệp.")
        cells = {key: values[i] for i, key in keys.items() if i < len(values)}
        rows.append(SheetRow(number, tuple(values), cells))
    return Table([("" if h is None else str(h)) for h in headers], rows)


def _open(data: bytes):
    if not data:
        raise SpreadsheetInvalid.single("Tệp tải lên rỗng.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel features it does not read
            return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise SpreadsheetInvalid.single(
            "Tệp tải lên không phải bảng tính Excel (.xlsx) đọc được. Hãy lưu tệp dưới dạng "
            "«Excel Workbook (.xlsx)» rồi tải lên lại."
        ) from None


def _keys(values: Sequence[Any], columns: Sequence[Column]) -> dict[int, str]:
    """Column index → key, for the header cells that name one of ``columns`` (first one wins)."""
    names = {}
    for column in columns:
        for name in (column.header, column.key, *column.aliases):
            names.setdefault(fold(name), column.key)
    keys: dict[int, str] = {}
    for index, value in enumerate(values):
        key = names.get(fold(str(value))) if value is not None else None
        if key and key not in keys.values():
            keys[index] = key
    return keys


def _missing(columns: Sequence[Column], required: Sequence[str], seen: list) -> str:
    headers = {c.key: c.header for c in columns}
    wanted = [" hoặc ".join(f"«{headers[k]}»" for k in alts.split("|")) for alts in required]
    shown = ", ".join(f"«{h}»" for h in seen[:12]) or "không có"
    return (
        f"Tệp không có các cột cần thiết: {'; '.join(wanted)}. Các cột đọc được ở dòng tiêu đề: {shown}. "
        "Hãy dùng tệp tải về từ hệ thống và giữ nguyên dòng tiêu đề."
    )


def fold(text: str) -> str:
    """For comparing what people type: no diacritics, lower case, single spaces."""
    return fold_diacritics(text).replace("_", " ").strip(" :*")


def as_text(value: Any) -> str:
    """A cell as the text a form field expects ('' when empty); 12.0 → '12'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return as_day(value)
    return str(value).strip()


def as_digits(value: Any, length: int) -> str:
    """An identity number: Excel drops the leading zeros of numbers typed into a number cell."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return digits.zfill(length) if len(digits) < length else digits
    return re.sub(r"\s+", "", as_text(value))


def as_day(value: Any) -> str:
    """A date cell, or text dd/mm/yyyy, as ISO; anything else as typed, for the form to refuse."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = as_text(value)
    match = _DAY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    return text
