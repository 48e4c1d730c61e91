"""The list as people see it: one line per person and programme, with every month it pays and how the
amount was reached (``ansinh payouts show ID --json``, files for the commune). Built from the month
lines, which stay the unit the books are kept in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from engine import EngineContext

from ..privacy import mask
from ..validators import account_kind, account_label
from .models import PayoutLine

L = PayoutLine.__table__


@dataclass(frozen=True)
class Payee:
    cccd: str | None
    full_name: str
    programme: str
    amount: int  # whole đồng
    method: str  # account | cash
    months: list[str]  # YYYY-MM, oldest first
    basis: str  # "1,5 × 500.000 đ; truy lĩnh 06–07/2024 (1,5 × 500.000 đ − 360.000 đ đã chi)"
    beneficiary_code: str
    commune_code: str
    category_code: str
    cash_method: str | None = None  # cash_pay_point | cash_home
    account_kind: str | None = None  # bank | mobile_money | ewallet (method "account")
    provider: str | None = None  # "Agribank", "Ví điện tử MoMo", "Mobile Money Viettel Money"
    account: str | None = None  # the number, masked as on every screen: "******5678"
    line_ids: list[int] = field(default_factory=list)


def month_ranges(months: list[date]) -> str:
    """[06/2024, 07/2024, 09/2024] → ``06–07/2024, 09/2024``."""
    runs: list[list[date]] = []
    for month in sorted(months):
        last = runs[-1][-1] if runs else None
        if last and (month.year * 12 + month.month) - (last.year * 12 + last.month) == 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = []
    for run in runs:
        first, end = run[0], run[-1]
        if first == end:
            parts.append(f"{first:%m/%Y}")
        elif first.year == end.year:
            parts.append(f"{first:%m}–{end:%m/%Y}")
        else:
            parts.append(f"{first:%m/%Y}–{end:%m/%Y}")
    return ", ".join(parts)


def _basis(lines) -> str:
    monthly = [line for line in lines if line.entitlement == "monthly"]
    arrears = [line for line in lines if line.entitlement != "monthly"]
    parts = [line.basis or "" for line in monthly]
    if arrears:
        bases = sorted({line.basis for line in arrears if line.basis})
        detail = f" ({'; '.join(bases)})" if bases else ""
        parts.append(f"truy lĩnh {month_ranges([line.month for line in arrears])}{detail}")
    return "; ".join(part for part in parts if part)


def payees(ctx: EngineContext, cycle_id: int) -> list[Payee]:
    """One entry per person and programme on the cycle's list, by commune and name."""
    query = select(L).where(L.c.cycle_id == cycle_id).order_by(L.c.commune_code, L.c.full_name, L.c.month)
    with ctx.db.read() as session:
        rows = session.execute(query).all()
    grouped: dict[tuple[str, str], list] = {}
    for row in rows:
        grouped.setdefault((row.beneficiary_code, row.programme), []).append(row)
    found = []
    for (code, programme), lines in grouped.items():
        first = next((line for line in lines if line.entitlement == "monthly"), lines[-1])
        on_account = first.method == "account"
        found.append(
            Payee(
                cccd=first.beneficiary_cccd,
                full_name=first.full_name,
                programme=programme,
                amount=sum(line.amount for line in lines),
                method="account" if first.method == "account" else "cash",
                months=sorted({f"{line.month:%Y-%m}" for line in lines}),
                basis=_basis(lines),
                beneficiary_code=code,
                commune_code=first.commune_code,
                category_code=first.category_code,
                cash_method=None if on_account else first.method,
                account_kind=account_kind(first.bank_code) if on_account else None,
                provider=account_label(first.bank_code) if on_account else None,
                account=mask(first.account_number) if on_account else None,
                line_ids=[line.id for line in lines],
            )
        )
    return found
