"""One row of a roll (danh sách đối tượng đang hưởng): its columns, and the checks that turn its cells into
a person to bring in, or into the reasons it cannot be, each naming its column.

The checks are the registration form's own validators (name, CCCD against the date of birth and gender,
phone, bank and account), so a row the roll accepts is one the commune's form would have accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from ..bulk.sheets import as_day, as_digits, as_text, fold
from ..programmes import SOCIAL, category_names, per_child, programme_of
from ..validators import (
    InvalidValue,
    normalize_name,
    normalize_phone,
    provider_code,
    validate_account,
    validate_cccd,
)

# (key, header as the template writes it, width in the template)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("full_name", "Họ và tên", 26),
    ("date_of_birth", "Ngày sinh", 13),
    ("gender", "Giới tính", 10),
    ("cccd", "Số CCCD", 16),
    ("commune", "Mã xã", 9),
    ("village", "Thôn, tổ", 16),
    ("category", "Mã đối tượng", 30),
    ("children", "Số con đang nuôi", 12),
    ("entitled_from", "Hưởng từ tháng", 12),
    ("paid_through", "Đã nhận đến tháng", 12),
    ("method", "Hình thức nhận", 14),
    ("bank", "Ngân hàng", 16),
    ("account", "Số tài khoản", 20),
    ("phone", "Số điện thoại", 14),
)
HEADERS = {key: header for key, header, _ in COLUMNS}
REQUIRED = (
    "full_name",
    "date_of_birth",
    "gender",
    "commune",
    "village",
    "category",
    "entitled_from",
    "method",
)
GENDERS = {"nam": "male", "nu": "female"}
METHODS = {"tien mat": "cash", "tai khoan": "account"}
EXCEL_EPOCH = date(1899, 12, 30)
_MONTH = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")


class RowInvalid(Exception):
    """What is wrong with one cell: the column's header and a Vietnamese reason."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.column = HEADERS[key]
        self.reason = reason


@dataclass(frozen=True)
class RollRow:
    """A valid row, as the record and the enrolment will hold it (``area_code`` is the area's key)."""

    full_name: str
    date_of_birth: date
    gender: str
    cccd: str | None
    area_code: str
    village: str
    category_code: str
    children_count: int | None
    entitled_from: date
    paid_through: date | None
    method: str  # cash | account
    bank_code: str | None
    account_number: str | None
    phone: str | None

    @property
    def identity(self) -> tuple:
        """Who this is: the CCCD when there is one, else name, date of birth and commune."""
        if self.cccd:
            return ("cccd", self.cccd)
        return ("person", fold(self.full_name), self.date_of_birth, self.area_code)


def header_keys(headers: list[Any]) -> dict[int, str]:
    """Column index → key for the header cells that name a roll column (matched without diacritics)."""
    names = {fold(header): key for key, header, _ in COLUMNS}
    found: dict[int, str] = {}
    for index, value in enumerate(headers):
        key = names.get(fold(str(value))) if value not in (None, "") else None
        if key and key not in found.values():
            found[index] = key
    return found


def parse_row(cells: Mapping[str, Any], communes: Mapping[str, str], today: date) -> RollRow:
    """Check one row's cells; raises RowInvalid naming the first column at fault.

    ``communes`` maps the 5-digit codes the uploader may use (the structure in force, within their
    area) to area keys.
    """
    for key in REQUIRED:
        if as_text(cells.get(key)) == "":
            raise RowInvalid(key, f"Chưa ghi «{HEADERS[key]}».")
    full_name = _checked("full_name", normalize_name, as_text(cells["full_name"]))
    born = _birth_date(cells["date_of_birth"], today)
    gender = GENDERS.get(fold(as_text(cells["gender"])))
    if gender is None:
        raise RowInvalid("gender", f"Giới tính «{as_text(cells['gender'])}» không hợp lệ: ghi Nam hoặc Nữ.")
    cccd_text = as_digits(cells.get("cccd"), 12)
    cccd = _checked("cccd", lambda v: validate_cccd(v, born, gender), cccd_text) if cccd_text else None
    commune_text = as_digits(cells["commune"], 5)
    area_code = communes.get(commune_text)
    if area_code is None:
        raise RowInvalid(
            "commune",
            f"Mã xã «{commune_text}» không phải một xã trong địa bàn của bạn (mã 5 chữ số hiện hành).",
        )
    village = " ".join(as_text(cells["village"]).split())
    if len(village) > 100:
        raise RowInvalid("village", "Thôn, tổ dài quá 100 ký tự.")
    category_code, per_child = _category(as_text(cells["category"]))
    children = _children(as_text(cells.get("children")), per_child)
    entitled_from = _month("entitled_from", cells["entitled_from"])
    paid_text = as_text(cells.get("paid_through"))
    paid_through = _month("paid_through", cells["paid_through"]) if paid_text else None
    if entitled_from.year < 2000 or entitled_from > _add_month(today, 1):
        raise RowInvalid("entitled_from", f"Hưởng từ tháng {entitled_from:%m/%Y} không hợp lệ.")
    if paid_through is not None:
        if paid_through < _add_month(entitled_from, -1):
            raise RowInvalid("paid_through", "Đã nhận đến tháng không thể trước tháng bắt đầu hưởng.")
        if paid_through > date(today.year, today.month, 1):
            raise RowInvalid("paid_through", f"Đã nhận đến tháng {paid_through:%m/%Y} là tháng chưa tới.")
    method = METHODS.get(fold(as_text(cells["method"])))
    if method is None:
        raise RowInvalid(
            "method", f"Hình thức nhận «{as_text(cells['method'])}»: ghi Tiền mặt hoặc Tài khoản."
        )
    bank_code, account = _account(method, as_text(cells.get("bank")), as_text(cells.get("account")))
    phone_text = as_text(cells.get("phone"))
    phone = _checked("phone", normalize_phone, phone_text) if phone_text else None
    return RollRow(
        full_name, born, gender, cccd, area_code, village, category_code, children, entitled_from,
        paid_through, method, bank_code, account, phone,
    )  # fmt: skip


