"""Records for the dashboard's tests: people in given statuses, a payout cycle with lines in given
outcomes, written straight into the tables the figures read (the figures are what is under test)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from workflows.beneficiaries.models import Beneficiary
from workflows.org.models import Area
from workflows.payouts.models import PayoutCycle, PayoutLine

_serial = iter(range(1, 1_000_000))
BY_ACCOUNT = ("paid", "failed", "pending")  # the line statuses the tests give to lines due by account


def first_commune(ctx, district: str) -> str:
    with ctx.db.read() as session:
        return session.scalars(
            select(Area.code).where(Area.parent_code == district).order_by(Area.code)
        ).first()


def people(ctx, area_code: str, status: str, count: int) -> list[str]:
    now = ctx.now()
    codes = [f"BN-T{next(_serial):05d}" for _ in range(count)]
    with ctx.db.transaction() as conn:
        conn.execute(insert(Beneficiary.__table__), [
            {"code": code, "full_name": "Người Thử", "name_folded": "nguoi thu", "area_code": area_code,
             "category_code": "elderly_80_plus_no_pension", "status": status, "consent_given": True,
             "payment_method": "account" if status == "active_cashless" else "cash_pay_point",
             "created_at": now, "updated_at": now}
            for code in codes
        ])  # fmt: skip
    return codes


def cycle(
    ctx,
    area_code: str,
    month: date,
    status: str,
    lines: list[tuple[str, str, str, int, str | None, str | None]],
):
    """``lines``: (beneficiary, commune, line status, amount, fallback method, return reason)."""
    now = ctx.now()
    with ctx.db.transaction() as conn:
        cycle_id = conn.execute(
            insert(PayoutCycle.__table__).returning(PayoutCycle.id),
            {"business_key": f"PAY-{area_code}-{month:%Y-%m}", "area_code": area_code, "month": month,
             "status": status, "line_count": len(lines), "total_amount": sum(x[3] for x in lines),
             "created_at": now, "updated_at": now},
        ).scalar_one()  # fmt: skip
        conn.execute(insert(PayoutLine.__table__), [
            {"cycle_id": cycle_id, "beneficiary_code": who, "month": month, "entitlement": "monthly",
             "commune_code": commune, "category_code": "elderly_80_plus_no_pension", "full_name": "Người Thử",
             "method": "account" if status_ in BY_ACCOUNT or fallback else "cash_pay_point",
             "recipient_kind": "beneficiary", "recipient_name": "Người Thử", "amount": amount,
             "status": status_, "fallback_method": fallback, "return_reason": reason}
            for who, commune, status_, amount, fallback, reason in lines
        ])  # fmt: skip
    return cycle_id
