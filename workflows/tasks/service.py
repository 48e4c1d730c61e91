"""The task face: open a task page, submit a task, claim, give back, assign, move a deadline.

Views, the API and the CLI call these with ids and plain data; each opens its own unit of work and
returns a small dataclass. Who may do what is decided here, never in a view. What differs by process
(what the form is shown beside, its checks) is looked up in ``registry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.errors import Conflict, NotFound
from engine.steps import StepResult
from engine.views import TaskView

from ..deadlines import END_OF_WORKING_DAY, VIETNAM, extend_deadline, local_date
from ..forms import FormInvalid, boolean_fields, describe, load_form
from ..forms.registry import FieldSpec
from ..inbox import due_status, scope_condition
from ..scope import Scope
from .handoff import Handoff, handoff
from .registry import TaskPageParts, parts_for
from .routing import Routed, route


@dataclass(frozen=True)
class Viewer:
    """Who is acting: their login, the scope of their agency, and whether they administer the system."""

    username: str
    scope: Scope
    is_admin: bool = False


class TaskHeld(Conflict):
    """Someone else holds the task; the message says who, in Vietnamese."""

    def __init__(self, holder: str) -> None:
        super().__init__(
            f"Việc này đang do {holder} xử lý; chỉ người đó, cơ quan cấp trên hoặc quản trị viên "
            "thay đổi được.",
            holder=holder,
        )


@dataclass(frozen=True)
class TaskPage:
    task: TaskView
    fields: list[FieldSpec]
    values: dict[str, Any]
    version: int
    due: str  # on_time | due_soon | overdue
    kind: str  # what ``beside`` is: case | payout | year
    beside: Any
    held_by: str | None  # someone else holds it: the page shows who, and no form to submit
    handoff: Handoff = field(default_factory=Handoff)

    @property
    def editable(self) -> bool:
        return self.held_by is None


@dataclass(frozen=True)
class Submission:
    step: StepResult
    next_tasks: list[Routed]
    yours_next: str | None = None  # the next task is the submitter's own: the page takes them to it
    waiting: tuple[str, ...] = ()  # no task open: the events the case waits for, by name
    until: datetime | None = None  # ... and when its timer is due


def open_task(ctx: EngineContext, task_id: str, viewer: Viewer) -> TaskPage:
    """The task page for ``viewer``: the form with what it starts with, what the last steps said, and
    what is shown beside it. NotFound for a task outside the viewer's scope or without a form. Two units
    of work: one read (the task, the case's data, the record's values, what was said), then what is
    beside the form (whose unmasked personal numbers are recorded as viewed)."""
    with ctx.db.lookup() as session:
        task = _owned_task(ctx, session, task_id, viewer)
        if not task.form_key:
            raise NotFound(f"task {task_id} has no form")
        parts = _parts(task)
        version, data = engine.read_instance_data(ctx, session.connection(), task.instance_id)
        fields = describe(task.form_key)
        values = _prefill(session, task, parts, fields, data)
        said = handoff(ctx, session, task)
    held = task.claimed_by if task.claimed_by not in (None, viewer.username) else None
    beside = parts.beside(ctx, task, viewer.scope.roles, viewer.username)
    return TaskPage(
        task=task, fields=fields, values=values, version=version,
        due=due_status(task.due_at, ctx.now()), kind=parts.kind, beside=beside, held_by=held, handoff=said,
    )  # fmt: skip


def submit_task(
    ctx: EngineContext,
    task_id: str,
    raw: dict[str, Any],
    user: str | None = None,
    expected_version: int | None = None,
    viewer: Viewer | None = None,
    posted: bool = False,
) -> Submission:
    """Validate a step's form (its schema, then its process's checks) and complete the task with it.

    ``posted``: ``raw`` is what a browser sent, where an unticked checkbox is absent and means False.
    Raises FormInvalid with field-level Vietnamese messages (nothing changed), TaskHeld when another
    person holds the task, NotFound when ``viewer`` is given and the task is outside their scope.
    """
    task = _task_for(ctx, task_id, viewer) if viewer else engine.get_task(ctx, task_id)
    user = viewer.username if viewer else user
    if not task.form_key:
        raise FormInvalid({"_schema": [f"Bước {task.name or task.bpmn_id} không có biểu mẫu."]})
    if posted:
        raw = {
            **raw,
            **{name: raw.get(name) in ("on", "true", "1", "yes") for name in boolean_fields(task.form_key)},
        }
    if user is not None and task.claimed_by not in (None, user):
        raise TaskHeld(task.claimed_by)
    step = _parts(task).submit(ctx, task, raw, user, expected_version)
    routed = route(ctx, step.open_tasks)
    mine = next(
        (r.task.id for r in routed if viewer and viewer.scope.covers(r.task.role, r.task.area_code)), None
    )
    if routed or step.status == "completed":
        return Submission(step, routed, mine)
    return Submission(step, routed, mine, *_waiting(ctx, step.instance_id))


def claim_task(ctx: EngineContext, task_id: str, viewer: Viewer) -> TaskView:
    task = _task_for(ctx, task_id, viewer)
    if task.claimed_by not in (None, viewer.username):
        raise TaskHeld(task.claimed_by)
    return engine.claim_task(ctx, task_id, viewer.username)


def extend_due(ctx: EngineContext, task_id: str, day: date | None, reason: str, viewer: Viewer) -> TaskView:
    """An administrator moves a task's deadline to the end of working hours on ``day``, with a reason.
    A day already past (or today, once its working hours are over) is refused: FormInvalid."""
    if not viewer.is_admin:
        raise NotFound(f"task {task_id} does not exist")
    reason = (reason or "").strip()
    problems: dict[str, list[str]] = {}
    if day is None:
        problems["due_date"] = ["Vui lòng chọn ngày hạn mới."]
    if not reason:
        problems["reason"] = ["Vui lòng ghi lý do gia hạn."]
    new_due = datetime.combine(day, END_OF_WORKING_DAY, VIETNAM) if day else None
    if new_due is not None and new_due <= ctx.now():
        today = local_date(ctx.now())
        problems["due_date"] = [
            "Hạn mới phải sau thời điểm hiện tại: hôm nay đã hết giờ làm việc, hãy chọn từ ngày mai."
            if day == today
            else f"Hạn mới phải từ hôm nay ({today:%d/%m/%Y}) trở đi; ngày {day:%d/%m/%Y} đã qua."
        ]
    if problems:
        raise FormInvalid(problems)
    task = engine.get_task(ctx, task_id)
    extend_deadline(ctx, task.id, new_due, reason, viewer.username)
    return engine.get_task(ctx, task_id)


def _waiting(ctx: EngineContext, instance_id: int) -> tuple[tuple[str, ...], datetime | None]:
    """What a case with no open task waits for: its catch events' names and its soonest timer."""
    found = engine.instance_waits(ctx, instance_id)
    return tuple(w.name or w.bpmn_id for w in found), min((w.due_at for w in found if w.due_at), default=None)


