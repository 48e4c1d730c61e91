"""The case page: the record (masked as the role requires), the diagram with where it stands, the timeline."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import NotFound
from workflows.case.reopen import reopen_case
from workflows.case.service import case_bpmn, show_case
from workflows.forms import FormInvalid
from workflows.tasks import officers_for_moves

from .domain_text import say
from .errors import flash_problems
from .security import ctx, viewer

bp = Blueprint("cases", __name__)


@bp.get("/cases/<code>")
@login_required
def case(code: str):
    try:
        page = show_case(ctx(), code, viewer())
    except NotFound:
        abort(404)
    return render_template(
        "case.html", case=page.record, timeline=page.timeline, diagram=page.diagram,
        open_tasks=page.open_tasks, moves=officers_for_moves(ctx(), page.open_tasks, viewer()),
    )  # fmt: skip


@bp.post("/cases/<code>/reopen")
@login_required
def reopen(code: str):
    """An administrator reopens a closed case, with a reason (audited, in the timeline)."""
    try:
        step = reopen_case(ctx(), code, request.form.get("reason", ""), viewer())
    except NotFound:
        abort(404)
    except FormInvalid as exc:
        flash_problems(exc.errors)
    else:
        at = ", ".join(say(t.name or t.bpmn_id) for t in step.open_tasks)
        flash(_("Đã mở lại hồ sơ %(code)s; hồ sơ tiếp tục ở bước “%(step)s”.", code=code, step=at))
    return redirect(url_for("cases.case", code=code))


@bp.get("/cases/<code>/diagram.bpmn")
@login_required
def diagram(code: str):
    try:
        return Response(case_bpmn(ctx(), code, viewer(), say), mimetype="application/xml")
    except NotFound:
        abort(404)
