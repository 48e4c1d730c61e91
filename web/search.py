"""Finding any case in one's scope, open or closed (the inbox lists only the work waiting on my office)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from workflows.case.summary import STATUS_LABELS
from workflows.case_search import STATUSES, CaseQuery, category_choices, search_cases
from workflows.deadlines import local_date

from .security import ctx, now, scope

bp = Blueprint("search", __name__)


@bp.get("/cases")
@login_required
def cases():
    query = CaseQuery(
        code=request.args.get("code", ""), cccd=request.args.get("cccd", ""),
        name=request.args.get("name", ""), village=request.args.get("village", ""),
        category=request.args.get("category", ""), status=request.args.get("status", ""),
        page=request.args.get("page", 1, type=int),
    )  # fmt: skip
    asked = any((query.code, query.cccd, query.name, query.village, query.category, query.status))
    page = search_cases(ctx(), scope(), query, local_date(now())) if asked else None
    statuses = [(s, STATUS_LABELS.get(s, s)) for s in STATUSES]
    return render_template(
        "case_search.html", query=query, page=page, categories=category_choices(), statuses=statuses
    )
