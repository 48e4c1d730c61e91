"""Logins that strangers cannot turn into a lockout: delays grow per user name and address; a flood from
one address slows strangers there but not an officer who has logged in from it before; the client's
address is taken from a configured number of trusted proxies; the session cookie is Secure over HTTPS;
/status needs a login and /healthz says only up or down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, select, update

from engine.db import Database
from tests.conftest import BACKENDS, fresh_database
from tests.web.conftest import PASSWORD, Browser
from tests.web.demo_app import build_app
from web import create_app
from workflows.accounts import User, authenticate, throttle_wait, verify_password


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    """One app per backend for the module (each test uses its own user names and addresses), and the
    same site seen through one trusted reverse proxy."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        direct = build_app(url)
        proxied = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "TESTING": True, "TRUSTED_PROXIES": 1}
        )
        proxied.extensions["ansinh"].clock = proxied.clock = direct.clock
        yield direct, proxied
        for app in (direct, proxied):
            app.extensions["ansinh"].db.dispose()


@pytest.fixture
def app(site):
    site[0].clock.now += timedelta(hours=2)  # earlier tests' failures are forgotten
    return site[0]


@pytest.fixture
def proxied_app(site):
    return site[1]


def attempt(app, username: str, password: str, address: str):
    ctx = app.extensions["ansinh"]
    with ctx.db.write() as session:
        return authenticate(session, username, password, address, ctx.now())


def test_delays_grow_with_each_failure_and_are_capped(app):
    waits = []
    for _ in range(16):
        result = attempt(app, "ubnd.99999", "wrong-password-1", "203.0.113.5")  # no such user: same delays
        with app.extensions["ansinh"].db.read() as session:
            waits.append(throttle_wait(session, "ubnd.99999", "203.0.113.5", app.clock.now).total_seconds())
        app.clock.now += timedelta(seconds=waits[-1])
    assert result.account is None and not result.throttled
    assert waits[:7] == [0, 0, 1, 2, 4, 8, 16]
    assert max(waits) == 15 * 60  # capped


def test_a_flood_from_one_address_does_not_shut_out_an_officer_who_logs_in_from_there(app):
    assert attempt(app, "dung", PASSWORD, "198.51.100.7").account is not None  # Dũng's office, last week
    app.clock.now += timedelta(days=7)
    for number in range(25):  # a stranger behind the same address tries other names
        attempt(app, f"ubnd.{number}", "wrong-password-1", "198.51.100.7")
    assert attempt(app, "dung", PASSWORD, "198.51.100.7").account is not None
    stranger = attempt(app, "giang", PASSWORD, "198.51.100.7")  # never logged in from there: slowed too
    assert stranger.throttled and stranger.retry_after_s >= 1


def test_many_addresses_guessing_one_name_do_not_lock_out_its_office(app):
    assert attempt(app, "hung", PASSWORD, "198.51.100.8").account is not None
    for number in range(12):
        attempt(app, "hung", "wrong-password-1", f"203.0.114.{number}")
    assert attempt(app, "hung", "wrong-password-1", "203.0.114.200").throttled  # a new address waits
    assert attempt(app, "hung", PASSWORD, "198.51.100.8").account is not None  # the office does not


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_successful_login(app):
    ctx = app.extensions["ansinh"]

    def stored() -> str:
        with ctx.db.read() as session:
            return session.scalar(select(User.password_hash).where(User.username == "cuong"))

    with ctx.db.write() as session:  # as the first release hashed it: argon2-cffi's defaults
        old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)
        session.execute(update(User).where(User.username == "cuong").values(password_hash=old))
    assert attempt(app, "cuong", "wrong-password-1", "198.51.100.10").account is None
    assert stored() == old  # a refused attempt changes nothing
    assert attempt(app, "cuong", PASSWORD, "198.51.100.10").account is not None
    rehashed = stored()
    assert rehashed.startswith("$argon2id$v=19$m=7168,t=5,p=1$") and verify_password(rehashed, PASSWORD)
    assert attempt(app, "cuong", PASSWORD, "198.51.100.10").account is not None
    assert stored() == rehashed  # current parameters: kept


def test_a_login_checks_every_throttle_in_one_statement(app):
    ctx = app.extensions["ansinh"]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(ctx.db.engine, "before_cursor_execute", listener)
    try:
        result = attempt(app, "em", PASSWORD, "198.51.100.11")  # a new address: every throttle counts
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", listener)
    assert result.account is not None
    reads = [s for s in statements if "login_attempts" in s and s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, statements
    assert len(statements) == 3, statements  # the throttles, the user, the attempt recorded


def test_behind_a_trusted_proxy_the_forwarded_address_counts_and_https_makes_the_cookie_secure(
    app, proxied_app
):
    def through_proxy(client_address: str) -> Browser:
        browser = Browser(proxied_app)
        browser.client.environ_base.update(
            {
                "REMOTE_ADDR": "10.0.0.1",
                "HTTP_X_FORWARDED_FOR": client_address,
                "HTTP_X_FORWARDED_PROTO": "https",
                "HTTP_REFERER": "https://localhost/login",  # CSRF checks it on HTTPS
            }
        )
        return browser

    guesser = through_proxy("203.0.115.5")
    for _ in range(4):
        guesser.login("khanh", "wrong-password-1")
    assert guesser.login("khanh", PASSWORD).status_code == 429
    officer = through_proxy("198.51.100.9")  # same proxy, another client: not slowed
    response = officer.login("khanh")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_the_session_cookie_is_not_marked_secure_over_plain_http(app):
    response = Browser(app).login("long")
    assert response.status_code == 302 and "Secure" not in response.headers["Set-Cookie"]


def test_a_forwarded_address_is_ignored_without_a_trusted_proxy(app):
    guesser = Browser(app)
    for number in range(4):
        guesser.client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.116.{number}"  # made up each time
        guesser.login("binh", "wrong-password-1")
    assert guesser.login("binh", PASSWORD).status_code == 429


def test_status_needs_a_login_and_healthz_says_only_up(app):
    anonymous = app.test_client()
    assert anonymous.get("/status").status_code == 302
    health = anonymous.get("/healthz")
    assert (health.status_code, health.get_json()) == (200, {"status": "up"})
    page = Browser(app, "an").get("/status")
    assert page.status_code == 200 and "Hồ sơ đang xử lý" in page.get_data(as_text=True)


def test_healthz_says_down_when_the_database_cannot_be_reached(app):
    ctx = app.extensions["ansinh"]
    working, ctx.db = (
        ctx.db,
        Database.from_url("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"),
    )
    try:
        health = app.test_client().get("/healthz")
    finally:
        ctx.db = working
    assert (health.status_code, health.get_json()) == (503, {"status": "down"})
