"""Existing rolls (danh sách đối tượng đang hưởng): the template, the upload, the import's progress and its
report, and the file of rejected rows. For commune and district labour staff, for their own areas."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import ValidationError
from workflows.roster import queue_roll_import
from workflows.roster.areas import ROLES
from workflows.roster.service import agency_template, import_report, list_imports

from . import files
from .bulk import XLSX
from .security import ctx, scope

bp = Blueprint("roster", __name__, url_prefix="/roster")


@bp.before_request
@login_required
def roll_staff_only():
    if not set(ROLES) & set(scope().roles):
        abort(404)


def _agency() -> str:
    return current_user.account.agency_code


@bp.get("")
def page():
    return _page()


@bp.get("/template.xlsx")
def template():
    return _download(agency_template(ctx(), _agency()), "mau-danh-sach-doi-tuong.xlsx")


@bp.post("")
def upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(_("Vui lòng chọn tệp danh sách (.xlsx hoặc .csv) để tải lên.")), 422
    try:
        import_id = queue_roll_import(ctx(), upload.filename, upload.read(), current_user.username, _agency())
    except ValidationError as exc:
        return _page(_("Không nhận tệp «%(name)s»: %(reason)s", name=upload.filename, reason=str(exc))), 422
    return redirect(url_for("roster.show", import_id=import_id))


@bp.get("/<int:import_id>")
def show(import_id: int):
    return render_template("roster_import.html", report=import_report(ctx(), import_id, _agency()))


@bp.get("/<int:import_id>/status")
def status(import_id: int):
    """The progress partial htmx polls every second until the import is done."""
    return render_template("_roster_status.html", report=import_report(ctx(), import_id, _agency()))


@bp.get("/<int:import_id>/rejected.xlsx")
def rejected(import_id: int):
    """The rejected rows' file, built by a background job (a large roll's takes longer than a request)."""
    import_report(ctx(), import_id, _agency())  # 404 for another office's import
    payload = {"import_id": import_id, "agency": _agency()}
    return files.queue("roll_rejected", payload, f"dong-bi-tu-choi-{import_id}.xlsx", f"roll/{import_id}")


def _page(error: str | None = None) -> str:
    return render_template("roster.html", imports=list_imports(ctx(), _agency()), error=error)


def _download(content: bytes, name: str) -> Response:
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
