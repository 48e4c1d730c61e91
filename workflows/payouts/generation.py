"""Drawing up a cycle's list, set-based: one INSERT … SELECT for the month's lines, one for arrears.

Nothing is looped over in Python: a district's 100,000 beneficiaries become lines in a couple of
statements, inside the BPMN step's transaction (a crash leaves no half list). Each line's key
(beneficiary, month, entitlement) is unique across cycles, and the SELECTs skip keys already listed,
so a beneficiary who moved to another area's list this month is not listed twice.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Date,
    String,
    and_,
    case,
    delete,
    exists,
    func,
    literal,
    null,
    select,
    update,
)
from sqlalchemy import insert as sql_insert

from ..beneficiaries.models import Beneficiary
from ..org.models import Area
from . import faults
from .common import ACTIVE_STATUSES, CASH_METHODS, PAID_STATUSES, PENDING, add_months
from .models import PayoutCycle, PayoutLine, PayoutRate
from .rates import ARREARS_WINDOW_MONTHS

B, L, R, C = Beneficiary.__table__, PayoutLine.__table__, PayoutRate.__table__, PayoutCycle.__table__
SAMPLE = 50  # how many skipped codes a generation note lists

_ON_ACCOUNT = B.c.status == "active_cashless"
_METHOD = case(
    (_ON_ACCOUNT, "account"),
    (B.c.payment_method.in_(CASH_METHODS), B.c.payment_method),
    else_="cash_pay_point",
)
_RECIPIENT = case(
    (_ON_ACCOUNT, func.coalesce(B.c.account_holder, "beneficiary")),
    (B.c.representative_kind.in_(("guardian", "authorised")), B.c.representative_kind),
    else_="beneficiary",
)
_RECIPIENT_NAME = case(
    (_RECIPIENT == "beneficiary", B.c.full_name), else_=func.coalesce(B.c.representative_name, B.c.full_name)
)
_RECIPIENT_CCCD = case((_RECIPIENT == "beneficiary", B.c.cccd), else_=B.c.representative_cccd)
_COLUMNS = [
    "cycle_id", "beneficiary_code", "month", "entitlement", "commune_code", "category_code", "full_name",
    "beneficiary_cccd", "method", "recipient_kind", "recipient_name", "recipient_cccd", "bank_code",
    "account_number", "amount", "status",
]  # fmt: skip
HASHED = (
    "id", "beneficiary_code", "month", "entitlement", "commune_code", "category_code", "full_name",
    "beneficiary_cccd", "method", "recipient_kind", "recipient_name", "recipient_cccd", "bank_code",
    "account_number", "amount",
)  # fmt: skip


def scope_codes(conn: Connection, area_code: str) -> list[str]:
    """``area_code`` and every area below it (a district's communes): a few dozen codes at most."""
    codes, frontier = [area_code], [area_code]
    while frontier:
        frontier = list(conn.execute(select(Area.code).where(Area.parent_code.in_(frontier))).scalars())
        codes += frontier
    return codes


def _person(cycle_id: int, month_expr, entitlement: str, amount_expr) -> list:
    return [
        literal(cycle_id), B.c.code, month_expr, literal(entitlement, String), B.c.area_code,
        B.c.category_code, B.c.full_name, B.c.cccd, _METHOD, _RECIPIENT, _RECIPIENT_NAME, _RECIPIENT_CCCD,
        case((_ON_ACCOUNT, B.c.bank_code), else_=null()),
        case((_ON_ACCOUNT, B.c.account_number), else_=null()), amount_expr, literal(PENDING, String),
    ]  # fmt: skip


def _active(codes: list[str]):
    return and_(B.c.area_code.in_(codes), B.c.status.in_(ACTIVE_STATUSES))


def _listed(code_col, month_col, entitlement: str):
    return exists().where(
        L.c.beneficiary_code == code_col, L.c.month == month_col, L.c.entitlement == entitlement
    )


def generate(conn: Connection, cycle_id: int, at: datetime) -> dict:
    """(Re)draw the list of a draft cycle; returns what was added and what was skipped, and why."""
    cycle = conn.execute(select(C.c.area_code, C.c.month, C.c.status).where(C.c.id == cycle_id)).one()
    if cycle.status != "draft":
        raise ValueError(f"cycle {cycle_id} is {cycle.status}: an approved list is frozen")
    month, codes = cycle.month, scope_codes(conn, cycle.area_code)
    conn.execute(delete(L).where(L.c.cycle_id == cycle_id))
    rate = R.alias("rate")
    monthly = (
        select(*_person(cycle_id, literal(month, Date), "monthly", rate.c.amount))
        .join(rate, and_(rate.c.cycle_id == cycle_id, rate.c.category_code == B.c.category_code))
        .where(_active(codes), rate.c.month == month, ~_listed(B.c.code, month, "monthly"))
    )
    conn.execute(sql_insert(L).from_select(_COLUMNS, monthly))
    faults.checkpoint("generate.after_monthly")
    _insert_arrears(conn, cycle_id, month, codes)
    faults.checkpoint("generate.after_arrears")
    # Counted, not taken from rowcount: drivers do not all report it for INSERT … SELECT.
    counts = dict(
        conn.execute(
            select(L.c.entitlement, func.count()).where(L.c.cycle_id == cycle_id).group_by(L.c.entitlement)
        ).all()
    )
    count, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(L.c.amount), 0)).where(L.c.cycle_id == cycle_id)
    ).one()
    monthly_count, arrears = counts.get("monthly", 0), counts.get("arrears", 0)
    note = {
        "monthly": monthly_count,
        "arrears": arrears,
        **_skipped(conn, cycle_id, month, codes, monthly_count),
    }
    conn.execute(
        update(C)
        .where(C.c.id == cycle_id)
        .values(line_count=count, total_amount=int(total), generation=note, updated_at=at)
    )
    return {"lines": count, "total_amount": int(total), **note}


