"""What a case's forms show first: what the beneficiary record already holds (a person brought in from a
roll or opened on screen is not typed in twice), in the forms' own field names and values."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..beneficiaries.models import Beneficiary

PREFILLED_FORMS = ("registration",)
_SAME = ("full_name", "gender", "phone", "village", "address", "category_code", "mobility", "account_holder",
         "representative_kind", "representative_name", "representative_cccd", "representative_phone",
         "representative_relationship", "authorisation_document")  # fmt: skip


def record_values(session: Session, code: str) -> dict[str, Any]:
    """Form values from the record (empty ones left out)."""
    record = session.get(Beneficiary, code)
    if record is None:
        return {}
    values: dict[str, Any] = {name: getattr(record, name) for name in _SAME}
    if record.date_of_birth:
        values["date_of_birth"] = record.date_of_birth.isoformat()
    if record.cccd:
        values["has_cccd"], values["cccd"] = True, record.cccd
    elif record.date_of_birth:  # details known and no CCCD: the case goes through issuing one
        values["has_cccd"] = False
    if record.payment_method == "account":
        values.update(
            method="existing_account", bank_code=record.bank_code, account_number=record.account_number
        )
    elif record.payment_method in ("cash_pay_point", "cash_home"):
        values.update(
            method="cash", cash_preference="home" if record.payment_method == "cash_home" else "pay_point"
        )
    return {name: value for name, value in values.items() if value not in (None, "")}
