"""The case page: the record (masked as the role requires), the diagram with where it stands, the timeline."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required

from engine.errors import NotFound
from workflows.case.service import case_bpmn, show_case

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
        open_tasks=page.open_tasks,
    )  # fmt: skip


@bp.get("/cases/<code>/diagram.bpmn")
@login_required
def diagram(code: str):
    try:
        return Response(case_bpmn(ctx(), code, viewer()), mimetype="application/xml")
    except NotFound:
        abort(404)
