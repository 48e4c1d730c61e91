"""Closing a case: rejected at review, deceased, a duplicate, or exited (death, moved, no longer eligible)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..beneficiaries.enrolments import end_enrolments
from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary
from ..services import registry
from .common import as_date, record_change, step_session

EXIT_REASONS = {"death": "deceased", "moved_away": "exited", "not_eligible": "exited", "exited": "exited"}
CLOSING = {
    "duplicate": "trùng với hồ sơ khác",
    "deceased": "người hưởng đã chết",
    "reject": "không đủ điều kiện",
}


def closing_problems(
    session: Session, record: Beneficiary, data: dict, outcome: str, other_code: str | None = None
) -> dict[str, list[str]]:
    """What stops a step from closing the case: another case named (a duplicate) must exist, be open and
    be another person's; and the officer must confirm, having seen which case it is."""
    other = None
    if outcome == "duplicate":
        other = session.get(Beneficiary, (other_code or "").strip())
        if other is None:
            return {"duplicate_of": [f"Không có hồ sơ mã «{other_code}». Kiểm tra lại mã hồ sơ trùng."]}
        if other.code == record.code:
            return {"duplicate_of": ["Hồ sơ không thể trùng với chính nó; nhập mã của hồ sơ kia."]}
        if other.status in CLOSED_STATUSES:
            return {"duplicate_of": [f"Hồ sơ {other.code} · {other.full_name} đã đóng; chỉ đóng trùng với "
                                     "một hồ sơ đang mở."]}  # fmt: skip
    if data.get("confirm_closure"):
        return {}
    why = f"trùng với hồ sơ {other.code} · {other.full_name}" if other else CLOSING[outcome]
    return {"confirm_closure": [f"Hồ sơ {record.code} · {record.full_name} sẽ được đóng vì {why}. Việc đóng "
                                "không tự hoàn tác được: đánh dấu ô xác nhận rồi gửi lại."]}  # fmt: skip


@registry.handler("beneficiary.close")
def close(call) -> dict:
    reason = call.params["reason"]
    status = reason if reason in CLOSED_STATUSES else EXIT_REASONS.get(reason)
    if status is None:
        raise ValueError(f"unknown closing reason {reason!r}")
    changes = {"status": status, "closed_reason": reason}
    if status == "duplicate" and call.data.get("duplicate_of"):
        changes["duplicate_of"] = call.data["duplicate_of"].strip()
    record_change(call, changes, "case_closed")
    ended = []
    if status in ("deceased", "exited"):
        with step_session(call) as session:
            ended = end_enrolments(
                session, call.business_key, _event_day(call), call.at, reason, call.instance_id
            )
    return {"status": status, "enrolments_ended": ended}


def _event_day(call) -> date:
    """The day of the death or departure: from the exit notice or the police's record, else today."""
    info = call.data.get("exit_info") or {}
    for value in (info.get("date"), info.get("date_of_death"), call.data.get("date_of_death")):
        if value:
            return as_date(value)
    return call.at.date()
