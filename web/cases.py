"""The case page: the record (masked as the role requires), the diagram with where it stands, the timeline."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

import engine
from workflows.case_view import case_diagram, case_summary, instance_of, timeline
from workflows.inbox import case_in_scope

from .security import ctx, scope

bp = Blueprint("cases", __name__)


@bp.get("/cases/<code>")
@login_required
def case(code: str):
    _in_scope(code)
    summary = case_summary(ctx(), code, scope().roles, current_user.username)
    entries = timeline(ctx(), summary.instance_id) if summary.instance_id else []
    diagram = case_diagram(ctx(), summary.instance_id) if summary.instance_id else None
    open_tasks = engine.get_instance(ctx(), summary.instance_id).open_tasks if summary.instance_id else []
    return render_template(
        "case.html", case=summary, timeline=entries, diagram=diagram, open_tasks=open_tasks
    )


@bp.get("/cases/<code>/diagram.bpmn")
@login_required
def diagram(code: str):
    _in_scope(code)
    instance_id = instance_of(ctx(), code)
    if not instance_id:
        abort(404)
    return Response(case_diagram(ctx(), instance_id).xml, mimetype="application/xml")


def _in_scope(code: str) -> None:
    with ctx().db.read() as db:
        if not case_in_scope(db, scope(), code):
            abort(404)
