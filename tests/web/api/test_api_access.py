"""Tokens (hashed, expiring, revocable, scoped), the pages' role-and-area scoping, the history of calls,
rate limits, errors in both languages, and the web pages' CSRF protection left as it was."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import HistoryEvent
from tests.web.conftest import Browser, csrf_token
from tests.web.demo_app import COMMUNE_A, open_case_at_registration
from workflows.apiaccess import ApiToken, revoke_token

from .conftest import ApiClient


def test_a_token_is_stored_hashed_and_refused_once_revoked_or_expired(app, token_for):
    ctx = app.extensions["ansinh"]
    made = token_for("an", days=2)
    with ctx.db.read() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.public_id == made.info.public_id))
        assert made.secret.split("_")[-1] not in (row.secret_hash, row.public_id)
    assert ApiClient(app, made.secret).get("/api/v1/tasks").status_code == 200
    assert ApiClient(app, made.secret + "x").get("/api/v1/tasks").status_code == 401
    nobody = app.test_client().get("/api/v1/tasks")
    assert nobody.status_code == 401 and nobody.headers["WWW-Authenticate"] == "Bearer"
    assert nobody.get_json()["code"] == "unauthorized"

    expiring = token_for("an", days=1)
    app.clock.advance(days=1, seconds=1)
    try:
        assert ApiClient(app, expiring.secret).get("/api/v1/tasks").status_code == 401
    finally:
        app.clock.advance(days=-1, seconds=-1)
    revoke_token(ctx, made.info.public_id, "admin")
    assert ApiClient(app, made.secret).get("/api/v1/tasks").status_code == 401


def test_a_token_without_the_scope_is_forbidden(api):
    reader = api("an", scopes=["tasks:read"])
    assert reader.get("/api/v1/tasks").status_code == 200
    refused = reader.post("/api/v1/tasks/nope/claim")
    assert refused.status_code == 403 and "tasks:write" in refused.get_json()["message"]
    assert reader.get("/api/v1/payout-cycles").status_code == 403


def test_tasks_and_cases_are_scoped_like_the_pages(app, api):
    task = open_case_at_registration(app, "BN-API-1")
    mine, other_commune, police = api("an"), api("cuong"), api("em")
    assert task.id in {t["id"] for t in mine.get("/api/v1/tasks").get_json()["tasks"]}
    assert task.id not in {t["id"] for t in other_commune.get("/api/v1/tasks").get_json()["tasks"]}
    assert other_commune.get(f"/api/v1/tasks/{task.id}").status_code == 404
    assert other_commune.post(f"/api/v1/tasks/{task.id}/claim").status_code == 404
    assert other_commune.get("/api/v1/cases/BN-API-1").status_code == 404
    assert "BN-API-1" not in {c["code"] for c in other_commune.get("/api/v1/cases").get_json()["cases"]}

    shown = mine.get("/api/v1/cases/BN-API-1").get_json()
    assert shown["record"]["full_name"] == "Y Thị Hoa" and shown["open_tasks"][0]["id"] == task.id
    assert "BN-API-1" in {c["code"] for c in mine.get("/api/v1/cases?q=hoa").get_json()["cases"]}
    assert police.get(f"/api/v1/tasks/{task.id}").status_code == 404  # not the police's step yet


def test_opening_a_case_needs_the_communes_role_there(app, api):
    body = {
        "code": "BN-API-OPEN",
        "area_code": COMMUNE_A,
        "full_name": "Đinh Văn Hùng",
        "category_code": "elderly_80_plus_no_pension",
    }
    refused = api("em").post("/api/v1/cases", json=body)
    assert refused.status_code == 403 and refused.get_json()["errors"][0]["field"] == "area_code"
    opened = api("an").post("/api/v1/cases", json=body)
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["open_tasks"][0]["step"] == "outreach"


def test_every_call_is_in_the_history_under_the_tokens_owner(app, token_for):
    ctx = app.extensions["ansinh"]
    system = token_for(system="vnpost-kontum", agency=f"{COMMUNE_A}/ubnd", scopes=["tasks:read"])
    ApiClient(app, system.secret).get("/api/v1/tasks?sort=name")
    with ctx.db.read() as db:
        call = db.execute(
            select(HistoryEvent.actor, HistoryEvent.data)
            .where(HistoryEvent.kind == "api_call")
            .order_by(HistoryEvent.id.desc())
        ).first()
        created = db.execute(
            select(HistoryEvent.actor, HistoryEvent.data).where(HistoryEvent.kind == "api_token_created")
        ).all()
    assert call.actor == "system:vnpost-kontum"
    assert call.data == {
        "token": system.info.public_id,
        "method": "GET",
        "path": "/api/v1/tasks?sort=name",
        "status": 200,
    }
    assert ("admin", system.info.public_id) in {(actor, data["token"]) for actor, data in created}


def test_field_errors_in_vietnamese_or_english(app, api):
    task = open_case_at_registration(app, "BN-API-2")
    bad = {"data": {"full_name": "Y Thị Hoa", "cccd": "12345"}}
    vi = api("an").post(f"/api/v1/tasks/{task.id}/complete", json=bad)
    en = api("an", language="en-GB,en;q=0.9").post(f"/api/v1/tasks/{task.id}/complete", json=bad)
    assert vi.status_code == en.status_code == 422
    vi_errors = {e["field"]: e["message"] for e in vi.get_json()["errors"]}
    en_errors = {e["field"]: e["message"] for e in en.get_json()["errors"]}
    assert (
        vi.get_json()["message"] == "Dữ liệu không hợp lệ."
        and en.get_json()["message"] == "The data is not valid."
    )
    assert vi_errors["cccd"].startswith("Số CCCD phải gồm đúng 12 chữ số")
    assert en_errors["cccd"] == "A CCCD has exactly 12 digits; this one has 5."
    assert (
        vi_errors["date_of_birth"].startswith("Vui lòng nhập")
        and en_errors["date_of_birth"] == "This field is required."
    )
    assert vi.headers["Content-Language"] == "vi" and en.headers["Content-Language"] == "en"

    wrong_type = api("an", language="en").get("/api/v1/tasks?page=zero").get_json()
    assert wrong_type["code"] == "validation_failed"
    assert wrong_type["errors"] == [{"field": "page", "message": "Not a valid integer."}]
    in_vietnamese = api("an").get("/api/v1/tasks?page=zero").get_json()
    assert in_vietnamese["errors"] == [{"field": "page", "message": "Không phải số nguyên hợp lệ."}]


def test_claim_and_complete_a_task_through_the_api(app, api):
    task = open_case_at_registration(app, "BN-API-3")
    an = api("an")
    assert an.post(f"/api/v1/tasks/{task.id}/claim").get_json()["claimed_by"] == "an"
    assert api("binh").post(f"/api/v1/tasks/{task.id}/claim").status_code == 409
    form = an.get(f"/api/v1/tasks/{task.id}").get_json()
    assert "cccd" in {f["name"] for f in form["form"]}
    from tests.workflows.conftest import REGISTRATION

    done = an.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"data": {**REGISTRATION, "cccd": "062150123459"}, "expected_version": form["version"]},
    )
    assert done.status_code == 200, done.get_json()
    (routed,) = done.get_json()["next_tasks"]
    assert routed["task"]["step"] == "review" and routed["agency_code"].endswith("/ldtbxh")
    ctx = app.extensions["ansinh"]
    with ctx.db.read() as db:
        actor = db.scalar(
            select(HistoryEvent.actor).where(
                HistoryEvent.task_id == task.id, HistoryEvent.kind == "task_completed"
            )
        )
    assert actor == "an"


def test_rate_limit_per_token(app, api):
    first, second = api("an"), api("an")
    app.config["API_RATE_LIMIT"] = "2 per minute"
    try:
        assert [first.get("/api/v1/tasks").status_code for _ in range(3)] == [200, 200, 429]
        limited = first.get("/api/v1/tasks", headers={"Accept-Language": "en"})
        assert limited.get_json()["code"] == "rate_limited" and "Retry-After" in limited.headers
        assert second.get("/api/v1/tasks").status_code == 200  # another token has its own budget
    finally:
        app.config["API_RATE_LIMIT"] = "300 per minute"


def test_the_pages_keep_csrf_while_the_api_needs_none(app, api):
    task = open_case_at_registration(app, "BN-API-4")
    person = Browser(app, "an")
    assert person.client.post(f"/tasks/{task.id}/claim").status_code == 400  # no CSRF token: refused
    assert api("an").post(f"/api/v1/tasks/{task.id}/claim").status_code == 200
    # a browser's session cookie does not open the API: only a bearer token does
    assert person.client.get("/api/v1/tasks").status_code == 401


def test_admin_creates_and_revokes_tokens_on_a_page(app):
    admin = Browser(app, "admin")
    page = admin.get("/admin/api-tokens/").get_data(as_text=True)
    made = admin.client.post(
        "/admin/api-tokens/",
        data={
            "csrf_token": csrf_token(page),
            "name": "Bưu điện Kon Tum",
            "owner_kind": "system",
            "system_name": "vnpost",
            "agency_code": f"{COMMUNE_A}/ubnd",
            "scopes": ["payouts:read", "tasks:read"],
            "expires_on": (app.clock().date() + timedelta(days=30)).isoformat(),
        },
    )
    assert made.status_code == 201
    secret = made.get_data(as_text=True).split('<code id="new-token">')[1].split("<")[0]
    assert ApiClient(app, secret).get("/api/v1/tasks").status_code == 200
    public_id = secret.split("_")[1]
    assert secret not in admin.get("/admin/api-tokens/").get_data(as_text=True)  # shown once only
    admin.post(f"/admin/api-tokens/{public_id}/revoke", from_page="/admin/api-tokens/")
    assert ApiClient(app, secret).get("/api/v1/tasks").status_code == 401
    assert Browser(app, "an").get("/admin/api-tokens/").status_code == 404
