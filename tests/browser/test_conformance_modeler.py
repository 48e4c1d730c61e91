"""Every BPMN-MIWG reference model (drawn by other tools) uploads, opens in the modeler without an error,
and saves back to XML the server still reads (its validation answers with problems, not a parse error)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.integration.test_deployments import MIWG_FILES

pytestmark = pytest.mark.browser


def test_every_conformance_model_opens_in_the_modeler_and_saves_back(page: Page, live_app):
    assert MIWG_FILES, "the BPMN MIWG models are missing"
    log_in(page, "admin")
    for path in MIWG_FILES:
        page.goto("/admin/processes")
        page.set_input_files("input[name=file]", str(path))
        page.get_by_role("button", name="Tải lên thành bản nháp").click()
        page.wait_for_url("**/edit")
        modeler = page.locator("[data-modeler]")
        expect(modeler, path.name).to_have_attribute("data-ready", "1", timeout=15_000)
        answer = page.evaluate(
            """async () => {
                const root = document.querySelector('[data-modeler]');
                const { xml } = await window.ansinhModeler.saveXML({ format: true });
                const response = await fetch(root.dataset.validateUrl, {
                  method: 'POST', credentials: 'same-origin',
                  headers: { 'Content-Type': 'application/json', Accept: 'application/json',
                             'X-CSRFToken': root.dataset.csrf },
                  body: JSON.stringify({ xml }) });
                return { status: response.status, body: await response.text() };
            }"""
        )
        assert answer["status"] == 200, (path.name, answer)
        problems = json.loads(answer["body"])["problems"]
        assert not [p for p in problems if "not well-formed" in p["message"]], (path.name, problems)
