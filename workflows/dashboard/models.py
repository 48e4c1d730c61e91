"""The dashboard's tables: the province's coverage targets (append-only: an edit is a new row, so the
rows are the history), the totals of closed payout cycles (they never change again, so a page need not
add up their lines each time), and the documents the province's yearly review attaches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

from ..payouts.models import PayoutLine

BigId = BigInteger().with_variant(Integer(), "sqlite")
Money = BigInteger().with_variant(Integer(), "sqlite")


class CoverageTarget(Base):
    """ "By ``due_on``, ``share_pct`` % of the area's beneficiaries are paid by account" (plan V.1: giao chỉ
    tiêu cho các địa phương). The latest row for an (area, date) is the target; earlier ones its history."""

    __tablename__ = "coverage_targets"
    __table_args__ = (
        Index("ix_coverage_targets_area_due", "area_code", "due_on", "id"),
        CheckConstraint("share_pct >= 0 AND share_pct <= 100", name="share_pct"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    due_on: Mapped[date] = mapped_column(Date)
    share_pct: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(300))
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PayoutTotal(Base):
    """A closed cycle's lines added up by commune, method and outcome, once."""

    __tablename__ = "dashboard_payout_totals"
    __table_args__ = (Index("ix_dashboard_payout_totals_month", "month", "commune_code"),)

    cycle_id: Mapped[int] = mapped_column(ForeignKey("payout_cycles.id"), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    fallback: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    return_reason: Mapped[str] = mapped_column(String(20), primary_key=True)  # "" when none
    month: Mapped[date] = mapped_column(Date)
    lines: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Money)


class ReviewDocument(Base):
    """A file the province's yearly process attached to its review: the year's figures (xlsx)."""

    __tablename__ = "review_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(60), index=True)  # YEAR-2024:62-2026
    kind: Mapped[str] = mapped_column(String(20))  # annual | one_year
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The open cycles' lines added up on every dashboard page, read from this index alone (no table rows):
# a province's month of lines in a few tens of milliseconds on SQLite. Declared here, beside its only
# reader, rather than among the payout's own indexes.
_L = PayoutLine.__table__
Index("ix_payout_lines_dashboard", _L.c.cycle_id, _L.c.commune_code, _L.c.method, _L.c.status,
      _L.c.fallback_method, _L.c.return_reason, _L.c.amount)  # fmt: skip
