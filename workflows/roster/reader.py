"""Reading a roll file, xlsx or csv, in one pass: its header row found by name, then its rows' cells."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..bulk.sheets import HEADER_SEARCH_ROWS, SpreadsheetInvalid
from .rows import HEADERS, REQUIRED, header_keys
from .xlsx_rows import xlsx_rows

MAX_ROWS = 200_000


@dataclass(frozen=True)
class Roll:
    """A readable roll: where its header is, which column is which, and how many rows follow."""

    header_row: int
    headers: list[str]
    keys: dict[int, str]  # column index → our key
    lines: list[tuple[int, tuple[Any, ...]]]  # (row number as Excel shows it, cells), blank rows left out

    @property
    def total(self) -> int:
        return len(self.lines)

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        return iter(self.lines)

    def cells(self, values: tuple[Any, ...]) -> dict[str, Any]:
        return {key: values[i] for i, key in self.keys.items() if i < len(values)}


def open_roll(content: bytes) -> Roll:
    """Find the header row; refuse (SpreadsheetInvalid, in Vietnamese) a file that is not a roll."""
    if not content:
        raise SpreadsheetInvalid.single("Tệp tải lên rỗng.")
    is_xlsx = content[:2] == b"PK"
    header_row, headers, keys = 0, [], {}
    lines = _lines(content, is_xlsx)
    for number, values in lines:
        found = header_keys(list(values))
        if all(key in found.values() for key in REQUIRED):
            header_row, headers, keys = number, ["" if v is None else str(v) for v in values], found
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if not keys:
        wanted = ", ".join(f"«{HEADERS[k]}»" for k in REQUIRED)
        raise SpreadsheetInvalid.single(
            f"Không tìm thấy dòng tiêu đề có đủ các cột {wanted}. Hãy dùng tệp mẫu tải về từ hệ thống."
        )
    rows = []
    for number, values in lines:
        if not _blank(values):
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise SpreadsheetInvalid.single(f"Tệp có hơn {MAX_ROWS:,} dòng; hãy chia thành nhiều tệp.")
    return Roll(header_row, headers, keys, rows)


def _lines(content: bytes, is_xlsx: bool) -> Iterator[tuple[int, tuple[Any, ...]]]:
    if not is_xlsx:
        yield from _csv_lines(content)
        return
    try:
        yield from xlsx_rows(content)
    except (zipfile.BadZipFile, KeyError, StopIteration, ValueError, etree.XMLSyntaxError):
        raise SpreadsheetInvalid.single(
            "Tệp tải lên không phải bảng tính Excel (.xlsx) hay tệp .csv đọc được. Hãy lưu tệp dưới dạng "
            "«Excel Workbook (.xlsx)» hoặc CSV UTF-8 rồi tải lên lại."
        ) from None


def _csv_lines(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetInvalid.single("Tệp .csv phải được lưu với bảng mã UTF-8.") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, tuple(values)
    except csv.Error as exc:  # a field over the csv module's limit (128 KB), a NUL byte, …
        message = f"Dòng {reader.line_num} của tệp CSV không đọc được ({exc})."
        raise SpreadsheetInvalid.single(message) from None


def _blank(values: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
