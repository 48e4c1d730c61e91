"""Who holds a task, as on the inbox page: give a claimed task back, or give it to a colleague of the
caller's agency. Routes on the tasks blueprint (the same /api/v1/tasks operations)."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

import engine
from workflows.accounts import list_users

from ..security import ctx
from . import schemas as s
from .access import needs, principal
from .errors import ApiProblem
from .tasks import blp, task_or_404


class AssignBody(Schema):
    assignee = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "the user name of an active colleague in the caller's agency"},
    )


@blp.post("/<task_id>/unclaim")
@needs("tasks:write")
@blp.response(200, s.TaskSchema)
def unclaim(task_id: str):
    """Give back a task the caller holds (a task another holds is a conflict, 409)."""
    task_or_404(task_id)
    return engine.unclaim_task(ctx(), task_id, principal().actor)


@blp.post("/<task_id>/assign")
@needs("tasks:write")
@blp.arguments(AssignBody)
@blp.response(200, s.TaskSchema)
def assign(body, task_id: str):
    """Give the task to a colleague of the caller's agency, whoever held it before."""
    task_or_404(task_id)
    with ctx().db.read() as db:
        colleagues = {u.username for u in list_users(db, principal().agency_code) if u.active}
    if body["assignee"] not in colleagues:
        message = _("Không có cán bộ đang hoạt động nào tên này trong cơ quan.")
        raise ApiProblem(422, "validation_failed", message, [{"field": "assignee", "message": message}])
    return engine.assign_task(ctx(), task_id, body["assignee"], principal().actor)
