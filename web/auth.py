"""Logging in and out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from workflows.accounts import authenticate

from .security import WebUser, ctx, now

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        expired = request.args.get("expired")
        return render_template("login.html", expired=expired, username="")
    username = request.form.get("username", "")
    with ctx().db.write() as db:
        result = authenticate(db, username, request.form.get("password", ""), request.remote_addr, now())
    account = result.account
    if result.throttled:
        message = _(
            "Đăng nhập sai nhiều lần. Vui lòng thử lại sau %(seconds)s giây.", seconds=result.retry_after_s
        )
        page = render_template("login.html", error=message, username=username)
        return page, 429, {"Retry-After": str(result.retry_after_s)}
    if account is None:
        message = _("Tên đăng nhập hoặc mật khẩu không đúng.")
        return render_template("login.html", error=message, username=username), 401
    next_page = request.args.get("next", "")
    chosen_language = session.get("lang")  # picked on the login page: it beats the account's own
    session.clear()  # a new session at login: nothing else from before it survives
    login_user(WebUser(account))
    session["since"] = session["seen"] = datetime.now(UTC).timestamp()
    session["lang"] = chosen_language or account.language
    return redirect(
        next_page if next_page.startswith("/") and not next_page.startswith("//") else url_for("inbox.index")
    )


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất."))
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    chosen = request.form.get("lang")
    if chosen in ("vi", "en"):
        session["lang"] = chosen
    target = request.form.get("next", "/")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
