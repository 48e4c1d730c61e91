"""A running app on a fresh database with the Kon Tum demo organisation, the product's BPMN, and a few
staff accounts; a logged-in test client per person."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

import engine
from tests.conftest import ROOT, ManualClock
from tests.workflows.conftest import REGISTRATION
from web import create_app
from workflows import cases
from workflows.accounts import create_user
from workflows.org import area_code, build_demo_organisation, load_area_file

PASSWORD = "Mat-khau-2024"
COMMUNE_A = area_code("2024", "23311")  # Xã Đắk Cấm, thành phố Kon Tum
COMMUNE_B = area_code("2024", "23314")  # Xã Kroong, thành phố Kon Tum
CITY = area_code("2024", "608")
STAFF = {
    "an": f"{COMMUNE_A}/ubnd",
    "binh": f"{COMMUNE_A}/ubnd",
    "cuong": f"{COMMUNE_B}/ubnd",
    "dung": f"{CITY}/ldtbxh",
    "em": f"{CITY}/ca",
    "giang": f"{CITY}/bd",
    "admin": "2024:62/so-ldtbxh",
}


@pytest.fixture
def app(database_url):
    clock = ManualClock(datetime(2024, 3, 4, 1, 0, tzinfo=UTC))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True})
    ctx = app.extensions["ansinh"]
    ctx.clock = clock
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
        for username, agency in STAFF.items():
            create_user(session, username, PASSWORD, agency, clock.now, is_admin=username == "admin",
                        full_name=f"Cán bộ {username.title()}")  # fmt: skip
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    app.clock = clock
    yield app
    ctx.db.dispose()


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


@pytest.fixture
def browser(app):
    return lambda username=None: Browser(app, username)


@pytest.fixture
def case_at_registration(app):
    """A case in commune A waiting at registration (outreach done)."""
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, "BN-0001", COMMUNE_A, "Y Thị Hoa", "elderly_80_plus_no_pension")
    cases.submit(ctx, step.open_tasks[0].id, {"contact_date": "2024-03-01", "channel": "home_visit",
                                               "outcome": "agrees"})  # fmt: skip
    (task,) = engine.get_instance(ctx, step.instance_id).open_tasks
    return task


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
        cases.submit(ctx, task.id, form)
    return "BN-0002"
