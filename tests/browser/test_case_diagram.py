"""The case's diagram as a person sees it: a case waiting for its 30-day timer highlights that timer with
its date, and the view is fitted to it at a size where the labels can be read."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.web.test_case_diagram import waiting_case

pytestmark = pytest.mark.browser
READABLE = 0.7


def test_a_waiting_case_highlights_its_timer_with_the_date_at_a_readable_size(page: Page, live_app):
    waiting_case(live_app)
    log_in(page, "an")
    page.goto("/cases/BN-0009")
    diagram = page.locator('#diagram[data-ready="1"]')
    expect(diagram).to_be_visible()
    timer = diagram.locator('.djs-element.waiting[data-element-id="retry_wait"]')
    expect(timer).to_have_count(1)
    expect(timer).to_be_in_viewport()
    expect(diagram.locator(".waiting-label")).to_have_text("Chờ 30 ngày rồi vận động lại · 03/04/2024 08:00")
    expect(diagram.locator(".waiting-label")).to_be_in_viewport()
    assert float(diagram.get_attribute("data-scale")) >= READABLE
    expect(page.locator(".waiting-for")).to_contain_text("đến 03/04/2024 08:00")
