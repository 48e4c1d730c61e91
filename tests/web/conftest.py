"""A running app on a fresh database with the Kon Tum demo organisation, the product's BPMN, and a few
staff accounts; a logged-in test client per person."""

from __future__ import annotations

import re
import time

import pytest

import engine
from tests.web.demo_app import COMMUNE_A, PASSWORD, build_app, open_case_at_registration
from tests.workflows.conftest import REGISTRATION
from workflows.case import service as cases
from workflows.tasks import submit_task


@pytest.fixture
def app(database_url):
    app = build_app(database_url)
    yield app
    app.extensions["ansinh"].db.dispose()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class Browser:
    """A test client that logs in like a person and posts forms with their CSRF token."""

    def __init__(self, app, username: str | None = None) -> None:
        self.client = app.test_client()
        self.app = app
        if username:
            response = self.login(username)
            assert response.status_code == 302, response.get_data(as_text=True)

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.client.get("/login").get_data(as_text=True))
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, from_page: str | None = None):
        token = csrf_token(self.client.get(from_page or "/").get_data(as_text=True))
        return self.client.post(path, data={**(data or {}), "csrf_token": token})


def built_file(person, path: str, page: str = r"/files/\d+"):
    """A file as the page gets it: the link queues its job and leads to the job's page (matching
    ``page``), whose partial is polled until the file is built; then the file is fetched."""
    queued = person.get(path)
    assert queued.status_code == 302, queued.status_code
    location = queued.headers["Location"]
    assert re.fullmatch(page, location), location
    assert person.get(location).status_code == 200
    deadline = time.monotonic() + 20
    while "hx-trigger" in (partial := person.get(f"{location}/status").get_data(as_text=True)):
        assert time.monotonic() < deadline, "the file was not built within 20 s"
        time.sleep(0.05)
    assert f'href="{location}/file"' in partial, partial
    return person.get(f"{location}/file"), location


@pytest.fixture
def browser(app):
    return lambda username=None: Browser(app, username)


@pytest.fixture
def case_at_registration(app):
    """A case in commune A waiting at registration (outreach done)."""
    return open_case_at_registration(app)


@pytest.fixture
def active_case(app):
    """A case in commune A that became active cashless (account 0123456789 at VCB)."""
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, "BN-0002", COMMUNE_A, "A Văn Nam", "elderly_80_plus_no_pension")
    forms = [
        {"contact_date": "2024-03-01", "channel": "home_visit", "outcome": "agrees"},
        {**REGISTRATION, "full_name": "A Văn Nam", "gender": "male", "cccd": "062050123457"},
        {"decision": "approve"},
        {"result": "matched"},
        {"account_outcome": "verified", "bank_code": "VCB", "account_number": "0123456789"},
        {"card_issued_on": "2024-03-20", "guidance_given": True},
    ]
    for form in forms:
        (task,) = engine.get_instance(ctx, step.instance_id).open_tasks
        submit_task(ctx, task.id, form)
    return "BN-0002"
