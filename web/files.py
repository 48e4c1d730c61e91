"""/files: a file being built by a background job for the signed-in person (a dashboard table's xlsx, a
month's report, a roll's rejected rows): its page, the progress partial htmx polls, and the file itself.
Only the person who asked finds the job or its file."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows.downloads import fetch_file
from workflows.file_jobs import file_job, queue_file, subject_of

from .security import ctx

bp = Blueprint("files", __name__, url_prefix="/files")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


@bp.before_request
@login_required
def logged_in():
    return None


def queue(build: str, payload: dict, filename: str, subject: str):
    """Queue the file's job for the signed-in person and send them to its page. The caller has checked
    that they may have it; ``subject`` (``dashboard/<area>``, ``roll/<id>``) is where the page links back."""
    job = queue_file(ctx(), build, payload, filename, current_user.username, subject)
    return redirect(url_for("files.show", job_id=job.id))


@bp.get("/<int:job_id>")
def show(job_id: int):
    job, back = _job(job_id)
    return render_template("file_job.html", job=job, back=back, **links(job))


@bp.get("/<int:job_id>/status")
def status(job_id: int):
    """The partial htmx polls every second until the file is built."""
    job, _back = _job(job_id)
    return render_template("_file_job_status.html", job=job, **links(job))


@bp.get("/<int:job_id>/file")
def download(job_id: int):
    job, _back = _job(job_id)
    with ctx().db.read() as db:
        found = fetch_file(db, (job.result or {}).get("token", ""), current_user.username)
        if found is None:
            abort(404)
        content, name = found.content, found.filename
    mimetype = CSV if name.endswith(".csv") else XLSX
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, mimetype=mimetype, headers=headers)


def links(job) -> dict[str, str]:
    """The URLs the status partial needs for a job of this blueprint."""
    return {
        "status_url": url_for("files.status", job_id=job.id),
        "file_url": url_for("files.download", job_id=job.id),
        "page_url": url_for("files.show", job_id=job.id),
    }


def _job(job_id: int):
    job = file_job(ctx(), job_id, current_user.username)
    if job is None:
        abort(404)
    return job, _back(subject_of(job))


def _back(subject: str) -> tuple[str, str]:
    """The page the file is of, and the link's words."""
    what, _sep, which = subject.partition("/")
    if what == "roll" and which.isdigit():
        return url_for("roster.show", import_id=int(which)), _("Về kết quả nhập danh sách")
    return url_for("dashboard.index", area=which or None), _("Về bảng tình hình")
