"""Reading cycles and lines for pages, files and reports: small dataclasses, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from engine import EngineContext
from engine.errors import NotFound

from ..beneficiaries.models import Beneficiary
from ..org.models import Area
from ..validators import fold_diacritics
from . import generation, ledger
from .models import PayoutCycle, PayoutLine

C, L = PayoutCycle.__table__, PayoutLine.__table__


@dataclass(frozen=True)
class Total:
    """Lines and money in one group (a commune, a method, or both)."""

    lines: int = 0
    amount: int = 0


@dataclass(frozen=True)
class CycleView:
    id: int
    business_key: str
    area_code: str
    area_name: str
    month: date
    status: str
    instance_id: int | None
    line_count: int
    total_amount: int
    list_hash: str | None
    frozen_at: datetime | None
    transfer_reference: str | None
    transfer_date: date | None
    transfer_amount: int | None
    funds_received_at: datetime | None
    return_reference: str | None
    return_date: date | None
    reconciled_at: datetime | None
    closed_at: datetime | None
    generation: dict[str, Any] | None
    books: ledger.Balance
    by_method: dict[str, Total] = field(default_factory=dict)
    by_commune: dict[str, Total] = field(default_factory=dict)
    commune_names: dict[str, str] = field(default_factory=dict)
    programme: str = "social_assistance"


@dataclass(frozen=True)
class LineView:
    id: int
    beneficiary_code: str
    full_name: str
    beneficiary_cccd: str | None
    commune_code: str
    month: date
    entitlement: str
    category_code: str
    method: str
    recipient_kind: str
    recipient_name: str
    recipient_cccd: str | None
    bank_code: str | None
    account_number: str | None
    amount: int
    status: str
    fallback_method: str | None
    transaction_ref: str | None
    failure_reason: str | None
    return_reason: str | None
    programme: str = "social_assistance"
    basis: str | None = None  # how the amount was reached: "1,5 × 500.000 đ"


def get_cycle(ctx: EngineContext, cycle_id: int | None = None, key: str | None = None) -> CycleView:
    with ctx.db.read() as session:
        return cycle_view(session.connection(), cycle_id, key)


def cycle_view(conn: Connection, cycle_id: int | None = None, key: str | None = None) -> CycleView:
    where = C.c.id == cycle_id if cycle_id is not None else C.c.business_key == key
    row = conn.execute(select(C).where(where)).one_or_none()
    if row is None:
        raise NotFound(f"payout cycle {cycle_id or key} does not exist")
    groups = grouped(conn, row.id, L.c.commune_code, L.c.method)
    by_method: dict[str, Total] = {}
    by_commune: dict[str, Total] = {}
    for (commune, method), total in groups.items():
        by_method[method] = _add(by_method.get(method), total)
        by_commune[commune] = _add(by_commune.get(commune), total)
    names = {
        code: f"{kind} {name}"
        for code, kind, name in conn.execute(
            select(Area.code, Area.kind, Area.name).where(Area.code.in_([row.area_code, *by_commune]))
        )
    }
    return CycleView(
        **{name: getattr(row, name) for name in _CYCLE_FIELDS},
        area_name=names.get(row.area_code, row.area_code),
        books=ledger.balance(conn, row.id),
        by_method=by_method,
        by_commune=dict(sorted(by_commune.items())),
        commune_names=names,
        programme=row.programme,
    )


_CYCLE_FIELDS = (
    "id", "business_key", "area_code", "month", "status", "instance_id", "line_count", "total_amount",
    "list_hash", "frozen_at", "transfer_reference", "transfer_date", "transfer_amount", "funds_received_at",
    "return_reference", "return_date", "reconciled_at", "closed_at", "generation",
)  # fmt: skip


def _add(total: Total | None, more: Total) -> Total:
    return more if total is None else Total(total.lines + more.lines, total.amount + more.amount)


def grouped(conn: Connection, cycle_id: int, *columns, where=None) -> dict[tuple, Total]:
    """Lines and money of the cycle grouped by ``columns`` (set-based, one query)."""
    query = (
        select(*columns, func.count(), func.coalesce(func.sum(L.c.amount), 0))
        .where(L.c.cycle_id == cycle_id)
        .group_by(*columns)
    )
    if where is not None:
        query = query.where(where)
    return {tuple(row[:-2]): Total(row[-2], int(row[-1])) for row in conn.execute(query)}


def list_cycles(
    ctx: EngineContext, area_codes: list[str] | None = None, month: date | None = None
) -> list[dict]:
    query = select(C.c.id, C.c.business_key, C.c.area_code, C.c.month, C.c.status, C.c.line_count,
                   C.c.total_amount).order_by(C.c.month.desc(), C.c.area_code)  # fmt: skip
    if area_codes is not None:
        query = query.where(C.c.area_code.in_(area_codes))
    if month is not None:
        query = query.where(C.c.month == month)
    with ctx.db.read() as session:
        return [dict(row._mapping) for row in session.execute(query)]


def list_lines(
    ctx: EngineContext,
    cycle_id: int,
    status: str | list[str] | None = None,
    method: str | None = None,
    commune_code: str | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[LineView]:
    """The cycle's lines with the page's filters; ``search`` matches a name (without diacritics), a CCCD
    or a beneficiary code."""
    query = select(*[L.c[name] for name in LineView.__dataclass_fields__]).where(L.c.cycle_id == cycle_id)
    if status:
        query = query.where(L.c.status.in_([status] if isinstance(status, str) else status))
    if method:
        query = query.where(L.c.method == method)
    if commune_code:
        query = query.where(L.c.commune_code == commune_code)
    if search:
        folded = f"%{fold_diacritics(search)}%"
        named = select(Beneficiary.code).where(Beneficiary.name_folded.like(folded))
        query = query.where(
            or_(
                L.c.beneficiary_cccd == search.strip(),
                L.c.beneficiary_code == search.strip(),
                L.c.beneficiary_code.in_(named),
            )
        )
    query = query.order_by(L.c.commune_code, L.c.full_name, L.c.id).limit(limit).offset(offset)
    with ctx.db.read() as session:
        return [LineView(*row) for row in session.execute(query)]


def verify_list(ctx: EngineContext, cycle_id: int) -> bool:
    """Is the approved list still exactly what was approved (its hash recomputed)?"""
    with ctx.db.read() as session:
        conn = session.connection()
        recorded = conn.execute(select(C.c.list_hash).where(C.c.id == cycle_id)).scalar()
        return recorded is not None and generation.list_hash(conn, cycle_id) == recorded
