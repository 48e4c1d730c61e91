"""Administration: API tokens for agency users and for other systems (created with scopes and an expiry,
shown once, revoked here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import EngineError
from workflows.accounts import list_users
from workflows.apiaccess import SCOPES, create_token, list_tokens, revoke_token
from workflows.deadlines import END_OF_WORKING_DAY, VIETNAM
from workflows.org.routing import list_agencies

from .conflicts import say_refusal
from .security import ctx, now, require_admin

bp = Blueprint("admin_tokens", __name__, url_prefix="/admin/api-tokens")
DEFAULT_DAYS = 90


@bp.before_request
@login_required
def admins_only():
    require_admin()


@bp.get("/")
def index():
    return _page()


@bp.post("/")
def create():
    form = request.form
    owner_kind = form.get("owner_kind", "user")
    try:
        expires = datetime.combine(
            date.fromisoformat(form.get("expires_on", "")), END_OF_WORKING_DAY, VIETNAM
        )
    except ValueError:
        return _page(error=_("Ngày hết hạn không hợp lệ."), form=form), 422
    try:
        made = create_token(
            ctx(),
            form.get("name", ""),
            form.getlist("scopes"),
            expires,
            current_user.username,
            username=form.get("username") if owner_kind == "user" else None,
            system_name=(form.get("system_name") or "").strip() if owner_kind == "system" else None,
            agency_code=form.get("agency_code") if owner_kind == "system" else None,
        )
    except EngineError as exc:
        return _page(error=say_refusal(exc), form=form), 422
    return _page(secret=made.secret, made=made.info), 201  # shown once, never stored or sent again


@bp.post("/<public_id>/revoke")
def revoke(public_id: str):
    try:
        revoke_token(ctx(), public_id, current_user.username)
    except EngineError as exc:
        flash(say_refusal(exc), "error")
    else:
        flash(_("Đã thu hồi mã truy cập %(id)s.", id=public_id))
    return redirect(url_for("admin_tokens.index"))


def _page(**extra):
    default_expiry = (now().astimezone(VIETNAM) + timedelta(days=DEFAULT_DAYS)).date()
    tokens = list_tokens(ctx())
    with ctx().db.read() as db:
        return render_template(
            "admin_tokens.html",
            tokens=tokens,
            users=[u for u in list_users(db) if u.active],
            agencies=list_agencies(db),
            scopes=SCOPES,
            now=now(),
            default_expiry=default_expiry,
            form=extra.pop("form", None),
            **extra,
        )
