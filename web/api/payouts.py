"""Payout cycles for the roles that take part in them: list, one cycle with its books, its lines (masked
as the role requires; unmasked pages recorded), payment results line by line or as the provider's file
(the same exactly-once import as the page's upload), the imports' reports, the reconciliation."""

from __future__ import annotations

from dataclasses import asdict

from flask_babel import gettext as _

from engine.errors import NotFound
from workflows import payouts
from workflows.apiaccess import import_result_lines
from workflows.payouts.common import parse_month
from workflows.payouts.imports import get_import, import_rows, list_imports
from workflows.payouts.screen import LineFilter, cycles_for, lines_page, open_steps, roles_for

from ..security import ctx
from . import schemas as s
from .access import caller_scope, needs, principal
from .base import api_blueprint
from .errors import ApiProblem, not_found

MAX_ID = 2**63 - 1  # ids beyond a 64-bit integer exist nowhere (and the database would refuse them)
blp = api_blueprint("payouts", "/payout-cycles", "Monthly payout cycles of the caller's areas.")


@blp.get("")
@needs("payouts:read")
@blp.arguments(s.CycleQuery, location="query", as_kwargs=True)
@blp.response(200, s.CycleRowSchema(many=True))
def list_all(month=None):
    """The cycles of every area where the caller plays a payout role, newest month first."""
    cycles = cycles_for(ctx(), caller_scope()) or []
    if month:
        wanted = parse_month(month)
        cycles = [c for c in cycles if c["month"] == wanted]
    return cycles


@blp.get("/<int:cycle_id>")
@needs("payouts:read")
@blp.response(200, s.CycleSchema)
def show(cycle_id: int):
    """The cycle: its status, totals by method, its books to the đồng and its open steps."""
    cycle, roles = cycle_or_404(cycle_id)
    return {**_cycle_fields(cycle), "roles": sorted(roles), "open_steps": open_steps(ctx(), cycle)}


@blp.get("/<int:cycle_id>/reconciliation")
@needs("payouts:read")
@blp.response(200, s.BalanceSchema)
def reconciliation(cycle_id: int):
    """Paid + to return + returned = transferred, with what is still unresolved."""
    cycle, _roles = cycle_or_404(cycle_id)
    return _balance(cycle.books)


@blp.get("/<int:cycle_id>/lines")
@needs("payouts:read")
@blp.arguments(s.LineQuery, location="query", as_kwargs=True)
@blp.response(200, s.LinePageSchema)
def lines(cycle_id: int, page=1, per_page=100, status=None, method=None, commune=None, q=None):
    """The cycle's lines a page at a time; CCCD and account numbers in full only for the roles that need
    them (the provider), and every page shown in full is recorded in the cycle's history."""
    cycle, roles = cycle_or_404(cycle_id)
    filters = LineFilter(commune=commune, method=method, status=status, search=q, page=page)
    return lines_page(ctx(), cycle, roles, principal().actor, filters, per_page=per_page)


@blp.post("/<int:cycle_id>/results")
@needs("payouts:write")
@blp.arguments(s.ResultsBody)
@blp.response(200, s.ImportSchema)
def post_results(body, cycle_id: int):
    """Payment results line by line (by line id or CCCD): applied exactly once. The same lines sent again
    are recognised as the same import (``already_imported``) and change nothing; a line that already has
    its result is reported as a duplicate, per row."""
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    missing = [i for i, line in enumerate(body["lines"]) if not line.get("line_id") and not line.get("cccd")]
    if missing:
        message = _("Mỗi dòng cần mã dòng (line_id) hoặc số CCCD.")
        raise ApiProblem(
            422,
            "validation_failed",
            message,
            [{"field": f"lines.{i}.line_id", "message": message} for i in missing[:50]],
        )
    return import_result_lines(ctx(), cycle.id, body["kind"], body["lines"], actor=principal().actor)


@blp.post("/<int:cycle_id>/results/file")
@needs("payouts:write")
@blp.arguments(s.ResultsFileForm, location="form")
@blp.arguments(s.ResultsFileUpload, location="files")
@blp.response(200, s.ImportSchema)
def post_results_file(form, files, cycle_id: int):
    """The provider's results file (CSV or XLSX, the columns of the page's upload): applied exactly once;
    the same file again changes nothing."""
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    upload = files["file"]
    return payouts.import_results(
        ctx(),
        cycle.id,
        upload.filename or "results.csv",
        upload.read(),
        kind=form["kind"],
        actor=principal().actor,
    )


@blp.get("/<int:cycle_id>/imports")
@needs("payouts:read")
@blp.response(200, s.ImportSchema(many=True))
def imports(cycle_id: int):
    """The cycle's result imports, newest first."""
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    return list_imports(ctx(), cycle.id)


@blp.get("/<int:cycle_id>/imports/<int:import_id>")
@needs("payouts:read")
@blp.response(200, s.ImportDetailSchema)
def import_report(cycle_id: int, import_id: int):
    """One import with its per-row report (up to 5,000 rows)."""
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    if import_id > MAX_ID:
        raise not_found()
    try:
        report = get_import(ctx(), import_id)
    except LookupError:
        raise not_found() from None
    if report.cycle_id != cycle.id:
        raise not_found()
    rows = [
        {
            "row": row,
            "line_ids": [int(i) for i in (ids or "").split(",") if i],
            "outcome": outcome,
            "message": message,
        }
        for row, ids, outcome, message in import_rows(ctx(), import_id, limit=5000)
    ]
    return {**asdict(report), "rows": rows}


def cycle_or_404(cycle_id: int, role: str | None = None):
    """The cycle and the caller's payout roles for it; to anyone without one (or without ``role``), 404."""
    if cycle_id > MAX_ID:
        raise not_found()
    try:
        cycle = payouts.get_cycle(ctx(), cycle_id)
    except NotFound:
        raise not_found() from None
    roles = roles_for(caller_scope(), cycle.area_code)
    if not roles or (role is not None and role not in roles):
        raise not_found()
    return cycle, roles


def _balance(books) -> dict:
    return {**asdict(books), "paid": books.paid, "balanced": books.balanced}


def _cycle_fields(cycle) -> dict:
    fields = {name: getattr(cycle, name) for name in s.CycleSchema().fields if hasattr(cycle, name)}
    fields["books"] = _balance(cycle.books)
    fields["by_method"] = {method: asdict(total) for method, total in cycle.by_method.items()}
    return fields
