"""An administrator changes the case process in the browser: renames a step and gives it a due rule, sees
the validation marker, fixes it, deploys version 2; a new case runs on it while an older case goes on on
version 1 until it is moved with the migration preview."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import engine
from tests.browser.conftest import log_in
from tests.web.demo_app import open_case_at_registration

pytestmark = pytest.mark.browser


def test_edit_validate_deploy_and_migrate_the_case_process(page: Page, live_app):
    ctx = live_app.extensions["ansinh"]
    older = open_case_at_registration(live_app, "BN-0001", "Y Thị Hoa")
    log_in(page, "admin")
    page.goto("/admin/processes")
    section = page.locator("#process-beneficiary_case")
    expect(section.locator("tr[data-version='1'] .open-cases")).to_have_text("1")
    section.get_by_role("link", name="Mở trong trình vẽ").click()
    modeler = page.locator("[data-modeler]")
    expect(modeler).to_have_attribute("data-ready", "1", timeout=15_000)

    # The whole process fitted to the screen is tiny: zoom to the step as a person would, then click it.
    page.evaluate(
        """id => { const m = window.ansinhModeler, canvas = m.get('canvas');
                   canvas.zoom(1); canvas.scrollToElement(m.get('elementRegistry').get(id)); }""",
        older.bpmn_id,
    )
    page.locator(f"g.djs-element[data-element-id='{older.bpmn_id}'] > .djs-hit").click()
    name = page.locator("#bio-properties-panel-name")
    name.fill("Đăng ký và xác minh phương thức chi trả")
    page.locator("#bio-properties-panel-ansinh-due").fill("P5 ngày")
    expect(page.locator(".bio-properties-panel-error")).to_contain_text("Không hiểu được")

    page.get_by_role("button", name="Kiểm tra").click()
    problem = modeler.locator(f".problems li[data-element='{older.bpmn_id}']")
    expect(problem).to_contain_text("due rule")
    expect(page.locator(f"g.djs-element.ansinh-problem[data-element-id='{older.bpmn_id}']")).to_have_count(1)

    page.locator("#bio-properties-panel-ansinh-due").fill("P7WD")
    page.get_by_role("button", name="Kiểm tra").click()
    expect(modeler.locator(".status")).to_have_text("Không có lỗi")
    expect(page.locator("g.djs-element.ansinh-problem")).to_have_count(0)

    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    page.wait_for_url("**/admin/processes")
    expect(section.locator("tr[data-version='2']")).to_have_count(1)

    page.goto("/admin/processes/beneficiary_case/diff")
    differ = page.locator("[data-differ]")
    expect(differ).to_have_attribute("data-ready", "1", timeout=15_000)
    changed = f"[data-element='{older.bpmn_id}']"
    expect(differ.locator(f".changes li.diff-changed{changed}")).to_contain_text("name")
    marked = f".new g.djs-element.diff-changed[data-element-id='{older.bpmn_id}']"
    expect(page.locator(marked)).to_have_count(1)

    newer = open_case_at_registration(live_app, "BN-0002", "A Lăng Thị Mai")
    assert engine.get_instance(ctx, newer.instance_id).process_version == 2
    assert newer.name == "Đăng ký và xác minh phương thức chi trả"
    assert engine.get_instance(ctx, older.instance_id).process_version == 1

    page.goto("/admin/processes/beneficiary_case/migrate")
    row = page.locator(f"tr[data-instance='{older.instance_id}']")
    expect(row).to_contain_text("Được")
    expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_role("button", name="Chuyển các hồ sơ đã chọn").click()
    page.wait_for_url("**/admin/processes")
    expect(page.locator(".flash")).to_contain_text("Đã chuyển 1 hồ sơ sang phiên bản 2")
    view = engine.get_instance(ctx, older.instance_id)
    assert view.process_version == 2
    assert [t.name for t in view.open_tasks] == ["Đăng ký và xác minh phương thức chi trả"]
