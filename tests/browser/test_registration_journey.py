"""What a person does in the browser: a commune officer registers a beneficiary (a mistyped CCCD first),
the district labour office finds the case in its inbox and sees where it stands on the diagram."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, log_out
from tests.web.demo_app import PASSWORD, open_case_at_registration

pytestmark = pytest.mark.browser


def field(page: Page, name: str):
    """The block of one form field: its label, input, help and error messages."""
    return page.locator(".field").filter(has=page.locator(f"#f-{name}"))


def open_registration(page: Page, beneficiary: str) -> None:
    row = page.locator("table.inbox tbody tr").filter(has_text=beneficiary)
    row.get_by_role("link", name="Đăng ký phương thức chi trả").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký phương thức chi trả")


def fill_registration(page: Page, cccd: str) -> None:
    page.fill("#f-full_name", "Y Thị Hoa")
    page.fill("#f-date_of_birth", "1950-05-01")
    field(page, "gender").get_by_label("Nữ").check()
    page.check("#f-has_cccd")
    page.fill("#f-cccd", cccd)
    page.fill("#f-phone", "0912 345 678")
    page.fill("#f-village", "Thôn Kon Hra Chót")
    page.select_option("#f-category_code", "elderly_80_plus_no_pension")
    field(page, "method").get_by_label("Tài khoản đã có").check()
    page.select_option("#f-bank_code", label="Vietcombank — Ngân hàng TMCP Ngoại thương Việt Nam")
    page.fill("#f-account_number", "0123 456 789")
    page.check("#f-consent")


def submit(page: Page) -> None:
    page.get_by_role("button", name="Hoàn thành và chuyển tiếp").click()
    page.wait_for_load_state()


def test_register_with_a_wrong_cccd_then_the_district_sees_the_case(page: Page, live_app):
    open_case_at_registration(live_app)
    log_in(page, "an")
    open_registration(page, "Y Thị Hoa")

    fill_registration(page, cccd="06215012345")  # 11 digits
    submit(page)
    error = field(page, "cccd").locator("p.error")
    expect(error).to_contain_text("12 chữ số")
    expect(page.locator("#f-cccd")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-cccd")).to_have_value("06215012345")
    expect(page.locator("#f-village")).to_have_value("Thôn Kon Hra Chót")  # nothing typed is lost
    expect(page.locator("#f-full_name")).to_have_value("Y Thị Hoa")
    expect(page.locator("#f-date_of_birth")).to_have_value("1950-05-01")
    expect(page.locator("#f-category_code")).to_have_value("elderly_80_plus_no_pension")
    expect(page.locator("#f-account_number")).to_have_value("0123 456 789")
    expect(field(page, "gender").get_by_label("Nữ")).to_be_checked()
    expect(field(page, "method").get_by_label("Tài khoản đã có")).to_be_checked()
    expect(page.locator("#f-consent")).to_be_checked()
    expect(page.locator(".field.invalid")).to_have_count(1)

    page.fill("#f-cccd", "062150123456")
    submit(page)
    expect(page.locator(".flash")).to_contain_text("Phòng LĐTBXH thành phố Kon Tum")
    expect(page.locator("table.inbox")).not_to_be_attached()  # nothing left for the commune
    log_out(page)

    log_in(page, "dung")
    row = page.locator("table.inbox tbody tr").filter(has_text="Y Thị Hoa")
    expect(row.get_by_role("link", name="Rà soát, phân loại")).to_be_visible()
    row.get_by_role("link", name="Y Thị Hoa").click()
    expect(page.get_by_role("heading", name="Y Thị Hoa")).to_be_visible()
    diagram = page.locator('#diagram[data-ready="1"]')
    expect(diagram).to_be_visible()
    expect(diagram.locator("svg").first).to_be_visible()
    current = diagram.locator(".djs-element.current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-element-id", "review")
    expect(diagram.locator('.djs-element.done[data-element-id="register"]')).to_have_count(1)


def test_the_payment_method_shows_the_fields_it_needs(page: Page, live_app):
    open_case_at_registration(live_app)
    log_in(page, "an")
    open_registration(page, "Y Thị Hoa")
    cash, bank, account = (
        field(page, "cash_preference"),
        field(page, "bank_code"),
        field(page, "account_number"),
    )
    for box in (cash, bank, account):
        expect(box).to_be_hidden()

    field(page, "method").get_by_label("Tiền mặt").check()
    expect(cash).to_be_visible()
    expect(bank).to_be_hidden()
    expect(account).to_be_hidden()

    field(page, "method").get_by_label("Tài khoản đã có").check()
    expect(bank).to_be_visible()
    expect(account).to_be_visible()
    expect(cash).to_be_hidden()
    expect(page.locator("#f-cash_preference")).to_be_disabled()  # hidden fields are not posted

    page.uncheck("#f-has_cccd")
    expect(field(page, "cccd")).to_be_hidden()
    page.check("#f-has_cccd")
    expect(field(page, "cccd")).to_be_visible()

    children = field(page, "children_count")
    expect(children).to_be_hidden()
    page.select_option("#f-category_code", "single_parent_poor")
    expect(children).to_be_visible()
    page.select_option("#f-category_code", "elderly_80_plus_no_pension")
    expect(children).to_be_hidden()


def test_a_single_parent_paid_by_mobile_money(page: Page, live_app):
    open_case_at_registration(live_app)
    log_in(page, "an")
    open_registration(page, "Y Thị Hoa")
    fill_registration(page, cccd="062150123456")
    page.fill("#f-date_of_birth", "1990-05-01")
    page.fill("#f-cccd", "062190123456")
    page.select_option("#f-category_code", "single_parent_poor")
    page.select_option("#f-bank_code", label="Viettel Money — Mobile Money")
    page.fill("#f-account_number", "5100 1234 56")  # a bank-like number: refused for Mobile Money
    submit(page)
    expect(field(page, "children_count").locator("p.error")).to_contain_text("số con đang nuôi")
    expect(field(page, "account_number").locator("p.error")).to_contain_text("Mobile Money")
    expect(page.locator("#f-bank_code")).to_have_value("VIETTELMONEY")  # nothing chosen is lost
    page.fill("#f-children_count", "3")
    page.fill("#f-account_number", "0912 345 678")
    submit(page)
    expect(page.locator(".flash")).to_contain_text("Phòng LĐTBXH thành phố Kon Tum")


def test_the_language_switch_changes_the_pages(page: Page, live_app):
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#username", "an")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("To do")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
