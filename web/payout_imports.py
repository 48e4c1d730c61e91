"""The provider's results files: upload one, watch it being applied (a progress bar polled by htmx), read
the per-row report and download it. The import runs in a thread of the process that received the file;
its progress lives in the database, so any web worker can answer the polls."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import EngineContext
from engine.errors import Conflict
from workflows import payouts
from workflows.payouts.files import import_report_csv
from workflows.payouts.imports import ImportRefused, ImportReport

from .payouts import CSV, cycle_id_or_404, cycle_or_404, import_summary, payout_labels
from .security import ctx

log = logging.getLogger("ansinh.web.imports")
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
    config = current_app.config
    try:
        report = import_in_background(
            ctx(), cycle.id, upload.filename, upload.read(), kind, current_user.username,
            config["PAYOUT_IMPORT_CHUNK_ROWS"], config["PAYOUT_IMPORT_WAIT_S"],
        )  # fmt: skip
    except (ImportRefused, Conflict) as exc:
        error = _("Không nhận tệp «%(name)s»: %(reason)s", name=upload.filename, reason=str(exc))
        return _page(cycle, error=error), 422
    if report is None:  # still reading a large file: it shows in the list below
        flash(_("Tệp đang được xử lý; xem tiến độ trong danh sách các lần nhập."))
        return redirect(url_for("payout_imports.page", cycle_id=cycle.id))
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
    return {
        "cycle_id": cycle_id, "report": report, "done": done, "refused": refused,
        "percent": int(report.progress * 100), "summary": import_summary(report), "labels": payout_labels(),
    }  # fmt: skip


@dataclass
class _Run:
    settled: threading.Event = field(default_factory=threading.Event)
    report: ImportReport | None = None
    error: Exception | None = None


def import_in_background(
    ctx: EngineContext, cycle_id: int, file_name: str, content: bytes, kind: str, actor: str,
    chunk_rows: int, wait_s: float,
) -> ImportReport | None:  # fmt: skip
    """Apply the file in a thread; return once its first chunk is committed or it has ended (the report
    so far), or None if ``wait_s`` passed first. A refused file raises here, in the caller's thread."""
    run = _Run()

    def heard(report: ImportReport) -> None:
        if run.report is None:
            run.report = report
            run.settled.set()

    def work() -> None:
        try:
            final = payouts.import_results(
                ctx, cycle_id, file_name, content, kind=kind, actor=actor, chunk_rows=chunk_rows,
                on_progress=heard,
            )  # fmt: skip
            if run.report is None:
                run.report = final
        except (ImportRefused, Conflict) as exc:
            run.error = exc
        except Exception as exc:  # the thread's end: say so in the log, and to the page if it waits
            log.exception("import of %s into cycle %s failed", file_name, cycle_id)
            run.error = exc
        finally:
            run.settled.set()

    threading.Thread(target=work, name=f"payout-import-{cycle_id}", daemon=True).start()
    run.settled.wait(wait_s)
    if run.report is None and run.error is not None:
        raise run.error
    return run.report
