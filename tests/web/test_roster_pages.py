"""The roll pages: a district labour officer downloads the template, uploads a roll, watches it run and
reads the report; a commune sees only its own imports; other roles do not see the pages."""

from __future__ import annotations

import csv
import io
import time

from openpyxl import load_workbook

from tests.web.conftest import built_file
from workflows.roster.rows import COLUMNS

HEADERS = [header for _, header, _ in COLUMNS]
GOOD = ["Y Thị Hoa", "01/05/1942", "Nữ", "062142000123", "23311", "Thôn 1", "elderly_80_plus_no_pension", "",
        "01/2022", "", "Tài khoản", "VBA", "5100205123456", ""]  # fmt: skip
BAD = ["A Văn Bình", "02/03/1950", "Nam", "", "23311", "Thôn 2", "nobody", "", "06/2023", "", "Tiền mặt", "",
       "", ""]  # fmt: skip


def csv_file(*rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADERS, *rows])
    return out.getvalue().encode()


def upload(person, content: bytes, name: str = "ds.csv"):
    return person.client.post(
        "/roster",
        data={"file": (io.BytesIO(content), name), "csrf_token": _token(person)},
        content_type="multipart/form-data",
    )


def _token(person) -> str:
    from tests.web.conftest import csrf_token

    return csrf_token(person.get("/roster").get_data(as_text=True))


def finished(person, location: str) -> str:
    for _ in range(200):
        html = person.get(location + "/status").get_data(as_text=True)
        if "roll-summary" in html:
            return html
        time.sleep(0.05)
    raise AssertionError(html)


def test_district_officer_imports_a_roll_and_reads_its_report(browser):
    dung = browser("dung")
    template = dung.get("/roster/template.xlsx")
    workbook = load_workbook(io.BytesIO(template.data))
    allowed = [row for row in workbook["Giá trị hợp lệ"].iter_rows(values_only=True) if row[0] == "Mã xã"]
    assert ("Mã xã", "23311", "Xã Đắk Cấm") in allowed and all(
        code.startswith("23") for _, code, _ in allowed
    )
    response = upload(dung, csv_file(GOOD, BAD))
    assert response.status_code == 302
    html = finished(dung, response.headers["Location"])
    assert "Tạo mới 1 người, 0 người đã có hồ sơ, 0 người khác hồ sơ, 1 dòng bị từ chối." in html
    assert "Mã đối tượng «nobody» không có trong danh mục" in html
    rejected, location = built_file(dung, response.headers["Location"] + "/rejected.xlsx")
    assert f'href="{response.headers["Location"]}"' in dung.get(location).get_data(as_text=True)  # back
    rows = list(load_workbook(io.BytesIO(rejected.data)).active.iter_rows(values_only=True))
    assert rows[1][0] == "A Văn Bình" and "Mã đối tượng" in rows[1][-1]
    assert "ds.csv" in dung.get("/roster").get_data(as_text=True)


def test_not_a_roll_is_refused_at_once_and_imports_are_each_offices_own(browser):
    an, dung = browser("an"), browser("dung")
    refused = upload(an, b"hello,world\n1,2\n")
    assert refused.status_code == 422 and "Không tìm thấy dòng tiêu đề" in refused.get_data(as_text=True)
    location = upload(dung, csv_file(GOOD)).headers["Location"]
    finished(dung, location)
    assert an.get(location).status_code == 404
    assert an.get(location + "/rejected.xlsx").status_code == 404
    assert browser("em").get("/roster").status_code == 404  # the police do not import rolls
