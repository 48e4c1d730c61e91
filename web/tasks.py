"""The task page: the step's form beside what it is about; submitting moves the case on. Nothing typed
is lost: a refused submission (a wrong field, a colleague's claim, a race, an expired form token)
shows the form again with the values and says what to do."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf.csrf import CSRFError
from wtforms.validators import ValidationError as CsrfInvalid

from engine.errors import Conflict, NotFound
from workflows import tasks
from workflows.deadlines import VIETNAM
from workflows.forms import FormInvalid

from .csrf_masking import validate_masked
from .domain_text import say
from .errors import flash_problems
from .payouts import payout_labels
from .security import csrf, ctx, viewer

bp = Blueprint("tasks", __name__)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@csrf.exempt  # checked inside, so that an expired token shows the form again with what was typed
@login_required
def task(task_id: str):
    if request.method == "GET":
        return _render(_page_or_404(task_id))
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "version")}
    try:
        validate_masked(request.form.get("csrf_token"))
    except (CsrfInvalid, CSRFError):
        message = _("Phiên làm việc của biểu mẫu đã hết hạn. Những gì bạn nhập vẫn còn dưới đây: "
                    "bấm gửi lại.")  # fmt: skip
        return _render(_page_or_404(task_id), values, {"_schema": [message]}, 400)
    try:
        done = tasks.submit_task(
            ctx(), task_id, values, expected_version=request.form.get("version", type=int), viewer=viewer(),
            posted=True,
        )  # fmt: skip
    except NotFound:
        abort(404)
    except FormInvalid as exc:
        return _render(_page_or_404(task_id), values, exc.errors, 422)
    except tasks.TaskHeld as exc:
        message = _("%(holder)s đang giữ việc này nên bạn chưa gửi được. Những gì bạn nhập vẫn còn "
                    "dưới đây; hãy nhờ người đó trả lại việc, hoặc nhờ cơ quan cấp trên hay quản trị viên "
                    "giao lại.", holder=exc.holder)  # fmt: skip
        return _render(_page_or_404(task_id), values, {"_schema": [message]}, 409)
    except Conflict:
        message = _("Hồ sơ vừa được người khác cập nhật nên chưa gửi được. Những gì bạn nhập vẫn còn dưới "
                    "đây: kiểm tra lại rồi bấm gửi lại.")  # fmt: skip
        try:
            return _render(_page_or_404(task_id), values, {"_schema": [message]}, 409)
        except NotFound:
            flash(_("Việc này đã được người khác hoàn thành."), "error")
            return redirect(url_for("inbox.index"))
    flash(where_next(done))
    if done.yours_next:
        return redirect(url_for("tasks.task", task_id=done.yours_next))
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/due")
@login_required
def extend(task_id: str):
    """An administrator moves a deadline, with a reason; reminders and escalations follow it."""
    try:
        day = date.fromisoformat(request.form.get("due_date", ""))
    except ValueError:
        day = None
    try:
        view = tasks.extend_due(ctx(), task_id, day, request.form.get("reason", ""), viewer())
    except NotFound:
        abort(404)
    except FormInvalid as exc:
        flash_problems(exc.errors)
        return redirect(url_for("cases.case", code=request.form.get("case", "")))
    flash(_("Đã gia hạn đến %(due)s.", due=view.due_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")))
    return redirect(url_for("cases.case", code=view.business_key))


def _page_or_404(task_id: str) -> tasks.TaskPage:
    try:
        return tasks.open_task(ctx(), task_id, viewer())
    except NotFound:
        abort(404)


def _render(page: tasks.TaskPage, values: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template(
        "task.html", page=page, task=page.task, fields=page.fields, errors=errors or {}, version=page.version,
        values=page.values if values is None else values, due=page.due, beside=page.beside,
        labels=payout_labels(),
    ), status  # fmt: skip


def where_next(done: tasks.Submission) -> str:
    """Where the case went, in people's words: who must act and at which step, or what it waits for."""
    if done.next_tasks:
        places = "; ".join(
            _("%(agency)s, bước “%(step)s”", agency=r.agency_name, step=say(r.task.name or r.task.bpmn_id))
            for r in done.next_tasks
        )
        return _("Đã hoàn thành. Hồ sơ được chuyển đến: %(places)s.", places=places)
    if done.step.status == "completed":
        return _("Đã hoàn thành. Hồ sơ đã kết thúc.")
    what = ", ".join(say(name) for name in done.waiting) or _("bước tiếp theo")
    if done.until is not None:
        return _("Đã hoàn thành. Hồ sơ đang chờ: %(what)s, đến %(until)s.", what=what,
                 until=done.until.astimezone(VIETNAM).strftime("%d/%m/%Y"))  # fmt: skip
    return _("Đã hoàn thành. Hồ sơ đang chờ: %(what)s.", what=what)
