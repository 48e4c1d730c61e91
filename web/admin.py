"""Administration: staff accounts (create, reset a password)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import EngineError
from workflows.accounts import create_user, list_users, reset_password
from workflows.org.routing import list_agencies

from .security import ctx, now, require_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    require_admin()


@bp.get("/users")
def users():
    with ctx().db.read() as db:
        return render_template(
            "admin_users.html", users=list_users(db), agencies=list_agencies(db), error=None
        )


@bp.post("/users")
def create():
    form = request.form
    try:
        with ctx().db.write() as db:
            account = create_user(
                db, form.get("username", ""), form.get("password", ""), form.get("agency_code", ""), now(),
                full_name=form.get("full_name") or None, is_admin=form.get("is_admin") == "on",
            )  # fmt: skip
    except EngineError as exc:
        with ctx().db.read() as db:
            page = render_template(
                "admin_users.html",
                users=list_users(db),
                agencies=list_agencies(db),
                error=str(exc),
                form=form,
            )
        return page, 422
    flash(_("Đã tạo tài khoản %(name)s.", name=account.username))
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>/password")
def password(username: str):
    try:
        with ctx().db.write() as db:
            reset_password(db, username, request.form.get("password", ""), now())
    except EngineError as exc:
        flash(_("Không đặt lại được mật khẩu: %(reason)s", reason=str(exc)), "error")
    else:
        flash(_("Đã đặt lại mật khẩu cho %(name)s.", name=username))
    return redirect(url_for("admin.users"))
