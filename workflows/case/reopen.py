"""An administrator reopens a closed case (closed by mistake: a wrong duplicate, a wrong death): the
record opens again and a new run of the case starts at the step that closed it, with the reason in both
timelines.

The closed run is over (SpiffWorkflow could reset a workflow to one of its tasks, ``reset_from_task_id``,
but a completed run's timers, alerts, history and open-task rows are gone, and the engine never moves a
finished instance back), so a new run starts instead, entered at the closing step through the BPMN's entry
gateway (``gw_entry``: ``start_at``): a case closed at the police check (duplicate, deceased) is back at the
police check, one rejected at review is back at review. It carries the closed run's data, less what the
closing step itself recorded (its form's fields), so that step's form starts empty. A case closed anywhere
else (an exit notice) starts again at outreach.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import engine
from engine import EngineContext, history
from engine.errors import NotFound
from engine.steps import StepResult

from ..beneficiaries.models import CLOSED_STATUSES
from ..beneficiaries.records import change_record, get_record
from ..forms import FormInvalid, describe
from ..tasks.service import Viewer
from .service import PROCESS
from .summary import instance_of


def reopen_case(ctx: EngineContext, code: str, reason: str, viewer: Viewer) -> StepResult:
    """Reopen ``code`` at the step that closed it; only an administrator may, only a closed case, and only
    with a reason."""
    if not viewer.is_admin:
        raise NotFound(f"case {code} does not exist")
    reason = (reason or "").strip()
    if not reason:
        raise FormInvalid({"reason": ["Vui lòng ghi lý do mở lại hồ sơ."]})
    with ctx.db.read() as session:
        record = get_record(session, code)
        if record.status not in CLOSED_STATUSES:
            raise FormInvalid({"reason": [f"Hồ sơ {code} đang mở; chỉ mở lại được hồ sơ đã đóng."]})
        area, category = record.area_code, record.category_code
    previous = instance_of(ctx, code)
    start_at, carried = resume_point(ctx, previous)
    at = ctx.now()

    opened = {"status": STATUS_AT[start_at], "closed_reason": None, "duplicate_of": None}

    def reopen(conn) -> None:
        with Session(bind=conn) as session:
            change_record(
                session, code, opened, at, instance_id=previous, actor=viewer.username, reason="case_reopened"
            )
        history.record(
            conn,
            at,
            "case_reopened",
            previous,
            actor=viewer.username,
            data={"beneficiary": code, "reason": reason},
        )

    initial = {**carried, "beneficiary": code, "category_code": category, "start_at": start_at}
    origin = {"reopened": reason, "by": viewer.username, "at_step": start_at}
    return engine.start_instance(
        ctx, PROCESS, code, area, initial, actor=viewer.username, prepare=reopen, origin=origin
    )


# The steps a reopened case resumes at (``gw_entry`` enters them), and the record's status there.
RESUMABLE = ("review", "police_check")
STATUS_AT = {"review": "registered", "police_check": "registered", "outreach": "outreach"}
LEFT_BEHIND = ("closed", "confirm_closure", "start_at")  # how the last run ended, not the case's data


def resume_point(ctx: EngineContext, previous: int | None) -> tuple[str, dict[str, Any]]:
    """Where a reopened case starts (the step that closed its last run, if a new run can enter there,
    else outreach) and the data it carries there (the last run's, less that step's own entries)."""
    if previous is None:
        return "outreach", {}
    closing = next(
        (e for e in reversed(engine.instance_history(ctx, previous)) if e.kind == "task_completed"), None
    )
    if closing is None or closing.bpmn_id not in RESUMABLE:
        return "outreach", {}
    _, data = engine.instance_data(ctx, previous)
    form_key = engine.step_forms(ctx, previous).get(closing.bpmn_id)
    entered = {f.name for f in describe(form_key)} if form_key else set()
    return closing.bpmn_id, {k: v for k, v in data.items() if k not in entered and k not in LEFT_BEHIND}
