"""Reading and changing beneficiary records; every change is written to the case's history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.orm import Session

from engine import history
from engine.errors import NotFound

from ..validators import fold_diacritics
from .models import CLOSED_STATUSES, Beneficiary

_RECORDS = Beneficiary.__table__
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
    status_move: tuple[str, str] | None = None,
) -> dict[str, list[Any]]:
    """Apply ``changes`` and record in the history what changed, from what to what. ``status_move``
    (from, to): the status becomes ``to`` too, if it was ``from``. Two statements: the fields' values
    before, and the update (a record loaded in ``session`` is read again when next used)."""
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not beneficiary fields: {', '.join(sorted(unknown))}")
    names = [*changes, *(["status"] if status_move and "status" not in changes else [])]
    session.flush()
    conn = session.connection()
    before = conn.execute(_fields_of(tuple(names)), {"code": code}).first()
    if before is None:
        raise NotFound(f"no beneficiary with code {code!r}")
    wanted = dict(changes)
    if status_move is not None and before[names.index("status")] == status_move[0]:
        wanted["status"] = status_move[1]
    diff: dict[str, list[Any]] = {}
    for name, old in zip(names, before, strict=True):
        if name in wanted and old != wanted[name]:
            diff[name] = [_plain(old), _plain(wanted[name])]
    if not diff:
        return diff
    values = {name: wanted[name] for name in diff}
    if "full_name" in diff:
        values["name_folded"] = fold_diacritics(values["full_name"])
    conn.execute(_update_of(tuple(values)), {**values, "updated_at": at, "b_code": code})
    loaded = session.identity_map.get(session.identity_key(Beneficiary, code))
    if loaded is not None:  # read again when next used
        session.expire(loaded)
    history.record(
        conn,
        at,
        "record_changed",
        instance_id,
        actor=actor,
        data={"beneficiary": code, "changes": diff, **({"reason": reason} if reason else {})},
    )
    return diff


@lru_cache(maxsize=256)
def _fields_of(names: tuple[str, ...]) -> Select:
    """The statement reading ``names`` of one record, built once per set of fields."""
    return select(*(_RECORDS.c[name] for name in names)).where(_RECORDS.c.code == bindparam("code"))


@lru_cache(maxsize=256)
def _update_of(names: tuple[str, ...]) -> Update:
    """The statement setting ``names`` and ``updated_at`` of one record, built once per set of fields."""
    return (
        update(_RECORDS)
        .where(_RECORDS.c.code == bindparam("b_code"))
        .values({name: bindparam(name) for name in (*names, "updated_at")})
    )


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
