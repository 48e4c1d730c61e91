"""Writing the new people of a batch: their records and enrolments, set-based in the batch's transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, insert

from ..beneficiaries.codes import new_codes
from ..beneficiaries.models import Beneficiary, Enrolment
from ..validators import fold_diacritics
from .matching import Outcome
from .programmes import programme_of
from .rows import RollRow


def create_people(
    conn: Connection, outcomes: list[Outcome], file_name: str, at: datetime
) -> list[tuple[str, RollRow, int]]:
    """Records and enrolments for the batch's new people; (code, row, row number) of each."""
    by_commune: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_commune[outcome.row.area_code].append(outcome)
    people = []
    for area_code, group in sorted(by_commune.items()):
        codes = new_codes(conn, area_code.rpartition(":")[2], len(group))
        for code, outcome in zip(codes, group, strict=True):
            outcome.kind, outcome.code = "created", code
            people.append((code, outcome.row, outcome.number))
    if not people:
        return []
    conn.execute(insert(Beneficiary.__table__), [_record(code, row, at) for code, row, _ in people])
    conn.execute(
        insert(Enrolment.__table__),
        [
            {
                "beneficiary_code": code, "programme": programme_of(row.category_code),
                "category_code": row.category_code, "children_count": row.children_count,
                "entitled_from": row.entitled_from, "paid_through": row.paid_through, "ends_after": None,
                "source": f"roll: {file_name}, row {number}"[:200], "created_at": at,
            }
            for code, row, number in people
        ],
    )  # fmt: skip
    return people


def _record(code: str, row: RollRow, at: datetime) -> dict:
    by_account = row.method == "account"
    return {
        "code": code, "full_name": row.full_name, "name_folded": fold_diacritics(row.full_name),
        "date_of_birth": row.date_of_birth, "gender": row.gender, "cccd": row.cccd, "phone": row.phone,
        "area_code": row.area_code, "village": row.village, "address": None,
        "category_code": row.category_code,
        "status": "active_cashless" if by_account else "outreach", "closed_reason": None,
        "payment_method": "account" if by_account else "cash_pay_point", "bank_code": row.bank_code,
        "account_number": row.account_number, "account_holder": "beneficiary" if by_account else None,
        "mobility": None, "representative_kind": None, "representative_name": None,
        "representative_cccd": None,
        "representative_phone": None, "representative_relationship": None, "authorisation_document": None,
        "consent_given": False, "consent_at": None, "created_at": at, "updated_at": at,
    }  # fmt: skip
