"""Bulk work for the police: download the pending records as a spreadsheet, upload the results."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows.bulk import SpreadsheetInvalid, export_pending, import_results
from workflows.bulk.report import STATUS_LABELS
from workflows.deadlines import local_date
from workflows.downloads import fetch_file, keep_file

from .security import ctx, now, scope

bp = Blueprint("bulk", __name__, url_prefix="/police")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def police_only():
    if "police" not in scope().roles:
        abort(404)


@bp.get("/bulk")
def page():
    return render_template("bulk.html", report=None, error=None, token=None)


@bp.get("/pending.xlsx")
def pending():
    content = export_pending(ctx(), current_user.account.agency_code, local_date(now()))
    name = f"lam-sach-du-lieu-{local_date(now()):%Y-%m-%d}.xlsx"
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/bulk")
def upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        error = _("Vui lòng chọn tệp Excel (.xlsx) để tải lên.")
        return render_template("bulk.html", report=None, error=error, token=None), 422
    try:
        report = import_results(
            ctx(), current_user.account.agency_code, upload.read(), current_user.username, local_date(now())
        )
    except SpreadsheetInvalid as exc:
        return render_template("bulk.html", report=None, error=str(exc), token=None), 422
    with ctx().db.write() as db:
        token = keep_file(db, current_user.username, "ket-qua-xu-ly.xlsx", report.as_xlsx(), now())
    return render_template("bulk.html", report=report, error=None, token=token, labels=STATUS_LABELS)


@bp.get("/results/<token>")
def results(token: str):
    with ctx().db.read() as db:
        download = fetch_file(db, token, current_user.username)
        if download is None:
            abort(404)
        headers = {"Content-Disposition": f'attachment; filename="{download.filename}"'}
        return Response(download.content, mimetype=XLSX, headers=headers)
