"""The province on its dashboard: it sets a district's target, sees the district below it in red, drills
down to the commune and downloads the figures (the charts drawn by Chart.js, served by the app)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import download_built, log_in
from tests.web.dashboard_data import first_commune, people
from tests.web.demo_app import CITY, COMMUNE_A, COMMUNE_B, DAK_GLEI

pytestmark = pytest.mark.browser


def test_a_province_user_sets_a_target_and_drills_down_to_a_commune(page: Page, live_app):
    ctx = live_app.extensions["ansinh"]
    people(ctx, COMMUNE_A, "active_cashless", 1)
    people(ctx, COMMUNE_A, "cash", 3)
    people(ctx, COMMUNE_B, "cash", 2)
    people(ctx, first_commune(ctx, DAK_GLEI), "active_cashless", 5)
    log_in(page, "admin")
    page.get_by_role("link", name="Tình hình thực hiện").click()
    coverage = page.locator("#figure-coverage")
    expect(coverage.locator("canvas[data-ready='1']")).to_have_count(1)  # Chart.js drew it
    coverage.locator(f"tr[data-area='{CITY}']").get_by_role("link", name="Chỉ tiêu").click()
    page.fill("#share_pct", "60")
    page.fill("#due_on", "2024-12-31")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu chỉ tiêu cho Thành phố Kon Tum")
    city = page.locator(f"#figure-coverage tr[data-area='{CITY}']")
    expect(city).to_have_class("below")  # 1 of 6 by account: 16.7 % against 60 %
    expect(city.locator("td").first).to_have_css("background-color", "rgb(255, 235, 233)")  # in red
    expect(page.locator(f"#figure-coverage tr[data-area='{DAK_GLEI}']")).not_to_have_class("below")

    city.get_by_role("link", name="Thành phố Kon Tum").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thành phố Kon Tum")
    commune = page.locator(f"#figure-coverage tr[data-area='{COMMUNE_A}']")
    expect(commune).to_have_class("below")  # the city's target applies to its communes
    commune.get_by_role("link", name="Xã Đắk Cấm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xã Đắk Cấm")
    expect(page.locator(".trail")).to_contain_text("Thành phố Kon Tum")
    funnel = page.locator("#figure-funnel canvas[data-ready='1']")
    expect(funnel).to_have_count(1)  # drawn after htmx navigation too

    xlsx = page.locator("#figure-coverage").get_by_role("link", name="Tải số liệu (xlsx)")
    sheet = load_workbook(io.BytesIO(download_built(page, xlsx))).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert rows == [("Xã Đắk Cấm", 4, 1, 3, 25.0, 60, "31/12/2024")]