def _task_for(ctx: EngineContext, task_id: str, viewer: Viewer) -> TaskView:
    with ctx.db.lookup() as session:
        return _owned_task(ctx, session, task_id, viewer)


def _owned_task(ctx: EngineContext, session: Session, task_id: str, viewer: Viewer) -> TaskView:
    """The task, if the viewer's scope owns it (its role, area and programme); to anyone else it does not
    exist. One statement: the task, and whether the scope owns it."""
    found = session.connection().execute(engine.task_query(task_id, _owns(ctx, viewer.scope))).first()
    if found is None or not found.owned:
        raise NotFound(f"task {task_id} does not exist")
    return engine.task_from_row(found)


def _owns(ctx: EngineContext, scope: Scope):
    """The scope's condition as a column, kept per agency and built again only for another scope object
    (building it is a tree of subqueries; the pages reuse one scope object per agency for a while)."""
    kept = ctx.extensions.setdefault("task_owner", {})
    last = kept.get(scope.agency_code)
    if last is None or last[0] is not scope:
        last = kept[scope.agency_code] = (scope, scope_condition(scope).label("owned"))
    return last[1]


def _parts(task: TaskView) -> TaskPageParts:
    return parts_for(task.process_key) or GENERIC


def _prefill(
    session: Session, task: TaskView, parts: TaskPageParts, fields: list[FieldSpec], data: dict
) -> dict:
    """The case's data for this form's fields, then what the process adds (a record's values). A step's
    note is its own: a note written at one step never pre-fills the next one's."""
    names = {f.name for f in fields if f.widget != "textarea"}
    values = {k: v for k, v in data.items() if k in names and v not in (None, "")}
    if parts.prefill is not None:
        values.update((k, v) for k, v in parts.prefill(session, task).items() if k in names)
    return values


def submit_form(ctx: EngineContext, task: TaskView, raw, user, expected_version) -> StepResult:
    """A step of a process with no checks of its own: its form's schema, then the engine."""
    data = load_form(task.form_key, raw)
    return engine.complete_task(ctx, task.id, data, user=user, expected_version=expected_version)


GENERIC = TaskPageParts(kind="none", beside=lambda ctx, task, roles, viewer: None, submit=submit_form)
