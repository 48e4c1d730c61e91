"""The provider's results files: upload one, watch it being applied (a progress bar polled by htmx), read
the per-row report and download it. The file is checked in the request, then applied by a background job
(any worker or the scheduler runs it, and resumes it after a restart); its progress lives in the
database, so any web worker can answer the polls."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import Conflict
from workflows import payouts
from workflows.payouts.files import import_report_csv
from workflows.payouts.imports import ImportRefused, ImportReport

from .conflicts import say_refusal
from .payouts import CSV, cycle_id_or_404, cycle_or_404, import_summary, payout_labels
from .security import ctx

bp = Blueprint("payout_imports", __name__, url_prefix="/payouts")
KINDS = ("account", "cash")
SHOWN_ROWS = 200  # refused rows listed on the page; the downloaded report has them all


@bp.before_request
@login_required
def logged_in():
    return None


@bp.get("/<int:cycle_id>/imports")
def page(cycle_id: int):
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    return _page(cycle)


@bp.post("/<int:cycle_id>/imports")
def upload(cycle_id: int):
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    upload, kind = request.files.get("file"), request.form.get("kind", "account")
    if kind not in KINDS:
        abort(400)
    if upload is None or not upload.filename:
        return _page(cycle, error=_("Vui lòng chọn tệp kết quả (.csv hoặc .xlsx) để tải lên.")), 422
    if not upload.filename.lower().endswith((".csv", ".xlsx")):
        error = _("Không nhận tệp «%(name)s»: chỉ nhận tệp .csv hoặc .xlsx.", name=upload.filename)
        return _page(cycle, error=error), 422
    chunk_rows = current_app.config["PAYOUT_IMPORT_CHUNK_ROWS"]
    try:
        report = payouts.queue_import(
            ctx(), cycle.id, upload.filename, upload.read(), kind, current_user.username, chunk_rows
        )
    except (ImportRefused, Conflict) as exc:
        error = _("Không nhận tệp «%(name)s»: %(reason)s", name=upload.filename, reason=say_refusal(exc))
        return _page(cycle, error=error), 422
    if report.already_imported:
        return _page(cycle, again=report)
    return redirect(url_for("payout_imports.show", cycle_id=cycle.id, import_id=report.import_id))


@bp.get("/<int:cycle_id>/imports/<int:import_id>")
def show(cycle_id: int, import_id: int):
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    return render_template("payout_import.html", cycle=cycle, **_status(cycle.id, import_id))


@bp.get("/<int:cycle_id>/imports/<int:import_id>/status")
def status(cycle_id: int, import_id: int):
    """The progress partial htmx polls every second until the import is done."""
    cycle_id = cycle_id_or_404(cycle_id, "provider")
    return render_template("_payout_import_status.html", **_status(cycle_id, import_id))


@bp.get("/<int:cycle_id>/imports/<int:import_id>/report.csv")
def report(cycle_id: int, import_id: int):
    _import_of(cycle_id_or_404(cycle_id, "provider"), import_id)
    name = f"ket-qua-xu-ly-{import_id}.csv"
    return Response(
        import_report_csv(ctx(), import_id), mimetype=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


def _page(cycle, error: str | None = None, again: ImportReport | None = None) -> str:
    return render_template(
        "payout_imports.html", cycle=cycle, imports=payouts.list_imports(ctx(), cycle.id), error=error,
        again=again, labels=payout_labels(), kind="cash" if cycle.status == "fallback" else "account",
    )  # fmt: skip


def _import_of(cycle_id: int, import_id: int) -> ImportReport:
    try:
        report = payouts.get_import(ctx(), import_id)
    except LookupError:
        abort(404)
    if report.cycle_id != cycle_id:
        abort(404)
    return report


def _status(cycle_id: int, import_id: int) -> dict:
    report = _import_of(cycle_id, import_id)
    done = report.status == "done"
    refused = payouts.import_rows(ctx(), import_id, outcomes=["refused"], limit=SHOWN_ROWS) if done else []
    job = None if done else payouts.import_job(ctx(), import_id)
    failure = job.note if job is not None and job.status == "failed" else None
    return {
        "cycle_id": cycle_id, "report": report, "done": done, "refused": refused, "failure": failure,
        "percent": int(report.progress * 100), "summary": import_summary(report), "labels": payout_labels(),
    }  # fmt: skip
