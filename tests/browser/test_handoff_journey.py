"""Between steps, in the browser: a registration sent back and fixed with the reviewer's reason in view,
a duplicate closure refused for an unknown case and accepted after confirming a real one, and a task
a colleague holds opened by another officer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import engine
from tests.browser.conftest import log_in, log_out
from tests.browser.test_registration_journey import field, fill_registration, open_registration, submit
from tests.web.demo_app import COMMUNE_A, open_case_at_registration
from tests.workflows.conftest import REGISTRATION
from workflows.case import service as cases
from workflows.case.summary import instance_of
from workflows.tasks import submit_task

pytestmark = pytest.mark.browser
REASON = "Ảnh CCCD bị mờ, đề nghị chụp lại"


def test_a_registration_sent_back_is_fixed_with_the_reason_in_view(page: Page, live_app):
    open_case_at_registration(live_app)
    log_in(page, "an")
    open_registration(page, "Y Thị Hoa")
    fill_registration(page, cccd="062150123456")
    submit(page)
    log_out(page)

    log_in(page, "dung")
    page.locator("table.inbox tbody tr").filter(has_text="Y Thị Hoa").get_by_role(
        "link", name="Rà soát, phân loại"
    ).click()
    field(page, "decision").get_by_label("Trả về xã bổ sung hồ sơ").check()
    page.fill("#f-note", REASON)
    submit(page)
    expect(page.locator(".flash")).to_contain_text("Đăng ký phương thức chi trả")
    log_out(page)

    log_in(page, "an")
    open_registration(page, "Y Thị Hoa")
    expect(page.locator(".handoff")).to_contain_text(REASON)
    expect(page.locator("#f-cccd")).to_have_value("062150123456")  # what was registered comes back
    submit(page)
    expect(page.locator(".flash")).to_contain_text("Phòng LĐTBXH thành phố Kon Tum")


def test_a_duplicate_closure_needs_a_real_case_and_a_confirmation(page: Page, live_app):
    ctx = live_app.extensions["ansinh"]
    task = open_case_at_registration(live_app)
    submit_task(ctx, task.id, {**REGISTRATION, "consent": True})
    (review,) = engine.get_instance(ctx, instance_of(ctx, "BN-0001")).open_tasks
    submit_task(ctx, review.id, {"decision": "approve"})
    cases.open_case(ctx, "BN-0009", COMMUNE_A, "Đinh Văn Bảy", "elderly_80_plus_no_pension")

    log_in(page, "em")
    row = page.locator("table.inbox tbody tr").filter(has_text="Y Thị Hoa")
    row.get_by_role("link", name="Làm sạch dữ liệu với CSDL quốc gia về dân cư").click()
    field(page, "result").get_by_label("Trùng với người hưởng khác").check()
    page.fill("#f-duplicate_of", "KT-99999")
    submit(page)
    expect(field(page, "duplicate_of").locator("p.error")).to_contain_text("Không có hồ sơ mã «KT-99999»")

    page.fill("#f-duplicate_of", "BN-0009")
    submit(page)
    confirm = field(page, "confirm_closure")
    expect(confirm.locator("p.error")).to_contain_text("trùng với hồ sơ BN-0009 · Đinh Văn Bảy")
    page.check("#f-confirm_closure")
    submit(page)
    expect(page.locator(".flash")).to_contain_text("Hồ sơ đã kết thúc")
    page.goto("/cases/BN-0001")
    expect(page.locator(".case-summary")).to_contain_text("Trùng hồ sơ")
    expect(page.locator(".case-summary").get_by_role("link", name="BN-0009")).to_be_visible()


def test_a_task_held_by_a_colleague_shows_who_holds_it(page: Page, live_app):
    task = open_case_at_registration(live_app)
    log_in(page, "an")
    page.locator("table.inbox tbody tr").filter(has_text="Y Thị Hoa").get_by_role(
        "button", name="Nhận việc"
    ).click()
    expect(page.locator(".flash")).to_contain_text("Đã nhận việc")
    log_out(page)

    log_in(page, "binh")
    page.goto(f"/tasks/{task.id}")
    expect(page.locator(".held")).to_contain_text("Việc này đang do an xử lý")
    expect(page.locator("#task-form")).not_to_be_attached()
    expect(page.get_by_role("button", name="Hoàn thành và chuyển tiếp")).not_to_be_attached()
