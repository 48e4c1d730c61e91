"""Administration: staff accounts (search, create, edit, deactivate, reset a password; all audited)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import EngineError
from workflows.accounts.admin import account_history, add_user, reset_user_password, search_users, update_user
from workflows.org.routing import list_agencies

from .conflicts import say_refusal
from .security import ctx, require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    require_admin()


def _agencies():
    with ctx().db.read() as db:
        return [(a.code, a.name) for a in list_agencies(db)]


def _users_page(error: str | None = None, form=None, status: int = 200):
    q, agency = request.args.get("q", ""), request.args.get("agency") or None
    users = search_users(ctx(), q, agency)
    page = render_template(
        "admin_users.html", users=users, agencies=_agencies(), error=error, form=form, q=q, agency=agency
    )
    return page, status


@bp.get("/users")
def users():
    return _users_page()


@bp.post("/users")
def create():
    form = request.form
    try:
        account = add_user(
            ctx(), form.get("username", ""), form.get("password", ""), form.get("agency_code", ""),
            current_user.username, full_name=form.get("full_name") or None,
            is_admin=form.get("is_admin") == "on",
        )  # fmt: skip
    except EngineError as exc:
        return _users_page(say_refusal(exc), form, 422)
    flash(_("Đã tạo tài khoản %(name)s.", name=account.username))
    return redirect(url_for("admin.users"))


@bp.get("/users/<username>")
def user(username: str):
    account = next((u for u in search_users(ctx(), username) if u.username == username), None)
    if account is None:
        return render_template("error.html", code=404, message=None), 404
    changes = account_history(ctx(), username)
    return render_template("admin_user.html", account=account, agencies=_agencies(), changes=changes)


@bp.post("/users/<username>")
def edit(username: str):
    form = request.form
    try:
        update_user(
            ctx(), username, current_user.username, full_name=form.get("full_name"),
            agency_code=form.get("agency_code"), is_admin=form.get("is_admin") == "on",
            active=form.get("active") == "on",
        )  # fmt: skip
    except EngineError as exc:
        flash(_("Không lưu được: %(reason)s", reason=say_refusal(exc)), "error")
    else:
        flash(_("Đã lưu tài khoản %(name)s.", name=username))
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/<username>/password")
def password(username: str):
    try:
        reset_user_password(ctx(), username, request.form.get("password", ""), current_user.username)
    except EngineError as exc:
        flash(_("Không đặt lại được mật khẩu: %(reason)s", reason=say_refusal(exc)), "error")
    else:
        flash(_("Đã đặt lại mật khẩu cho %(name)s.", name=username))
    return redirect(url_for("admin.users"))
