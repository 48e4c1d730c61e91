"""Who is calling the API and what they may do: the bearer token, the scopes an operation needs, the
same role-and-area scope as the pages, and every call written to the history under the token's owner."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from engine.errors import Busy
from workflows.apiaccess import Principal, authenticate_token, record_call
from workflows.scope import Scope
from workflows.tasks import Viewer

from ..security import agency_scope, ctx
from .errors import ApiProblem

SCOPE_ATTRIBUTE = "_api_scope"


def identify() -> None:
    """Find the caller from ``Authorization: Bearer …`` (app-wide, before the rate limiter keys on it)."""
    g.api_principal = None
    header = request.headers.get("Authorization", "")
    kind, _sep, token = header.partition(" ")
    if kind.lower() == "bearer" and token.strip():
        g.api_principal = authenticate_token(ctx(), token.strip())


def require_token() -> None:
    """Each API blueprint's first hook: no valid token, 401; a token without the operation's scope, 403."""
    principal = g.get("api_principal")
    if principal is None:
        raise ApiProblem(
            401,
            "unauthorized",
            _("Thiếu mã truy cập hoặc mã truy cập không hợp lệ, đã hết hạn hay đã bị thu hồi."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    view = current_app.view_functions.get(request.endpoint or "")
    needed = getattr(view, SCOPE_ATTRIBUTE, None)
    if needed and needed not in principal.scopes:
        raise ApiProblem(403, "forbidden", _("Mã truy cập không có quyền %(scope)s.", scope=needed))


def needs(scope_name: str) -> Callable:
    """The token scope an operation needs: checked by ``require_token``, stated in the OpenAPI text."""

    def mark(view):
        view = Blueprint.doc(**{"x-required-scope": scope_name})(view)
        setattr(view, SCOPE_ATTRIBUTE, scope_name)
        return view

    return mark


def principal() -> Principal:
    return g.api_principal


def caller_scope() -> Scope:
    if "scope" not in g:
        g.scope = agency_scope(principal().agency_code)
    return g.scope


def caller() -> Viewer:
    """The caller as the task and case faces need them."""
    return Viewer(principal().actor, caller_scope(), principal().is_admin)


def require_admin() -> None:
    if not principal().is_admin:
        raise ApiProblem(403, "forbidden", _("Chỉ quản trị viên được thực hiện thao tác này."))


def log_call(response):
    """The call, under the token's owner, in the append-only history (after the answer is known)."""
    caller = g.get("api_principal")
    if caller is not None:
        try:
            record_call(ctx(), caller, request.method, request.full_path.rstrip("?"), response.status_code)
        except Busy:  # the lock stayed taken (the answer is most likely 503 busy itself): say so, answer
            current_app.logger.warning("API call %s %s not in the history: the database stayed busy",
                                       request.method, request.url_rule)  # fmt: skip
    return response
