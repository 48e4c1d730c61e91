"""An administrator reopens a closed case (closed by mistake: a wrong duplicate, a wrong death): the
record opens again and a new run of the case starts at outreach, with the reason in both timelines."""

from __future__ import annotations

from sqlalchemy.orm import Session

import engine
from engine import EngineContext, history
from engine.errors import NotFound
from engine.steps import StepResult

from ..beneficiaries.models import CLOSED_STATUSES
from ..beneficiaries.records import change_record, get_record
from ..forms import FormInvalid
from ..tasks.service import Viewer
from .service import PROCESS
from .summary import instance_of


def reopen_case(ctx: EngineContext, code: str, reason: str, viewer: Viewer) -> StepResult:
    """Reopen ``code``; only an administrator may, only a closed case, and only with a reason."""
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
    at = ctx.now()

    def reopen(conn) -> None:
        with Session(bind=conn) as session:
            change_record(
                session, code, {"status": "outreach", "closed_reason": None, "duplicate_of": None}, at,
                instance_id=previous, actor=viewer.username, reason="case_reopened",
            )  # fmt: skip
        history.record(
            conn,
            at,
            "case_reopened",
            previous,
            actor=viewer.username,
            data={"beneficiary": code, "reason": reason},
        )

    initial = {"beneficiary": code, "category_code": category, "start_at": "outreach"}
    origin = {"reopened": reason, "by": viewer.username}
    return engine.start_instance(
        ctx, PROCESS, code, area, initial, actor=viewer.username, prepare=reopen, origin=origin
    )
