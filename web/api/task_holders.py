"""Who holds a task, as on the inbox and case pages (``workflows.tasks``): give a claimed task back, or
give it to an officer of the agency that must do it; its holder, a supervisor (an agency the task
escalates to) or an administrator may move a held task. Routes on the tasks blueprint (the same
/api/v1/tasks operations)."""

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
        metadata={
            "description": "the user name of an active officer of the agency that must do the task (the "
            "caller's own, or for a supervisor the agency it supervises)"
        },
    )


@blp.post("/<task_id>/unclaim")
@needs("tasks:write")
@blp.response(200, s.TaskSchema)
def unclaim(task_id: str):
    """Give back a task the caller holds, or, for a supervisor or an administrator, take it back from its
    holder (a task another holds is otherwise a conflict, 409)."""
    try:
        return tasks.unclaim_task(ctx(), task_id, caller())
    except NotFound:
        raise not_found() from None


@blp.post("/<task_id>/assign")
@needs("tasks:write")
@blp.arguments(AssignBody)
@blp.response(200, s.TaskSchema)
def assign(body, task_id: str):
    """Give the task to an officer of the agency that must do it (a task another holds moves only by its
    holder, a supervisor or an administrator: 409)."""
    try:
        return tasks.assign_task(ctx(), task_id, body["assignee"], caller())
    except tasks.NoSuchOfficer:
        message = _("Không có cán bộ đang hoạt động nào tên này trong cơ quan.")
        errors = [{"field": "assignee", "message": message}]
        raise ApiProblem(422, "validation_failed", message, errors) from None
    except NotFound:
        raise not_found() from None
