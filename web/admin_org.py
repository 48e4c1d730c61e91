"""Administrators' organisation pages: the working-day calendar (with the effect on open deadlines shown
before saving) and the agencies with their supervisors and dated role assignments."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import ValidationError
from workflows.deadlines.calendar import vietnam_holidays
from workflows.deadlines.calendar_days import list_calendar_days
from workflows.deadlines.calendar_effect import change_calendar_day, deadline_shifts
from workflows.org.admin import assign, organisation, set_supervisor
from workflows.org.models import ROLES

from .security import ctx, now, require_admin

bp = Blueprint("admin_org", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    require_admin()


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.values.get(name, ""))
    except ValueError:
        raise ValidationError.single(_("Ngày không hợp lệ (YYYY-MM-DD)."), element=name) from None


@bp.get("/calendar")
def calendar():
    year = request.args.get("year", type=int) or now().year
    package = vietnam_holidays(year)
    with ctx().db.read() as session:
        days = list_calendar_days(session, year)
    return render_template("admin_calendar.html", year=year, package=package, days=days)


@bp.post("/calendar/preview")
def calendar_preview():
    day, kind = _day("day"), request.form.get("kind") or None
    shifts = deadline_shifts(ctx(), day, kind)
    return render_template(
        "admin_calendar_preview.html", day=day, kind=kind, note=request.form.get("note", ""), shifts=shifts
    )


@bp.post("/calendar")
def calendar_save():
    day, kind = _day("day"), request.form.get("kind") or None
    moved = change_calendar_day(
        ctx(), day, kind, request.form.get("note", ""), current_user.username,
        move_deadlines=request.form.get("move_deadlines") == "on",
    )  # fmt: skip
    flash(
        _("Đã lưu ngày %(day)s; %(n)s hạn xử lý được dời theo.", day=day.strftime("%d/%m/%Y"), n=len(moved))
    )
    return redirect(url_for("admin_org.calendar", year=day.year))


@bp.get("/agencies")
def agencies():
    return render_template("admin_agencies.html", org=organisation(ctx(), now().date()), roles=ROLES)


@bp.post("/agencies/<path:code>/supervisor")
def supervisor(code: str):
    set_supervisor(ctx(), code, request.form.get("supervisor_code") or None, current_user.username)
    flash(_("Đã đổi đơn vị cấp trên của %(code)s.", code=code))
    return redirect(url_for("admin_org.agencies"))


@bp.post("/agencies/assignments")
def assignment():
    form = request.form
    ends = form.get("effective_to")
    result = assign(
        ctx(), form.get("role", ""), form.get("area_code", ""), form.get("agency_code", ""),
        _day("effective_from"), date.fromisoformat(ends) if ends else None, current_user.username,
    )  # fmt: skip
    flash(
        _(
            "Từ %(day)s, %(agency)s làm %(role)s tại %(area)s; %(n)s việc đang mở chuyển theo vào ngày đó.",
            day=result.effective_from.strftime("%d/%m/%Y"),
            agency=result.agency_code,
            role=result.role,
            area=result.area_code,
            n=result.open_tasks,
        )  # fmt: skip
    )
    return redirect(url_for("admin_org.agencies"))
