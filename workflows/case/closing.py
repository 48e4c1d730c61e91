"""Closing a case: rejected at review, deceased, a duplicate, or exited (death, moved, no longer eligible)."""

from __future__ import annotations

from datetime import date

from ..beneficiaries.enrolments import end_enrolments
from ..beneficiaries.models import CLOSED_STATUSES
from ..services import registry
from .common import as_date, record_change, step_session

EXIT_REASONS = {"death": "deceased", "moved_away": "exited", "not_eligible": "exited", "exited": "exited"}


@registry.handler("beneficiary.close")
def close(call) -> dict:
    reason = call.params["reason"]
    status = reason if reason in CLOSED_STATUSES else EXIT_REASONS.get(reason)
    if status is None:
        raise ValueError(f"unknown closing reason {reason!r}")
    record_change(call, {"status": status, "closed_reason": reason}, "case_closed")
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
