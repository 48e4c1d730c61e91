"""A commune officer on a 390 px phone, and a reader who chose English: the inbox fits the screen (no
sideways scrolling), and the pages they use say nothing in Vietnamese beyond the people and places."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, log_out
from tests.web.demo_app import open_case_at_registration

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def overflowing(page: Page) -> list[str]:
    """The elements wider than the screen (what a person would have to scroll sideways to read)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
              .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
              .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
    )


def test_the_inbox_and_a_task_page_fit_a_390_px_phone(page: Page, live_app):
    open_case_at_registration(live_app, "BN-0001", "Y Thị Hoa")
    open_case_at_registration(live_app, "BN-0002", "Nguyễn Thị Phương Thảo Hoàng Lan")
    page.set_viewport_size(PHONE)
    log_in(page, "an")
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], overflowing(page)
    # No assign dropdown on every row: the colleague list opens on demand.
    expect(rows.first.locator("select[name=assignee]")).to_be_hidden()
    rows.first.locator("summary").click()
    expect(rows.first.locator("select[name=assignee]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], overflowing(page)
    # and the step it leads to: the registration form (long category names in its lists) beside the case
    rows.first.get_by_role("link", name="Đăng ký phương thức chi trả").click()
    expect(page.locator("#task-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], overflowing(page)
    # and the case itself, with its diagram
    page.locator("p.meta").get_by_role("link").first.click()
    expect(page.locator("#diagram[data-ready]")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], overflowing(page)
    # A provincial department's inbox: its step filter lists every process's steps, some of them long
    log_out(page)
    log_in(page, "admin")
    expect(page.locator("select[name=step]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], overflowing(page)


VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
# What is the data's, not the page's: people, places, the officer's name, the way back to Vietnamese.
DATA = ("Y Thị Hoa", "Xã Đắk Cấm", "Đắk Cấm", "Cán bộ An", "Cán bộ Binh", "Tiếng Việt")


def vietnamese_left(page: Page, leave_out: str | None = None) -> list[str]:
    """The lines of the page (less the element ``leave_out`` selects) with a Vietnamese letter."""
    text = page.evaluate(
        """(leaveOut) => { const body = document.body.cloneNode(true);
                           if (leaveOut) body.querySelectorAll(leaveOut).forEach((el) => el.remove());
                           document.documentElement.appendChild(body); const text = body.innerText;
                           body.remove(); return text; }""",
        leave_out,
    )
    for words in DATA:
        text = text.replace(words, "")
    return [line for line in text.splitlines() if VIETNAMESE.search(line)]


def test_the_inbox_and_a_task_page_in_english_say_nothing_in_vietnamese(page: Page, live_app):
    open_case_at_registration(live_app)
    log_in(page, "an")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("To do")
    assert vietnamese_left(page) == []
    page.get_by_role("link", name="Register the payment method").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register the payment method")
    assert vietnamese_left(page) == []
    page.get_by_role("button", name="Complete and send on").click()  # nothing filled in: every error shows
    expect(page.locator("p.error").first).to_be_visible()
    assert vietnamese_left(page) == []
    # the case page, and the labels bpmn-js draws on its diagram (steps, gateways, flows) from the XML
    page.locator("p.meta").get_by_role("link").first.click()
    expect(page.locator("#diagram[data-ready]")).to_be_attached()
    assert vietnamese_left(page, leave_out="#diagram") == []  # its lanes are the agencies, by name
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('#diagram .djs-element')]
              .filter((el) => !(el.dataset.elementId || '').startsWith('lane'))
              .map((el) => [...el.querySelectorAll('.djs-visual tspan')].map((t) => t.textContent).join(' '))
              .map((text) => text.split(/\\s+/).filter(Boolean).join(' ')).filter(Boolean)"""
    )
    assert "Register the payment method" in drawn and "Outcome of the review?" in drawn, drawn
    assert [t for t in drawn if VIETNAMESE.search(t)] == [], drawn
