"""Tasks: my agency's inbox, one task with its form, claim, complete (the page's submit, same checks)."""

from __future__ import annotations

from engine.errors import NotFound
from workflows import tasks
from workflows.inbox import InboxFilter, list_inbox

from ..security import ctx, now
from . import schemas as s
from .access import caller, caller_scope, needs, principal
from .base import api_blueprint
from .errors import not_found

blp = api_blueprint("tasks", "/tasks", "The open tasks of the caller's agency (its roles, in its areas).")


@blp.get("")
@needs("tasks:read")
@blp.arguments(s.TaskQuery, location="query", as_kwargs=True)
@blp.response(200, s.TaskPageSchema)
def list_tasks(page=1, sort="due", claimed=None, step=None, area=None, status=None, q=None):
    """The inbox: tasks of the caller's roles and areas; ``claimed=mine`` for those the caller holds."""
    filters = InboxFilter(
        step=step, area=area, status=status, search=q, claimed=claimed, sort=sort, page=page
    )
    with ctx().db.read() as db:
        return list_inbox(db, caller_scope(), filters, now(), principal().actor)


@blp.get("/<task_id>")
@needs("tasks:read")
@blp.response(200, s.TaskDetailSchema)
def show_task(task_id: str):
    """A task with its form's fields (the step's schema) and the values the form starts with, and what the
    task page shows beside the form: what the officers before said (a return reason, a supervisor's
    directive), the case's record (or the payout cycle, or the province's year), who holds it."""
    try:
        page = tasks.open_task(ctx(), task_id, caller())
    except NotFound:
        raise not_found() from None
    return {
        **page.task.__dict__, "version": page.version, "form": page.fields, "values": page.values,
        "due": page.due, "held_by": page.held_by, "said": page.handoff.said, "beside": _beside(page),
    }  # fmt: skip


def _beside(page: tasks.TaskPage) -> dict:
    """The page's ``beside`` under the name of its kind (``case``, ``cycle`` or ``year``)."""
    name = {"case": "case", "payout": "cycle", "year": "year"}.get(page.kind)
    return {"kind": page.kind, **({name: page.beside} if name else {})}


@blp.post("/<task_id>/claim")
@needs("tasks:write")
@blp.response(200, s.TaskSchema)
def claim(task_id: str):
    """Take the task (a task another holds is a conflict, 409)."""
    try:
        return tasks.claim_task(ctx(), task_id, caller())
    except NotFound:
        raise not_found() from None


@blp.post("/<task_id>/complete")
@needs("tasks:write")
@blp.arguments(s.CompleteBody)
@blp.response(200, s.SubmissionSchema)
def complete(body, task_id: str):
    """Submit the step's form: checked by the step's own schema and record checks (422 with the fields
    wrong), then the case moves on; the answer says who must act next, or what the case waits for."""
    try:
        done = tasks.submit_task(
            ctx(), task_id, body["data"], expected_version=body.get("expected_version"), viewer=caller()
        )
    except NotFound:
        raise not_found() from None
    return {
        "instance_id": done.step.instance_id, "status": done.step.status, "next_tasks": done.next_tasks,
        "waiting": list(done.waiting), "until": done.until,
    }  # fmt: skip