def _checked(key: str, rule, value: str):
    try:
        return rule(value)
    except InvalidValue as exc:
        raise RowInvalid(key, str(exc)) from None


def excel_day(value: Any) -> Any:
    """A number in a date column is an Excel day serial (a date cell read without its style)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        return EXCEL_EPOCH + timedelta(days=int(value))
    return value


def _birth_date(value: Any, today: date) -> date:
    text = as_day(excel_day(value))
    try:
        born = date.fromisoformat(text)
    except ValueError:
        raise RowInvalid(
            "date_of_birth", f"Ngày sinh «{as_text(value)}» không đúng dạng dd/mm/yyyy."
        ) from None
    if born > today or born.year < 1900:
        raise RowInvalid("date_of_birth", f"Ngày sinh {born:%d/%m/%Y} không hợp lệ.")
    return born


@cache
def _categories() -> dict[str, tuple[str, bool]]:
    """Folded code or Vietnamese name → (code, paid per child), for both programmes."""
    found: dict[str, tuple[str, bool]] = {}
    for code, name in category_names().items():
        value = (code, per_child(programme_of(code) or SOCIAL, code))
        found[fold(code)] = value
        found.setdefault(fold(name), value)
    return found


def category_choices() -> list[tuple[str, str]]:
    """(code, name) of every category a roll may name (social assistance and merit)."""
    return list(category_names().items())


def _category(text: str) -> tuple[str, bool]:
    found = _categories().get(fold(text))
    if found is None:
        raise RowInvalid(
            "category",
            f"Mã đối tượng «{text}» không có trong danh mục (xem trang «Giá trị hợp lệ» của tệp mẫu).",
        )
    return found


def _children(text: str, per_child: bool) -> int | None:
    if not per_child:
        if text not in ("", "0"):
            raise RowInvalid("children", "Chỉ ghi số con đang nuôi cho người đơn thân nuôi con; để trống.")
        return None
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise RowInvalid("children", f"Số con đang nuôi «{text}» phải là một số từ 1 đến 20.")
    return int(text)


def _month(key: str, value: Any) -> date:
    value = excel_day(value)
    if isinstance(value, date):  # a date cell (datetime is a date too): its month
        return date(value.year, value.month, 1)
    text = as_text(value)
    match = _MONTH.match(text)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return date(year, month, 1)
    raise RowInvalid(key, f"{HEADERS[key]} «{text}» không đúng dạng mm/yyyy.")


def _add_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _account(method: str, bank: str, number: str) -> tuple[str | None, str | None]:
    """A bank (by code, BIN, short or full name), or a Mobile Money or e-wallet provider with the phone the
    account is registered to."""
    if method == "cash":
        if bank or number:
            raise RowInvalid("method", "Nhận tiền mặt thì để trống Ngân hàng và Số tài khoản.")
        return None, None
    if not bank:
        raise RowInvalid("bank", "Nhận qua tài khoản: chưa ghi ngân hàng, Mobile Money hoặc ví điện tử.")
    code = _checked("bank", provider_code, bank)
    if not number:
        raise RowInvalid("account", "Nhận qua tài khoản: chưa ghi số tài khoản.")
    return code, _checked("account", lambda v: validate_account(code, v), re.sub(r"\.0$", "", number))
