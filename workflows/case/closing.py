"""Closing a case: rejected at review, deceased, a duplicate, or exited (death, moved, no longer eligible)."""

from __future__ import annotations

from ..beneficiaries.models import CLOSED_STATUSES
from ..services import registry
from .common import record_change

EXIT_REASONS = {"death": "deceased", "moved_away": "exited", "not_eligible": "exited", "exited": "exited"}


@registry.handler("beneficiary.close")
def close(call) -> dict:
    reason = call.params["reason"]
    status = reason if reason in CLOSED_STATUSES else EXIT_REASONS.get(reason)
    if status is None:
        raise ValueError(f"unknown closing reason {reason!r}")
    record_change(call, {"status": status, "closed_reason": reason}, "case_closed")
    return {"status": status}
