"""/dashboard: where the province stands, for those who watch a territory (district People's Committee,
labour office, province department, administrators), with a drill-down province → district → commune;
each figure's numbers beside its chart and as xlsx; the coverage targets the province sets."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import NotFound
from workflows.dashboard import (
    DASHBOARD_ROLES,
    dashboard_page,
    get_document,
    set_target,
    target_history,
    yearly,
)
from workflows.dashboard.frame import build_frame
from workflows.dashboard.monthly_report import monthly_report
from workflows.deadlines import local_date
from workflows.forms import FormInvalid
from workflows.payouts.common import parse_month

from . import dashboard_tables, files
from .security import ctx, now, scope

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def logged_in():
    return None


bp.add_app_template_filter(dashboard_tables.figure, "figure")


@bp.app_context_processor
def dashboard_roles():
    """For the menu: the dashboard's link shows to those who watch a territory."""
    return {"dashboard_roles": DASHBOARD_ROLES}


def _page(area: str | None):
    try:
        return dashboard_page(ctx(), scope(), current_user.is_admin, area or None)
    except NotFound:
        abort(404)


@bp.get("/")
def index():
    page = _page(request.args.get("area"))
    return render_template("dashboard.html", page=page, tables=dashboard_tables.tables(page))


@bp.get("/<key>.xlsx")
def download(key: str):
    """A table's xlsx, built by a background job (a province's tables take longer than a request)."""
    area = _frame(request.args.get("area")).area
    if key not in dashboard_tables.BUILDERS:
        abort(404)
    slug = (area.code if area else "all").replace(":", "-")
    locale = str(get_locale() or "vi")
    payload = {"key": key, "area": area.code if area else None, **_asker(), "locale": locale}
    name = f"{key}-{slug}-{local_date(now()):%Y-%m-%d}.xlsx"
    return files.queue("dashboard_table", payload, name, f"dashboard/{area.code if area else ''}")


def _frame(area: str | None):
    """What the user watches at ``area`` (404 outside it): cheap, before a job is queued."""
    with ctx().db.read() as session:
        try:
            return build_frame(session, scope(), current_user.is_admin, area or None)
        except NotFound:
            abort(404)


def _asker() -> dict:
    return {"agency": current_user.account.agency_code, "admin": current_user.is_admin}


@bp.route("/targets", methods=["GET", "POST"])
def targets():
    """An area's coverage target: set or changed by the province department; every version kept."""
    area = request.values.get("area") or ""
    with ctx().db.read() as session:
        try:
            frame = build_frame(session, scope(), current_user.is_admin, area)
        except NotFound:
            abort(404)
        history = target_history(session.connection(), area)
    if not frame.can_set_targets:
        abort(404)
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.form
        try:
            set_target(ctx(), scope(), current_user.is_admin, area, values.get("due_on"),
                       values.get("share_pct"), values.get("note"), current_user.username)  # fmt: skip
        except FormInvalid as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("Đã lưu chỉ tiêu cho %(area)s.", area=frame.area.name))
            up = frame.area.parent_code if frame.trail else area
            return redirect(url_for("dashboard.index", area=up))
    return render_template("dashboard_targets.html", frame=frame, history=history, errors=errors,
                           values=values), status  # fmt: skip


@bp.get("/report")
@bp.get("/report.<fmt>")
def report(fmt: str = "html"):
    """The month's report of an area (due before the 12th): a printable page, or its xlsx."""
    if fmt not in ("html", "xlsx"):
        abort(404)
    try:
        month = parse_month(request.args.get("month") or "")
    except ValueError:
        month = None  # the month just paid
    try:
        found = monthly_report(ctx(), scope(), current_user.is_admin, request.args.get("area") or None, month)
    except NotFound:
        abort(404)
    if fmt == "xlsx":  # built by a background job, from the same report
        name = f"bao-cao-thang-{found.area_code.replace(':', '-')}-{found.month:%Y-%m}.xlsx"
        payload = {"area": found.area_code, "month": found.month.isoformat(), **_asker()}
        return files.queue("dashboard_report", payload, name, f"dashboard/{found.area_code}")
    return render_template("dashboard_report.html", report=found)


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    """A document the province's yearly process attached: for those who watch that province."""
    found = get_document(ctx(), document_id)
    if found is None:
        abort(404)
    key, filename, content = found
    province, _year = yearly.parse_key(key)
    with ctx().db.read() as session:
        try:
            build_frame(session, scope(), current_user.is_admin, province)
        except NotFound:
            abort(404)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, mimetype=XLSX, headers=headers)
