"""Administrators' process pages: versions, the modeler (drafts, validation, deploy), upload and download,
diff between versions, and moving running cases to a new version."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.bpmn_files import BPMN_NS, read_source
from engine.errors import NotFound, Problem, ValidationError
from workflows.processes import (
    catalog,
    deploy_process,
    discard_draft,
    list_process_versions,
    migrate_instances,
    open_document,
    preview_migration,
    save_draft,
    validate,
)

from .security import ctx, require_admin

bp = Blueprint("admin_processes", __name__, url_prefix="/admin/processes")


@bp.before_request
@login_required
def admins_only():
    require_admin()


def _problems(problems: list[Problem]) -> list[dict]:
    return [{"message": p.message, "file": p.file, "element": p.element, "line": p.line} for p in problems]


def _xml() -> str:
    body = request.get_json(silent=True) or {}
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationError.single(_("Thiếu nội dung BPMN (xml)."))
    return xml


@bp.get("")
def index():
    return render_template("admin_processes.html", processes=list_process_versions(ctx()))


@bp.get("/<key>/edit")
def edit(key: str):
    version = request.args.get("version", type=int)
    document = open_document(ctx(), key, version)
    return render_template("admin_modeler.html", document=document, catalog=catalog(ctx()))


@bp.get("/<key>/source")
def source(key: str):
    document = open_document(ctx(), key, request.args.get("version", type=int))
    return Response(document.xml, mimetype="application/xml")


@bp.get("/<key>/download")
def download(key: str):
    version = request.args.get("version", type=int)
    document = open_document(ctx(), key, version)
    name = f"{key}-v{document.base_version}{'-draft' if document.is_draft else ''}.bpmn"
    return Response(
        document.xml.encode("utf-8"),
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/<key>/validate")
def check(key: str):
    return jsonify({"problems": _problems(validate(ctx(), key, _xml()))})


@bp.post("/<key>/draft")
def draft(key: str):
    base = (request.get_json(silent=True) or {}).get("base_version") or 0
    saved_at = save_draft(ctx(), key, _xml(), int(base), current_user.username)
    return jsonify({"saved_at": saved_at.isoformat()})


@bp.post("/<key>/draft/discard")
def discard(key: str):
    discard_draft(ctx(), key, current_user.username)
    flash(_("Đã bỏ bản nháp của %(key)s.", key=key))
    return redirect(url_for("admin_processes.index"))


@bp.post("/<key>/deploy")
def deploy(key: str):
    result = deploy_process(ctx(), key, _xml(), current_user.username)
    flash(_("Đã triển khai %(key)s phiên bản %(version)s.", key=key, version=result.version))
    return jsonify({"version": result.version, "created": result.created})


@bp.post("/upload")
def upload():
    """A .bpmn drawn elsewhere becomes the draft of the process it holds, opened in the modeler."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationError.single(_("Chọn một tệp .bpmn."))
    content = file.read()
    document = read_source(file.filename, content)  # hostile or broken input is refused here (422)
    processes = list(document.tree.iter(f"{{{BPMN_NS}}}process")) if document.kind == "bpmn" else []
    if not processes:
        raise ValidationError.single(_("Tệp không có quy trình nào."), file=file.filename)
    # The executable process if there is one; otherwise the first, to be made executable in the modeler.
    processes.sort(key=lambda p: p.get("isExecutable") != "true")
    key = processes[0].get("id")
    try:
        base = open_document(ctx(), key).base_version
    except NotFound:  # a process not deployed yet
        base = 0
    save_draft(ctx(), key, document.text, base, current_user.username)
    flash(_("Đã tải lên bản nháp của %(key)s.", key=key))
    return redirect(url_for("admin_processes.edit", key=key))


@bp.get("/<key>/diff")
def diff(key: str):
    versions = next((p.versions for p in list_process_versions(ctx()) if p.key == key), [])
    newest = versions[0].version if versions else 1
    new = request.args.get("new", type=int) or newest
    old = request.args.get("old", type=int) or max(new - 1, 1)
    return render_template("admin_diff.html", key=key, old=old, new=new, versions=versions)


@bp.get("/<key>/migrate")
def migration(key: str):
    to = request.args.get("to", type=int)
    checks = preview_migration(ctx(), key, to)
    return render_template("admin_migrate.html", key=key, to=to, checks=checks)


@bp.post("/<key>/migrate")
def migrate(key: str):
    ids = [int(i) for i in request.form.getlist("instance_id") if i.isdigit()]
    to = request.form.get("to", type=int)
    result = migrate_instances(ctx(), key, ids, to, current_user.username)
    flash(
        _(
            "Đã chuyển %(moved)s hồ sơ sang phiên bản %(version)s; %(left)s hồ sơ ở lại.",
            moved=len(result.moved),
            version=result.to_version,
            left=len(result.refused),
        )
    )
    return redirect(url_for("admin_processes.index"))
