"""Reading a results file from the provider: CSV or XLSX, headers in Vietnamese or English.

Columns (any order; the header row may sit below a title, as in our own payment list): the line id
(``Mã dòng``) or the beneficiary's CCCD, the result (``Kết quả``: đã chi / thất bại / không nhận), a
reason (``Lý do``), the transaction reference (``Mã giao dịch``) and the amount (``Số tiền``): a row
whose amount is not the amount of the line(s) it names is refused, never applied. A row that cannot be
read is kept, with why, so the per-row report says so; a row with no result yet (a cash line in the
payment list sent back as the transfers' results) is skipped, not refused; a file that cannot be read at
all is refused whole. An xlsx is read to its last row, whatever its ``<dimension>`` claims.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from ..validators import fold_diacritics
from .outcomes import ResultRow

HEADER_SEARCH_ROWS = 20
# Column names as people write them (without diacritics), the preferred first: "Kết quả" wins over a
# bank's "Trạng thái" when a file has both.
HEADERS = {
    "line_id": ("ma dong", "line id", "ma dong chi tra", "id"),
    "cccd": ("so cccd", "cccd", "so cccd nguoi huong", "cccd nguoi huong", "so can cuoc"),
    "result": ("ket qua", "result", "trang thai", "status"),
    "reason": ("ly do", "reason", "ly do that bai"),
    "reference": ("ma giao dich", "reference", "transaction ref", "transaction reference", "so tham chieu"),
    "amount": ("so tien dong", "so tien", "amount", "so tien chi tra", "so tien vnd"),
}
RESULTS = {
    "paid": {"paid", "da chi", "thanh cong", "success", "ok", "da nhan"},
    "failed": {"failed", "fail", "that bai", "loi", "khong thanh cong"},
    "not_collected": {"not collected", "khong nhan", "chua nhan", "khong den nhan"},
}


class ImportRefused(Exception):
    """The whole file (or import) is refused; the message is Vietnamese, for the page."""


_PUNCTUATION = re.compile(r"[_\-:.()]")
_LINE_ID = re.compile(r"\d{1,15}")
_CCCD = re.compile(r"\d{9,12}")
_BLANKS = re.compile(r"\s")


def _key(value: Any) -> str:
    return _text_key(str(value or ""))


@lru_cache(maxsize=4096)  # a file repeats a few results ("Đã chi") on every row
def _text_key(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", fold_diacritics(text)).split())


_RESULT_BY_KEY = {alias: result for result, aliases in RESULTS.items() for alias in aliases}


def parse(file_name: str, content: bytes) -> list[ResultRow]:
    if not content:
        raise ImportRefused("Tệp rỗng.")
    is_xlsx = content[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx")
    table = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    return list(read_table(table))


def read_table(table: Iterable[tuple[int, Sequence[Any]]]) -> Iterator[ResultRow]:
    """``table`` yields (row number as the person sees it, cells)."""
    rows = iter(table)
    columns = None
    for row_no, cells in rows:
        columns = _columns(cells)
        if columns is not None or row_no >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        raise ImportRefused("Không tìm thấy dòng tiêu đề: cần cột «Mã dòng» hoặc «Số CCCD» và cột «Kết quả».")
    named = list(columns.items())
    for row_no, cells in rows:
        values = {name: _cell(cells, index) for name, index in named}
        if not any(values.values()):
            continue
        yield _row(row_no, values)


def _columns(cells: Sequence[Any]) -> dict[str, int] | None:
    keys = [_key(cell) for cell in cells]
    found: dict[str, int] = {}
    for name, aliases in HEADERS.items():
        index = next((keys.index(alias) for alias in aliases if alias in keys), None)
        if index is not None:
            found[name] = index
    if "result" in found and ("line_id" in found or "cccd" in found):
        return found
    return None


def _cell(cells: Sequence[Any], index: int) -> str:
    if index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _row(row_no: int, values: dict[str, str]) -> ResultRow:
    reason = values.get("reason", "")[:300] or None
    reference = values.get("reference", "")[:60] or None
    line_text, cccd_text = values.get("line_id", ""), values.get("cccd", "")
    line_id = cccd = None
    error = None
    if line_text:
        if _LINE_ID.fullmatch(line_text):
            line_id = int(line_text)
        else:
            error = f"Mã dòng «{line_text}» không hợp lệ."
    if cccd_text:
        digits = _BLANKS.sub("", cccd_text)
        if _CCCD.fullmatch(digits):
            cccd = digits.zfill(12) if len(digits) == 11 else digits  # a spreadsheet drops the leading 0
        if cccd is None or len(cccd) != 12:
            error = error or f"Số CCCD «{cccd_text}» phải gồm 12 chữ số."
            cccd = None
    result_text = values.get("result", "")
    result = _RESULT_BY_KEY.get(_key(result_text))
    if result_text and result is None:
        error = error or f"Kết quả «{result_text}» không hợp lệ (đã chi / thất bại / không nhận)."
    amount, amount_error = _amount(values.get("amount", ""))
    error = error or amount_error
    return ResultRow(row_no, line_id, cccd, result, reason, reference, error, amount)


_THOUSANDS = re.compile(r"-?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def _amount(text: str) -> tuple[int | None, str | None]:
    """An amount in đồng as written: 1500000, 1.500.000, 1,500,000, "1.500.000 đ"; blank = not given."""
    plain = re.sub(r"(?i)\s|đồng|đ|vnd", "", text)
    if not plain:
        return None, None
    if _THOUSANDS.fullmatch(plain):
        plain = re.sub(r"[.,]", "", plain)
    elif plain.endswith(".0"):  # a number cell read back as 1500000.0
        plain = plain[:-2]
    if not re.fullmatch(r"-?\d{1,15}", plain):
        return None, f"Số tiền «{text[:40]}» không hợp lệ."
    amount = int(plain)
    if amount <= 0:
        return None, f"Số tiền «{text[:40]}» phải lớn hơn 0."
    return amount, None


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("Tệp CSV phải được lưu với mã UTF-8.") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:  # a field over the csv module's limit (128 KB), a NUL byte, …
        raise ImportRefused(f"Dòng {reader.line_num} của tệp CSV không đọc được ({exc}).") from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ImportRefused("Không đọc được tệp Excel (.xlsx).") from None
    try:
        sheet = book.worksheets[0]
        # Read every row that is there: a stale <dimension> in the file would otherwise cut it short.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except ImportRefused:
        raise
    except Exception:  # a damaged sheet inside a valid zip (ParseError), a missing part, …
        raise ImportRefused("Không đọc được trang tính trong tệp Excel (.xlsx): tệp bị hỏng.") from None
    finally:
        book.close()
