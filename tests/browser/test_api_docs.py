"""An administrator makes an API token on the admin page, then tries it in the API's docs page (Swagger UI
served by the app under its strict CSP): the call made from the page answers 200 with the inbox."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_token_made_on_the_admin_page_works_in_the_docs_page(page: Page, live_app):
    log_in(page, "admin")
    page.get_by_role("link", name="Mã truy cập API").click()
    page.fill("input[name=name]", "Thử tài liệu API")
    page.check("input[name=owner_kind][value=user]")
    page.select_option("select[name=username]", "an")
    page.check("input[name=scopes][value='tasks:read']")
    page.get_by_role("button", name="Tạo mã truy cập").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("ansinh_")

    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("An Sinh API")
    page.locator("button.authorize").first.click()
    page.locator(".auth-container input").fill(token)
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".btn-done").click()
    page.locator("#operations-api_tasks-get_api_v1_tasks .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
