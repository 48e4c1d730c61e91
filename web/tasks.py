"""The task page: the step's form beside the case summary; submitting moves the case on."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import engine
from engine.errors import Conflict, NotFound
from workflows import cases, payouts
from workflows.case.prefill import PREFILLED_FORMS, record_values
from workflows.case_view import case_summary
from workflows.dashboard import YEAR_PROCESS, year_view
from workflows.deadlines import END_OF_WORKING_DAY, VIETNAM, extend_deadline
from workflows.forms import FormInvalid, boolean_fields, describe
from workflows.inbox import due_status, task_in_scope
from workflows.payouts.common import PROCESS as PAYOUT_PROCESS

from .payouts import payout_labels
from .security import ctx, now, scope

bp = Blueprint("tasks", __name__)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):
    view = _task_or_404(task_id)
    values, errors, status = _prefill(view), {}, 200
    if request.method == "POST":
        values = _posted(view.form_key)
        try:
            submission = cases.submit(
                ctx(), task_id, values, user=current_user.username,
                expected_version=request.form.get("version", type=int),
            )  # fmt: skip
        except FormInvalid as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            flash(_("Việc này vừa được người khác xử lý: %(reason)s", reason=str(exc)), "error")
            return redirect(url_for("inbox.index"))
        else:
            flash(_where_next(submission))
            return redirect(url_for("inbox.index"))
    instance = engine.get_instance(ctx(), view.instance_id)
    return (
        render_template(
            "task.html",
            task=view,
            fields=describe(view.form_key),
            values=values,
            errors=errors,
            version=instance.version,
            due=due_status(view.due_at, now()),
            **_beside(view),
        ),  # fmt: skip
        status,
    )


@bp.post("/tasks/<task_id>/due")
@login_required
def extend(task_id: str):
    """An administrator moves a deadline, with a reason; reminders and escalations follow it."""
    if not current_user.is_admin:
        abort(404)
    try:
        view = engine.get_task(ctx(), task_id)
    except (NotFound, Conflict):
        abort(404)
    reason = (request.form.get("reason") or "").strip()
    try:
        day = date.fromisoformat(request.form.get("due_date", ""))
    except ValueError:
        day = None
    if day is None or not reason:
        flash(_("Gia hạn cần ngày hạn mới và lý do."), "error")
    else:
        new_due = datetime.combine(day, END_OF_WORKING_DAY, VIETNAM)
        extend_deadline(ctx(), view.id, new_due, reason, current_user.username)
        flash(_("Đã gia hạn đến %(due)s.", due=new_due.strftime("%d/%m/%Y %H:%M")))
    return redirect(url_for("cases.case", code=view.business_key))


def _task_or_404(task_id: str):
    with ctx().db.read() as db:
        if not task_in_scope(db, scope(), task_id):
            abort(404)
    try:
        view = engine.get_task(ctx(), task_id)
    except (NotFound, Conflict):
        abort(404)
    if not view.form_key:
        abort(404)
    return view


def _beside(view) -> dict:
    """What the form is shown beside: the beneficiary's case, a payout step's cycle and its figures, or
    the province's year with the documents attached to its reviews."""
    if view.process_key == PAYOUT_PROCESS:
        return {"cycle": payouts.get_cycle(ctx(), key=view.business_key), "labels": payout_labels()}
    if view.process_key == YEAR_PROCESS:
        return {"year": year_view(ctx(), view.business_key)}
    return {"case": case_summary(ctx(), view.business_key, scope().roles, current_user.username)}


def _prefill(view) -> dict:
    """What the form shows first: what the record holds (from a roll, the new-case screen or an earlier
    registration), then the case's data, for the fields this form has."""
    names = {f.name for f in describe(view.form_key)}
    data = engine.get_instance(ctx(), view.instance_id).data
    with ctx().db.read() as db:
        recorded = record_values(db, view.business_key) if view.form_key in PREFILLED_FORMS else {}
    values = {k: v for k, v in data.items() if k in names and v not in (None, "")}
    values.update((k, v) for k, v in recorded.items() if k in names)
    return values


def _posted(form_key: str) -> dict:
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "version")}
    for name in boolean_fields(form_key):
        values[name] = request.form.get(name) in ("on", "true", "1", "yes")
    return values


def _where_next(submission) -> str:
    if submission.next_tasks:
        places = "; ".join(
            f"{r.agency_name} ({r.task.name or r.task.bpmn_id})" for r in submission.next_tasks
        )
        return _("Đã hoàn thành. Hồ sơ được chuyển đến: %(places)s.", places=places)
    if submission.step.status == "completed":
        return _("Đã hoàn thành. Hồ sơ đã kết thúc.")
    return _("Đã hoàn thành. Hồ sơ đang chờ sự kiện tiếp theo (hẹn giờ hoặc thông báo).")
