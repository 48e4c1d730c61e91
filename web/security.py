"""Who is asking, and what they may see: logins, idle timeout, CSRF, security headers, the user's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from time import monotonic

from flask import Flask, abort, current_app, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, logout_user

from workflows.accounts import get_user
from workflows.deadlines import local_date
from workflows.scope import Scope, scope_for
from workflows.tasks import Viewer

from .csrf_masking import MaskedCSRFProtect

csrf = MaskedCSRFProtect()  # every page carries the token masked afresh (BREACH)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


FILE_ENDPOINTS = frozenset({"static", "assets.asset"})
SEEN_RESOLUTION_S = 30  # how finely the idle timeout tracks activity


class WebUser(UserMixin):
    """The logged-in account, as Flask-Login wants it."""

    def __init__(self, account) -> None:
        self.account = account
        self.id = account.id

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def is_admin(self) -> bool:
        return self.account.is_admin


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request came over HTTPS (directly, or through
    a trusted proxy that said so), so it is never sent back over plain HTTP."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    login_manager.init_app(app)

    @login_manager.user_loader
    def load(user_id: str):
        with ctx().db.lookup() as db:
            account = get_user(db, int(user_id))
        if account is None or _session_older_than_password(account):
            return None
        return WebUser(account)

    @app.before_request
    def idle_timeout():
        # Static files never touch the session: the browser fetches them alongside a page, and a response
        # that rewrote the cookie could land after a later one (a language switch, a log-out) and undo it.
        if request.endpoint in FILE_ENDPOINTS or not current_user.is_authenticated:
            return None
        last = session.get("seen")
        now = datetime.now(UTC).timestamp()
        if last is not None and now - last > current_app.config["IDLE_TIMEOUT_S"]:
            logout_user()
            session.clear()
            return redirect(url_for("auth.login", next=request.path, expired=1))
        if last is None or now - last >= SEEN_RESOLUTION_S:  # fewer rewrites of the cookie, fewer such races
            session["seen"] = now
        return None

    @app.context_processor
    def roles_in_templates():
        return {"current_roles": lambda: scope().roles if current_user.is_authenticated else ()}

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # A file's response keeps its own caching (web/assets.py), and asks nothing of the session.
        if request.endpoint not in FILE_ENDPOINTS and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _session_older_than_password(account) -> bool:
    """A password reset ends sessions that began before it."""
    started = session.get("since")
    return started is not None and started < account.password_changed_at.timestamp() - 1


def ctx():
    return current_app.extensions["ansinh"]


def now() -> datetime:
    return ctx().now()


SCOPE_TTL_S = 60.0


def scope() -> Scope:
    """The current user's scope. Role assignments change rarely, so a scope is reused for a minute
    (per process) rather than rebuilt from the area tree on every request."""
    if "scope" not in g:
        g.scope = agency_scope(current_user.account.agency_code)
    return g.scope


def viewer() -> Viewer:
    """The signed-in person as the task face needs them."""
    return Viewer(current_user.username, scope(), current_user.is_admin)


def agency_scope(agency_code: str) -> Scope:
    """What ``agency_code`` may see today: the pages' and the API's one scope guard."""
    scopes = current_app.extensions.setdefault("ansinh_scopes", {})
    key = (agency_code, local_date(now()))
    cached = scopes.get(key)
    if cached is None or monotonic() - cached[0] > SCOPE_TTL_S:
        with ctx().db.read() as db:
            cached = scopes[key] = (monotonic(), scope_for(db, *key))
    return cached[1]


def require_admin() -> None:
    if not current_user.is_authenticated or not current_user.is_admin:
        abort(404)


def session_age() -> timedelta:
    return timedelta(seconds=current_app.config["IDLE_TIMEOUT_S"])
