"""The status page served until the inbox lands: Vietnamese, UTF-8, and true to the database."""

from __future__ import annotations

import pytest

from engine import deploy_paths, start_instance
from tests.conftest import FIXTURES
from web import create_app
from workflows.bootstrap import bootstrap


@pytest.fixture
def app(database_url, tmp_path):
    bootstrap(database_url, upgrade=True).db.dispose()
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
    yield app
    app.extensions["ansinh"].db.dispose()


def test_status_page_lists_deployed_processes_and_counts(app):
    ctx = app.extensions["ansinh"]
    assert app.test_client().get("/status").status_code == 302  # officers only: to the login page
    app.config["LOGIN_DISABLED"] = True  # the page itself, as a logged-in officer sees it
    empty = app.test_client().get("/status")
    assert empty.status_code == 200
    assert empty.content_type == "text/html; charset=utf-8"
    assert "Chưa có quy trình nào được triển khai" in empty.get_data(as_text=True)

    deploy_paths(ctx, [FIXTURES / "engine_subprocess.bpmn"])
    start_instance(ctx, "engine_subprocess", "BK-1", "62001")
    page = app.test_client().get("/status").get_data(as_text=True)
    assert "engine_subprocess" in page
    assert "Hồ sơ đang xử lý: 1" in page
    assert "Công việc đang mở: 1" in page


def test_health_check_says_only_up(app):
    body = app.test_client().get("/healthz").get_json()
    assert body == {"status": "up"}


def test_engine_errors_become_json_with_the_right_status(app):
    from engine.errors import Conflict, ValidationError

    @app.get("/boom/<kind>")
    def boom(kind):
        if kind == "conflict":
            raise Conflict("someone else was first")
        raise ValidationError.single("bad flow", file="a.bpmn", element="Flow_1")

    client = app.test_client()
    page = client.get("/boom/conflict")
    html = page.get_data(as_text=True)  # a person reads people's words, never the raw sentence
    assert page.status_code == 409 and "someone else was first" not in html
    assert "Xung đột: dữ liệu vừa được thay đổi bởi người khác." in html
    client.environ_base["HTTP_ACCEPT"] = "application/json"
    conflict = client.get("/boom/conflict")
    assert conflict.status_code == 409 and conflict.get_json()["message"] == "someone else was first"
    invalid = client.get("/boom/invalid")
    assert invalid.status_code == 422
    assert invalid.get_json()["problems"] == [
        {"message": "bad flow", "file": "a.bpmn", "element": "Flow_1", "line": None}
    ]
