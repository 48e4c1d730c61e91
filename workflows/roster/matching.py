"""Telling, for a batch of valid rows, who is new, who is already recorded as the roll says, and who is
recorded with other values (a difference to report: the roll never writes over a record)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary, Enrolment
from ..validators import fold_diacritics
from .programmes import programme_of
from .rows import HEADERS, RollRow

CASH = ("cash_pay_point", "cash_home")


@dataclass
class Outcome:
    number: int
    cells: list[Any]
    row: RollRow | None
    kind: str = "new"  # new → created | unchanged | difference | rejected
    column: str | None = None
    reason: str | None = None
    code: str | None = None


@dataclass
class Batch:
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def __len__(self) -> int:
        return len(self.outcomes)

    @property
    def new(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind in ("new", "created")]

    def counts(self) -> Counter:
        return Counter("created" if o.kind == "new" else o.kind for o in self.outcomes)


def sort_batch(session: Session, batch: Batch) -> None:
    """Mark each valid row unchanged or difference when its person is already recorded."""
    valid = [o for o in batch.outcomes if o.row is not None and o.kind == "new"]
    cccds = [o.row.cccd for o in valid if o.row.cccd]
    names = [fold_diacritics(o.row.full_name) for o in valid if not o.row.cccd]
    found: dict[tuple, Beneficiary] = {}
    if cccds:
        for record in session.scalars(
            select(Beneficiary).where(Beneficiary.cccd.in_(cccds)).order_by(Beneficiary.code)
        ):
            found.setdefault(("cccd", record.cccd), record)
    if names:
        query = select(Beneficiary).where(Beneficiary.cccd.is_(None), Beneficiary.name_folded.in_(names))
        for record in session.scalars(query.order_by(Beneficiary.code)):
            found.setdefault(("person", record.name_folded, record.date_of_birth, record.area_code), record)
    matched = {o.number: found.get(_key(o.row)) for o in valid}
    codes = [r.code for r in matched.values() if r is not None]
    enrolments: dict[tuple[str, str], Enrolment] = {}
    if codes:
        for e in session.scalars(select(Enrolment).where(Enrolment.beneficiary_code.in_(codes))):
            enrolments[e.beneficiary_code, e.programme] = e
    for outcome in valid:
        record = matched[outcome.number]
        if record is None:
            continue
        outcome.code = record.code
        enrolment = enrolments.get((record.code, programme_of(outcome.row.category_code)))
        changes = differences(record, enrolment, outcome.row)
        if not changes:
            outcome.kind = "unchanged"
            continue
        outcome.kind, outcome.column = "difference", changes[0][0]
        shown = "; ".join(f"{column}: hồ sơ ghi «{old}», tệp ghi «{new}»" for column, old, new in changes)
        outcome.reason = f"Đã có hồ sơ {record.code} với thông tin khác (không ghi đè): {shown}."


def _key(row: RollRow) -> tuple:
    if row.cccd:
        return ("cccd", row.cccd)
    return ("person", fold_diacritics(row.full_name), row.date_of_birth, row.area_code)


def differences(record: Beneficiary, enrolment: Enrolment | None, row: RollRow) -> list[tuple[str, str, str]]:
    """(column, what the record holds, what the roll says) for each fact they disagree on."""
    method = (
        "account" if record.payment_method == "account" else "cash" if record.payment_method in CASH else None
    )
    pairs = [
        ("full_name", record.full_name, row.full_name),
        ("date_of_birth", record.date_of_birth, row.date_of_birth),
        ("gender", record.gender, row.gender),
        ("commune", record.area_code, row.area_code),
        ("village", record.village, row.village),
        ("category", enrolment.category_code if enrolment else record.category_code, row.category_code),
        ("method", method, row.method),
    ]
    if row.method == "account":
        pairs += [
            ("bank", record.bank_code, row.bank_code),
            ("account", record.account_number, row.account_number),
        ]
    if enrolment is not None:
        pairs += [
            ("children", enrolment.children_count, row.children_count),
            ("entitled_from", enrolment.entitled_from, row.entitled_from),
            ("paid_through", enrolment.paid_through, row.paid_through),
        ]
    if row.phone:
        pairs.append(("phone", record.phone, row.phone))
    if record.status in CLOSED_STATUSES:
        return [("Họ và tên", f"đã đóng ({record.closed_reason or record.status})", "đang hưởng")]
    return [(HEADERS[key], _shown(key, old), _shown(key, new)) for key, old, new in pairs if old != new]


def _shown(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key in ("entitled_from", "paid_through"):
        return f"{value:%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if key == "gender":
        return {"male": "Nam", "female": "Nữ"}.get(value, value)
    if key == "method":
        return {"account": "Tài khoản", "cash": "Tiền mặt"}[value]
    if key == "commune":
        return str(value).rpartition(":")[2]
    return str(value)
