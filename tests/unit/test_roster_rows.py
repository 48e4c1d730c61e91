"""A roll's row checks, column by column: each bad value is refused with its column and a Vietnamese
reason; good values become the record's and enrolment's facts."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workflows.entitlements import load_entitlements
from workflows.roster.reader import open_roll
from workflows.roster.rows import COLUMNS, RowInvalid, parse_row

TODAY = date(2024, 9, 15)
COMMUNES = {"23311": "2024:23311"}
GOOD = {
    "full_name": "y thị  HOA",
    "date_of_birth": "01/05/1942",
    "gender": "Nữ",
    "cccd": "062142000123",
    "commune": "23311",
    "village": "Thôn 1",
    "category": "elderly_80_plus_no_pension",
    "children": "",
    "entitled_from": "01/2022",
    "paid_through": "06/2024",
    "method": "Tài khoản",
    "bank": "VBA",
    "account": "5100 2051 23456",
    "phone": "+84 912 345 678",
}


def parse(**changes):
    return parse_row({**GOOD, **changes}, COMMUNES, TODAY)


def test_a_good_row_becomes_the_persons_facts():
    row = parse()
    assert (row.full_name, row.date_of_birth, row.gender, row.cccd) == (
        "Y Thị Hoa", date(1942, 5, 1), "female", "062142000123"
    )  # fmt: skip
    assert (row.area_code, row.category_code, row.entitled_from, row.paid_through) == (
        "2024:23311", "elderly_80_plus_no_pension", date(2022, 1, 1), date(2024, 6, 1)
    )  # fmt: skip
    assert (row.method, row.bank_code, row.account_number, row.phone) == (
        "account", "VBA", "510020512345" + "6", "0912345678"
    )  # fmt: skip


def test_cells_as_excel_gives_them_names_and_numbers_are_accepted():
    row = parse(
        date_of_birth=datetime(1942, 5, 1), entitled_from=44562, cccd=62142000123, commune=23311,
        category=load_entitlements().category("elderly_80_plus_no_pension").name.upper(),
        method="tien mat", bank="", account="", paid_through="", gender="NỮ",
    )  # fmt: skip
    assert row.date_of_birth == date(1942, 5, 1) and row.entitled_from == date(2022, 1, 1)
    assert row.cccd == "062142000123" and row.area_code == "2024:23311" and row.method == "cash"
    assert row.category_code == "elderly_80_plus_no_pension" and row.paid_through is None


def test_single_parents_give_their_children_and_either_age_band_is_accepted():
    assert parse(category="single_parent_poor", children="2").children_count == 2
    assert (
        parse(category="orphan_under_4", date_of_birth="01/01/2010", cccd="").category_code
        == "orphan_under_4"
    )
    assert (
        parse(category="orphan_4_plus", date_of_birth="01/01/2023", cccd="").category_code == "orphan_4_plus"
    )


BAD = [
    ("full_name", "", "Họ và tên", "Chưa ghi"),
    ("full_name", "Hoa 2", "Họ và tên", "ký tự «2»"),
    ("date_of_birth", "31/02/1950", "Ngày sinh", "dd/mm/yyyy"),
    ("date_of_birth", "01/01/2030", "Ngày sinh", "không hợp lệ"),
    ("gender", "F", "Giới tính", "Nam hoặc Nữ"),
    ("cccd", "06214200012", "Số CCCD", "12"),
    ("cccd", "062042000123", "Số CCCD", "giới tính"),
    ("commune", "99999", "Mã xã", "«99999»"),
    ("village", "x" * 101, "Thôn, tổ", "100"),
    ("category", "poor", "Mã đối tượng", "«poor»"),
    ("children", "2", "Số con đang nuôi", "đơn thân"),
    ("entitled_from", "13/2022", "Hưởng từ tháng", "mm/yyyy"),
    ("paid_through", "10/2021", "Đã nhận đến tháng", "trước tháng bắt đầu"),
    ("paid_through", "12/2024", "Đã nhận đến tháng", "chưa tới"),
    ("method", "Séc", "Hình thức nhận", "Tiền mặt hoặc Tài khoản"),
    ("bank", "Ngân hàng Mặt Trăng", "Ngân hàng", "Không tìm thấy"),
    ("account", "12ab", "Số tài khoản", "chữ số"),
    ("phone", "0212345678", "Số điện thoại", "di động"),
]


@pytest.mark.parametrize(("key", "value", "column", "words"), BAD, ids=[f"{b[0]}-{b[1][:12]}" for b in BAD])
def test_each_bad_value_names_its_column_and_why(key, value, column, words):
    with pytest.raises(RowInvalid) as refused:
        parse(**{key: value})
    assert refused.value.column == column
    assert words in refused.value.reason


def test_single_parent_without_children_and_cash_with_an_account_are_refused():
    with pytest.raises(RowInvalid, match="Số con đang nuôi"):
        parse(category="single_parent_poor", children="")
    with pytest.raises(RowInvalid, match="để trống Ngân hàng"):
        parse(method="Tiền mặt")


def test_headers_are_found_in_any_order_without_diacritics_under_a_title():
    headers = [h for _, h, _ in COLUMNS][::-1]
    folded = ["HO VA TEN" if h == "Họ và tên" else h for h in headers]
    text = "Danh sách đối tượng\n" + ",".join(f'"{h}"' for h in folded) + "\n" + ",".join(["x"] * 14) + "\n\n"
    roll = open_roll(text.encode("utf-8-sig"))
    assert roll.header_row == 2 and roll.total == 1 and set(roll.keys.values()) == {k for k, _, _ in COLUMNS}
