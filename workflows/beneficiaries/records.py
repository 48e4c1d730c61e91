"""Reading and changing beneficiary records; every change is written to the case's history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import history
from engine.errors import NotFound

from ..validators import fold_diacritics
from .models import CLOSED_STATUSES, Beneficiary

RECORD_FIELDS = (
    "full_name",
    "date_of_birth",
    "gender",
    "cccd",
    "phone",
    "area_code",
    "village",
    "address",
    "category_code",
    "status",
    "closed_reason",
    "duplicate_of",
    "payment_method",
    "bank_code",
    "account_number",
    "account_holder",
    "mobility",
    "representative_kind",
    "representative_name",
    "representative_cccd",
    "representative_phone",
    "representative_relationship",
    "authorisation_document",
    "consent_given",
    "consent_at",
)


def get_record(session: Session, code: str) -> Beneficiary:
    record = session.get(Beneficiary, code)
    if record is None:
        raise NotFound(f"no beneficiary with code {code!r}")
    return record


def create_record(
    session: Session,
    code: str,
    area_code: str,
    category_code: str,
    full_name: str,
    at: datetime,
    *,
    status: str = "outreach",
    **details: Any,
) -> Beneficiary:
    record = Beneficiary(
        code=code,
        area_code=area_code,
        category_code=category_code,
        full_name=full_name,
        name_folded=fold_diacritics(full_name),
        status=status,
        created_at=at,
        updated_at=at,
        **details,
    )
    session.add(record)
    session.flush()
    return record


def change_record(
    session: Session,
    code: str,
    changes: Mapping[str, Any],
    at: datetime,
    *,
    instance_id: int | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> dict[str, list[Any]]:
    """Apply ``changes`` and record in the history what changed, from what to what."""
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not beneficiary fields: {', '.join(sorted(unknown))}")
    record = get_record(session, code)
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        old = getattr(record, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(record, name, value)
    if not diff:
        return diff
    if "full_name" in diff:
        record.name_folded = fold_diacritics(record.full_name)
    record.updated_at = at
    session.flush()
    history.record(
        session.connection(),
        at,
        "record_changed",
        instance_id,
        actor=actor,
        data={"beneficiary": code, "changes": diff, **({"reason": reason} if reason else {})},
    )
    return diff


def open_case_with_cccd(session: Session, cccd: str, except_code: str | None = None) -> str | None:
    """The code of another open case holding this CCCD, if any."""
    query = select(Beneficiary.code).where(
        Beneficiary.cccd == cccd, Beneficiary.status.not_in(CLOSED_STATUSES)
    )
    if except_code is not None:
        query = query.where(Beneficiary.code != except_code)
    return session.scalars(query.order_by(Beneficiary.code).limit(1)).first()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
