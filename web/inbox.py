"""The inbox: my agency's open tasks; claim, give back, assign to a colleague."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import engine
from engine.errors import Conflict, NotFound
from workflows import tasks
from workflows.accounts import list_users
from workflows.case.access import cases_open_to
from workflows.dashboard import yearly
from workflows.deadlines import acknowledge_escalation, escalations_for, local_date, reminders_for
from workflows.inbox import InboxFilter, list_inbox
from workflows.scope import agency_names, area_names

from .conflicts import say_conflict
from .security import ctx, now, scope, viewer

bp = Blueprint("inbox", __name__)


@bp.app_template_global()
def work_url(key: str) -> str:
    """Where a task's business key leads: its payout cycle, its province's year, or the beneficiary's case."""
    if key.startswith("PAY-"):
        return url_for("payouts.by_key", key=key)
    if yearly.is_year_key(key):
        return url_for("dashboard.index", area=yearly.parse_key(key)[0])
    return url_for("cases.case", code=key)


@bp.get("/")
@login_required
def index():
    filters = InboxFilter(
        step=request.args.get("step") or None,
        area=request.args.get("area") or None,
        status=request.args.get("status") or None,
        search=request.args.get("q") or None,
        claimed=request.args.get("claimed") or None,
        sort=request.args.get("sort", "due"),
        page=request.args.get("page", 1, type=int),
    )
    my_scope = scope()
    by_role = engine.steps_by_role(ctx())
    steps = sorted({step for role in my_scope.roles for step in by_role.get(role, [])}, key=lambda s: s[1])
    with ctx().db.read() as db:
        page = list_inbox(db, my_scope, filters, now(), current_user.username)
        colleagues = [u for u in list_users(db, current_user.account.agency_code) if u.active]
        areas = area_names(db, my_scope.all_areas)
        agency = current_user.account.agency_code
        escalations, reminders = escalations_for(db, agency), reminders_for(db, agency)
        agencies = agency_names(db, (a.assigned_agency_code for a in escalations))
        # A supervisor opens the cases whose work it supervises (``cases_open_to``); an escalation it
        # cannot open (the task moved on since) shows its code, no link.
        keys = {a.business_key for a in escalations if _is_case(a.business_key)}
        unreadable = keys - cases_open_to(db, my_scope, keys, local_date(now()))
    return render_template(
        "inbox.html", page=page, filters=filters, steps=steps, areas=areas, colleagues=colleagues, now=now(),
        escalations=escalations, reminders=reminders, agencies=agencies, unreadable=unreadable,
    )  # fmt: skip


def _is_case(key: str) -> bool:
    return not key.startswith("PAY-") and not yearly.is_year_key(key)


@bp.post("/alerts/<int:alert_id>/acknowledge")
@login_required
def acknowledge(alert_id: int):
    try:
        acknowledge_escalation(
            ctx(), alert_id, current_user.username, request.form.get("comment") or None,
            agency_code=current_user.account.agency_code,
        )  # fmt: skip
    except NotFound:
        abort(404)
    flash(_("Đã ghi nhận cảnh báo quá hạn."))
    return _back()


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    _act(lambda: tasks.claim_task(ctx(), task_id, viewer()), _("Đã nhận việc."))
    return _back()


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    _act(lambda: tasks.unclaim_task(ctx(), task_id, viewer()), _("Đã trả lại việc."))
    return _back()


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    assignee = request.form.get("assignee", "")
    _act(
        lambda: tasks.assign_task(ctx(), task_id, assignee, viewer()),
        _("Đã giao việc cho %(name)s.", name=assignee),
    )
    return _back()


def _act(action, done_message: str) -> None:
    try:
        action()
    except NotFound:
        abort(404)
    except Conflict as exc:  # held by another, or someone acted first
        flash(_("Không thực hiện được: %(why)s", why=say_conflict(exc)), "error")
    else:
        flash(done_message)


def _back():
    target = request.form.get("next") or url_for("inbox.index")
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else url_for("inbox.index")
    )
