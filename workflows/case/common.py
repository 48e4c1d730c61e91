"""What the case's steps share: choice lists, and running a handler's writes in the step's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy.orm import Session

from engine.services import ServiceCall

GENDERS = {"male": "Nam", "female": "Nữ"}
MOBILITY = {"mobile": "Tự đi lại được", "limited": "Đi lại khó khăn", "bedridden": "Nằm liệt giường"}
CASH_PREFERENCE = {"pay_point": "Nhận tại điểm chi trả", "home": "Nhận tại nhà"}
REPRESENTATIVE_KINDS = {"none": "Không có", "guardian": "Người giám hộ", "authorised": "Người được ủy quyền"}
ACCOUNT_HOLDERS = {
    "beneficiary": "Người hưởng",
    "guardian": "Người giám hộ",
    "authorised": "Người được ủy quyền",
}


@contextmanager
def step_session(call: ServiceCall) -> Iterator[Session]:
    """An ORM session on the step's own connection: it flushes, the engine's step commits."""
    if call.db is None:
        raise RuntimeError(f"service {call.operation} needs the step's database connection")
    with Session(bind=call.db) as session:
        yield session
        session.flush()


def record_change(call: ServiceCall, changes: dict, reason: str) -> dict[str, list]:
    """Change the case's beneficiary record in the step's transaction; the history says why."""
    from ..beneficiaries.records import change_record

    with step_session(call) as session:
        return change_record(
            session, call.business_key, changes, call.at, instance_id=call.instance_id, reason=reason
        )


def as_date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
