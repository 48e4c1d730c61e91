"""A district labour officer brings a commune's roll in: downloads the template, uploads a roll with two
bad rows, fixes them in the file of rejected rows, uploads that, and finds a person by name typed
without diacritics in the case search."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import download_built, log_in

pytestmark = pytest.mark.browser

ROWS = [
    ["Đinh Thị Lan", "09/07/1960", "Nữ", "062160000777", "23311", "Thôn 4", "disabled_severe", "", "01/2022",
     "02/2024", "Tài khoản", "Agribank", "5100205123456", ""],
    ["Y Văn Blông", "01/01/1940", "Nam", "", "23314", "Làng Kroong", "elderly_80_plus_no_pension", "",
     "03/2021", "", "Tiền mặt", "", "", ""],
    ["A Thị Nhung", "1/1/1955", "Nữ", "062155000321", "9999", "Thôn 1", "disabled_severe", "", "05/2023", "",
     "Tiền mặt", "", "", ""],  # no such commune
    ["Rơ Châm Hùng", "05/05/1945", "Nam", "", "23311", "Thôn 2", "người già", "", "01/2020", "", "Tiền mặt",
     "", "", ""],  # no such category
]  # fmt: skip


def download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return Path(info.value.path()).read_bytes()


def upload(page: Page, content: bytes, name: str) -> None:
    page.get_by_label("Tải lên danh sách").set_input_files(
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "buffer": content}
    )  # fmt: skip
    page.get_by_role("button", name="Tải lên và nhập").click()
    expect(page.locator("#roll-summary")).to_be_visible(timeout=30_000)


def test_import_a_roll_fix_the_rejected_rows_and_find_a_person(page: Page):
    log_in(page, "dung")
    page.get_by_role("link", name="Nhập danh sách đối tượng").click()
    workbook = load_workbook(io.BytesIO(download(page, "Tải tệp mẫu (.xlsx)")))
    sheet = workbook["Danh sách"]
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload(page, buffer.getvalue(), "ds-thanh-pho.xlsx")
    expect(page.locator("#roll-summary")).to_have_text(
        "Tạo mới 2 người, 0 người đã có hồ sơ, 0 người khác hồ sơ, 2 dòng bị từ chối."
    )
    rejected = page.locator("table.refused tbody tr")
    expect(rejected).to_have_count(2)
    expect(rejected.nth(0)).to_contain_text("Mã xã")
    expect(rejected.nth(1)).to_contain_text("Mã đối tượng «người già»")

    refused = page.get_by_role("link", name="Tải các dòng bị từ chối để sửa và tải lên lại (.xlsx)")
    fix = load_workbook(io.BytesIO(download_built(page, refused)))
    rows = fix.active
    assert rows.cell(row=2, column=1).value == "A Thị Nhung"
    rows.cell(row=2, column=5, value="23311")
    rows.cell(row=3, column=7, value="elderly_80_plus_no_pension")
    buffer = io.BytesIO()
    fix.save(buffer)
    page.goto("/roster")
    upload(page, buffer.getvalue(), "ds-da-sua.xlsx")
    expect(page.locator("#roll-summary")).to_have_text(
        "Tạo mới 2 người, 0 người đã có hồ sơ, 0 người khác hồ sơ, 0 dòng bị từ chối."
    )

    page.get_by_role("link", name="Tìm hồ sơ").click()
    page.get_by_label("Họ tên (gõ có dấu hoặc không dấu)").fill("ro cham hung")
    page.get_by_role("button", name="Tìm", exact=True).click()
    result = page.locator("#case-results tbody tr")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("Rơ Châm Hùng")
    expect(result).to_contain_text("Tuyên truyền, vận động")
