"""The real app behind a real HTTP server on 127.0.0.1, and Debian's Chromium driven by Playwright.

Every test gets a fresh SQLite database and server, and a fresh browser context (no cookies carried
over). A console error, an uncaught exception in the page or an exception in the app fails the test;
a failing test leaves a screenshot in tests/artifacts/ (``ANSINH_SCREENSHOTS=all``: every test does).
"""

from __future__ import annotations

import os
import re
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import got_request_exception
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import ROOT
from tests.web.demo_app import PASSWORD, build_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install -y chromium` (never `playwright install`), "
            "or run `make test`, which leaves the browser suite out"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path):
    """The app served by werkzeug in a background thread on a free port; ``app.base_url`` is its address."""
    app = build_app(f"sqlite:///{tmp_path / 'browser.db'}")
    app.server_errors = []  # tracebacks of requests that failed inside the app: the page fixture reports them

    def record(sender, exception, **extra):
        app.server_errors.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record, app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    got_request_exception.disconnect(record, app)
    app.extensions["ansinh"].db.dispose()


@pytest.fixture
def page(chromium: Browser, live_app, request) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_app.base_url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    problems: list[tuple[str, str]] = []  # (message, url)
    refused_pages: set[str] = set()
    page.on(
        "console", lambda m: m.type == "error" and problems.append((f"console: {m.text}", m.location["url"]))
    )
    page.on("pageerror", lambda error: problems.append((f"page error: {error}", page.url)))
    page.on(
        "response",
        lambda r: r.request.is_navigation_request() and r.status >= 400 and refused_pages.add(r.url),
    )
    yield page
    # Chromium logs every 4xx page as a failed load; a page the server refuses (a form sent back with
    # its errors as 422) is what the test checks itself. Failed scripts, styles and images stay errors.
    errors = [
        message
        for message, url in list(problems)
        if not (message.startswith("console: Failed to load resource") and url in refused_pages)
    ] + [f"server error: {error}" for error in live_app.server_errors]
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    if failed or errors or os.environ.get("ANSINH_SCREENSHOTS") == "all":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.removeprefix("tests/browser/"))
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("/")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")


def download_built(page: Page, link: Locator) -> bytes:
    """A file made by a background job: the link opens the job's page, which polls until the file is
    built and then offers it. Downloads it and comes back to the page the link was on."""
    origin = page.url
    link.click()
    ready = page.get_by_role("link", name=re.compile(r"^Tải tệp "))
    expect(ready).to_be_visible(timeout=20_000)
    with page.expect_download() as info:
        ready.click()
    content = Path(info.value.path()).read_bytes()
    page.goto(origin)
    return content
