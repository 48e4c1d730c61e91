"""Logging in and out, throttling, CSRF, idle timeout, security headers, the admin pages."""

from __future__ import annotations

from datetime import timedelta

from tests.web.conftest import PASSWORD, Browser, csrf_token


def test_login_with_a_wrong_password_says_so_in_vietnamese(app):
    response = Browser(app).login("an", "wrong-password-1")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_login_renews_the_session_and_lands_on_the_inbox(app):
    browser = Browser(app)
    browser.client.get("/login")
    before = browser.client.get_cookie("session")
    response = browser.login("an")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    after = browser.client.get_cookie("session")
    assert before is None or before.value != after.value
    page = browser.get("/").get_data(as_text=True)
    assert "Việc cần làm" in page and "Cán bộ An" in page


def test_failures_slow_down_the_guesser_not_the_officer_elsewhere(app):
    guesser = Browser(app)
    for _ in range(3):  # three failures are free; then wait 1 s, then 2 s, 4 s, …
        assert guesser.login("an", "wrong-password-1").status_code == 401
    too_soon = guesser.login("an", PASSWORD)  # even the right password is not checked while waiting
    assert too_soon.status_code == 429
    assert too_soon.headers["Retry-After"] == "1"
    assert "Vui lòng thử lại sau 1 giây" in too_soon.get_data(as_text=True)
    elsewhere = Browser(app)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert elsewhere.login("an").status_code == 302  # the officer at another address is not locked out
    app.clock.now += timedelta(seconds=5)
    assert guesser.login("an", PASSWORD).status_code == 302  # and the wait ends by itself


def test_pages_need_a_login(app):
    response = Browser(app).get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_forms_without_a_csrf_token_are_refused(app):
    browser = Browser(app, "an")
    response = browser.client.post("/logout")
    assert response.status_code == 400
    assert browser.get("/").status_code == 200  # still logged in


def test_logout(app):
    browser = Browser(app, "an")
    assert browser.post("/logout").status_code == 302
    assert browser.get("/").status_code == 302


def test_idle_sessions_expire(app):
    app.config["IDLE_TIMEOUT_S"] = 0.0
    browser = Browser(app, "an")
    response = browser.get("/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]


def test_security_headers_forbid_framing_and_inline_script(app):
    response = Browser(app).get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "frame-ancestors 'none'" in csp
        and "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)


def test_admin_creates_users_and_resets_passwords(app):
    admin = Browser(app, "admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Tài khoản cán bộ" in page
    created = admin.post(
        "/admin/users",
        {
            "username": "hoa",
            "full_name": "Nguyễn Thị Hoa",
            "agency_code": "2024:608/ldtbxh",
            "password": "Hoa-12345678",
        },
        from_page="/admin/users",
    )
    assert created.status_code == 302
    assert Browser(app).login("hoa", "Hoa-12345678").status_code == 302
    weak = admin.post(
        "/admin/users",
        {"username": "yen", "agency_code": "2024:608/ldtbxh", "password": "short"},
        "/admin/users",
    )
    assert weak.status_code == 422 and "ít nhất 10 ký tự" in weak.get_data(as_text=True)
    reset = admin.post("/admin/users/hoa/password", {"password": "Moi-mat-khau-9"}, "/admin/users")
    assert reset.status_code == 302
    assert Browser(app).login("hoa", "Moi-mat-khau-9").status_code == 302


def test_non_admins_do_not_see_the_admin_pages(app):
    assert Browser(app, "an").get("/admin/users").status_code == 404


def test_the_login_page_has_a_csrf_token_and_utf8(app):
    response = Browser(app).get("/login")
    html = response.get_data(as_text=True)
    assert csrf_token(html)
    assert '<meta charset="utf-8">' in html and response.content_type == "text/html; charset=utf-8"


def test_static_files_leave_the_session_cookie_alone(app):
    """Fetched alongside a page, a static response that rewrote the cookie could land after a later
    request's (a language switch, a log-out) and undo it."""
    browser = Browser(app, "an")
    browser.get("/")
    for path in ("/static/app.css", "/assets/htmx.min.js"):
        response = browser.get(path)
        response.close()
        assert response.status_code == 200 and "Set-Cookie" not in response.headers, path
    assert "Set-Cookie" not in browser.get("/").headers  # nor does every page: "seen" moves every 30 s


def test_admin_searches_edits_and_deactivates_users_with_every_change_audited(app):
    admin = Browser(app, "admin")
    found = admin.get("/admin/users?q=AN").get_data(as_text=True)
    assert 'data-user="an"' in found and 'data-user="cuong"' not in found
    assert 'data-user="an"' not in admin.get("/admin/users?q=zzz").get_data(as_text=True)
    saved = admin.post(
        "/admin/users/an",
        {"full_name": "Trần Văn An", "agency_code": "2024:608/ldtbxh"},  # "active" unticked: deactivated
        "/admin/users/an",
    )
    assert saved.status_code == 302
    assert Browser(app).login("an").status_code != 302  # a deactivated account cannot log in
    assert "Đã khoá" in admin.get("/admin/users?q=an").get_data(as_text=True)
    admin.post("/admin/users/an", {"full_name": "Trần Văn An", "active": "on"}, "/admin/users/an")
    admin.post("/admin/users/an/password", {"password": "Mat-khau-moi-7"}, "/admin/users")
    assert Browser(app).login("an", "Mat-khau-moi-7").status_code == 302
    page = admin.get("/admin/users/an").get_data(as_text=True)
    assert "user_updated" in page and "user_password_reset" in page
    assert "active: True → False" in page and "Mat-khau-moi-7" not in page
    own = admin.post("/admin/users/admin", {"full_name": "Admin"}, "/admin/users/admin")  # unticks itself
    assert own.status_code == 302
    assert Browser(app).login("admin").status_code == 302  # refused: no lock-out of oneself
