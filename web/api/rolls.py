"""Existing rolls (danh sách đối tượng đang hưởng) brought in through the API, as on the page «Nhập danh
sách đối tượng»: the file is checked at once (a file that is not a roll is refused, 422), then imported by
a background job that resumes after a crash; its status and problems (rejected rows, differences from the
records) are read back. For the commune and district labour offices, each seeing only its own imports."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from engine.errors import NotFound
from workflows.roster import queue_roll_import
from workflows.roster.areas import ROLES
from workflows.roster.service import import_report, list_imports

from ..security import ctx
from . import schemas as s
from .access import caller_scope, needs, principal
from .base import api_blueprint
from .errors import ApiProblem, not_found
from .payouts import MAX_ID


class RollUpload(Schema):
    file = Upload(required=True, metadata={"description": "the roll, xlsx or csv (the template's columns)"})


class RollCounts(Schema):
    id = fields.Integer(required=True, attribute="import_id")
    file_name = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "running | done | failed"})
    rows_total = fields.Integer(required=True)
    created = fields.Integer(required=True)
    differences = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class RollImportRowSchema(RollCounts):
    started_at = fields.DateTime(required=True)


class RollProblemSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "the file's row number"})
    kind = fields.String(required=True, metadata={"description": "rejected | difference"})
    column = s.Said(allow_none=True)
    reason = s.SaidReport(required=True)
    code = fields.String(allow_none=True, metadata={"description": "the record's code (a difference)"})


class RollReportSchema(RollCounts):
    rows_done = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    error = fields.String(allow_none=True, metadata={"description": "why a failed import stopped"})
    problems = fields.List(fields.Nested(RollProblemSchema), required=True)


blp = api_blueprint(
    "rolls", "/rolls", "Existing rolls imported by the caller's office (a background job each)."
)


@blp.get("")
@needs("rolls:read")
@blp.response(200, RollImportRowSchema(many=True))
def list_all():
    """The office's roll imports, newest first (the last 20)."""
    roll_office()
    return list_imports(ctx(), principal().agency_code)


@blp.post("")
@needs("rolls:write")
@blp.arguments(RollUpload, location="files")
@blp.response(202, RollReportSchema)
def upload(files):
    """Import a roll (xlsx or csv, the template's columns, found by their Vietnamese headers): refused at
    once if it is not a roll (422); else queued and imported batch by batch. The same unfinished file
    again is the same import (it resumes); a finished one imported again creates nobody twice."""
    roll_office()
    upload = files["file"]
    import_id = queue_roll_import(
        ctx(), upload.filename or "roll.xlsx", upload.read(), principal().actor, principal().agency_code
    )
    return import_report(ctx(), import_id, principal().agency_code)


@blp.get("/<int:import_id>")
@needs("rolls:read")
@blp.response(200, RollReportSchema)
def show(import_id: int):
    """Where the import stands (running, done or failed), its counts and its first 200 problems."""
    roll_office()
    if import_id > MAX_ID:
        raise not_found()
    try:
        return import_report(ctx(), import_id, principal().agency_code)
    except NotFound:
        raise not_found() from None


def roll_office() -> None:
    if not set(ROLES) & set(caller_scope().roles):
        raise ApiProblem(
            403,
            "forbidden",
            _("Chỉ cán bộ UBND xã và Phòng Lao động - Thương binh và Xã hội được nhập danh sách."),
        )