def _insert_arrears(conn: Connection, cycle_id: int, month: date, codes: list[str]) -> None:
    """Months in the window already paid below what the cycle's rates say they were worth (truy lĩnh)."""
    window = add_months(month, -ARREARS_WINDOW_MONTHS)
    if not _rates_raised(conn, cycle_id):
        return  # every earlier cycle paid at least these rates: no line can be owed more
    monthly_category = func.max(case((L.c.entitlement == "monthly", L.c.category_code)))
    paid = (
        select(
            L.c.beneficiary_code.label("code"),
            L.c.month.label("month"),
            func.sum(L.c.amount).label("paid"),
            monthly_category.label("category_code"),
        )
        .join(B, B.c.code == L.c.beneficiary_code)
        .where(_active(codes), L.c.status.in_(PAID_STATUSES), L.c.month >= window, L.c.month < month)
        .group_by(L.c.beneficiary_code, L.c.month)
        .subquery("paid")
    )
    rate = R.alias("rate")
    owed = (
        select(*_person(cycle_id, paid.c.month, "arrears", rate.c.amount - paid.c.paid))
        .join(paid, paid.c.code == B.c.code)
        .join(
            rate,
            and_(
                rate.c.cycle_id == cycle_id,
                rate.c.category_code == paid.c.category_code,
                rate.c.month == paid.c.month,
            ),
        )
        .where(_active(codes), rate.c.amount > paid.c.paid, ~_listed(B.c.code, paid.c.month, "arrears"))
    )
    conn.execute(sql_insert(L).from_select(_COLUMNS, owed))


def _rates_raised(conn: Connection, cycle_id: int) -> bool:
    """Did an earlier cycle pay some (category, month) at less than this cycle's rate for it? Lines are
    drawn at their cycle's rates, so without that no month can be owed arrears (a cheap early exit)."""
    now, then = R.alias("now"), R.alias("then")
    raised = (
        select(now.c.cycle_id)
        .join(then, and_(then.c.category_code == now.c.category_code, then.c.month == now.c.month))
        .where(now.c.cycle_id == cycle_id, then.c.cycle_id != cycle_id, then.c.amount < now.c.amount)
        .limit(1)
    )
    return conn.execute(raised).first() is not None


def _skipped(conn: Connection, cycle_id: int, month: date, codes: list[str], monthly: int) -> dict:
    """Active beneficiaries left off, so that nobody is skipped silently: a category the rates do not
    know, or a line for this month already on another area's list (someone who moved)."""
    active = conn.execute(select(func.count()).where(_active(codes))).scalar_one()
    known = set(
        conn.execute(select(R.c.category_code).where(R.c.cycle_id == cycle_id, R.c.month == month)).scalars()
    )
    present = set(conn.execute(select(B.c.category_code).where(_active(codes)).distinct()).scalars())
    unknown_categories = sorted(present - known)
    unknown, unknown_count = [], 0
    if unknown_categories:
        odd = and_(_active(codes), B.c.category_code.in_(unknown_categories))
        unknown = list(conn.execute(select(B.c.code).where(odd).order_by(B.c.code).limit(SAMPLE)).scalars())
        unknown_count = conn.execute(select(func.count()).where(odd)).scalar_one()
    return {
        "unknown_category": unknown,
        "unknown_category_count": unknown_count,
        "listed_elsewhere": active - monthly - unknown_count,
    }


def list_hash(conn: Connection, cycle_id: int) -> str:
    """SHA-256 of the list's content (not its statuses), in key order: recorded at approval, checked later."""
    digest = hashlib.sha256()
    columns = [L.c[name] for name in HASHED]
    query = (
        select(*columns)
        .where(L.c.cycle_id == cycle_id)
        .order_by(L.c.beneficiary_code, L.c.month, L.c.entitlement)
    )
    for row in conn.execute(query):
        digest.update("|".join("" if value is None else str(value) for value in row).encode() + b"\n")
    return digest.hexdigest()
