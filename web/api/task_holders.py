"""Who holds a task, as on the inbox page (``workflows.tasks``): give a claimed task back, or give it to
a colleague of the caller's agency. Routes on the tasks blueprint (the same /api/v1/tasks operations)."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from engine.errors import NotFound
from workflows import tasks

from ..security import ctx
from . import schemas as s
from .access import caller, needs
from .errors import ApiProblem, not_found
from .tasks import blp


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
    try:
        return tasks.unclaim_task(ctx(), task_id, caller())
    except NotFound:
        raise not_found() from None


@blp.post("/<task_id>/assign")
@needs("tasks:write")
@blp.arguments(AssignBody)
@blp.response(200, s.TaskSchema)
def assign(body, task_id: str):
    """Give the task to a colleague of the caller's agency (a task another holds moves only by its
    holder or an administrator: 409)."""
    try:
        tasks.open_task(ctx(), task_id, caller())
    except NotFound:
        raise not_found() from None
    try:
        return tasks.assign_task(ctx(), task_id, body["assignee"], caller())
    except NotFound:
        message = _("Không có cán bộ đang hoạt động nào tên này trong cơ quan.")
        errors = [{"field": "assignee", "message": message}]
        raise ApiProblem(422, "validation_failed", message, errors) from None
