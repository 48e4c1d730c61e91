"""Process versions: list the deployed ones; check uploaded BPMN/DMN files without deploying them, or
deploy them (administrators only). Both run the modeler's checks (the engine's and An Sinh's rules,
``workflows.processes``); a deployment with problems is refused whole, each problem naming its file,
element and line (422)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

import engine
from workflows.processes import check_upload, deploy_upload

from ..security import ctx
from . import schemas as s
from .access import needs, principal, require_admin
from .base import api_blueprint
from .errors import ApiProblem

blp = api_blueprint("processes", "/processes", "Deployed process versions (BPMN and DMN).")
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        },
    }
}


@blp.get("")
@needs("processes:read")
@blp.response(200, s.ProcessSchema(many=True))
def list_all():
    """The newest version of every deployed process."""
    return engine.list_processes(ctx())


@blp.post("")
@needs("processes:write")
@blp.doc(**UPLOAD_DOC)
@blp.response(201, s.DeployedSchema(many=True))
def deploy():
    """Deploy .bpmn/.dmn files (multipart field ``files``, repeated): all or nothing; identical content
    returns the existing version (``created: false``)."""
    require_admin()
    return deploy_upload(ctx(), uploaded_files(), principal().actor)


@blp.post("/validate")
@needs("processes:write")
@blp.doc(**UPLOAD_DOC)
@blp.response(200, s.CheckedSchema)
def validate():
    """Check .bpmn/.dmn files (multipart field ``files``) as one deployment would, storing nothing:
    every problem in one pass (an empty list: it would deploy)."""
    require_admin()
    return {"problems": check_upload(ctx(), uploaded_files())}


def uploaded_files() -> dict[str, bytes]:
    files = {f.filename: f.read() for f in request.files.getlist("files") if f.filename}
    if not files:
        message = _("Vui lòng gửi ít nhất một tệp .bpmn hoặc .dmn (trường files).")
        raise ApiProblem(422, "validation_failed", message, [{"field": "files", "message": message}])
    return files
