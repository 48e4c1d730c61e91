"""The payout's tables: a cycle per area per month, its rates, its lines, result imports and notices.

A line is one amount owed to one beneficiary for one month of one programme: "monthly" for the cycle's
own month, "arrears" (truy lĩnh) for an earlier month still owed (never listed, not collected, or paid at
a level since raised). A month's monthly line is unique across all cycles, and generation lists only
what is still owed after every line not returned, so nobody is paid twice for a month; a line's status
moves one way (see ``outcomes``), so it is paid by account or in cash, never both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")
Money = BigInteger().with_variant(Integer(), "sqlite")


class PayoutCycle(Base):
    """One month's payout for one area (a district in 2024, a commune since 2025): one BPMN instance."""

    __tablename__ = "payout_cycles"
    __table_args__ = (UniqueConstraint("area_code", "month", "programme"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(60), unique=True)  # PAY-2024:608-2024-08
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    month: Mapped[date] = mapped_column(Date)  # first day of the payout month
    # social_assistance | merit: funded separately, so one cycle per programme per area and month
    programme: Mapped[str] = mapped_column(
        String(20), default="social_assistance", server_default="social_assistance"
    )
    status: Mapped[str] = mapped_column(String(20))  # see common.CYCLE_STATUSES
    instance_id: Mapped[int | None] = mapped_column(BigId)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    total_amount: Mapped[int] = mapped_column(Money, default=0)
    generation: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what generation added and skipped
    list_hash: Mapped[str | None] = mapped_column(String(64))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transfer_reference: Mapped[str | None] = mapped_column(String(60))
    transfer_date: Mapped[date | None] = mapped_column(Date)
    transfer_amount: Mapped[int | None] = mapped_column(Money)
    funds_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_amount: Mapped[int | None] = mapped_column(Money)
    returned_amount: Mapped[int | None] = mapped_column(Money)
    return_reference: Mapped[str | None] = mapped_column(String(60))
    return_date: Mapped[date | None] = mapped_column(Date)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    district_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PayoutRate(Base):
    """The amount per category and month a cycle pays by, fixed when the cycle starts (auditable)."""

    __tablename__ = "payout_rates"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("payout_cycles.id", ondelete="CASCADE"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[int] = mapped_column(Money)
    base_level: Mapped[int] = mapped_column(Money)


class PayoutLine(Base):
    __tablename__ = "payout_lines"
    __table_args__ = (
        UniqueConstraint(
            "cycle_id",
            "beneficiary_code",
            "programme",
            "month",
            "entitlement",
            name="uq_payout_lines_cycle_key",
        ),
        # A month's own line exists once across all cycles: a month owed again later (not collected,
        # or paid at a level since raised) comes back as an arrears line of a later cycle.
        Index(
            "ux_payout_lines_monthly",
            "beneficiary_code",
            "programme",
            "month",
            unique=True,
            sqlite_where=text("entitlement = 'monthly'"),
            postgresql_where=text("entitlement = 'monthly'"),
        ),
        # Paid one way only, as the database itself sees it: by account only what is due by account…
        CheckConstraint(
            "status <> 'paid' OR (method = 'account' AND fallback_method IS NULL)", name="paid_by_account"
        ),
        # …and in cash only a cash line or a failed transfer turned into one.
        CheckConstraint(
            "status <> 'cash_paid' OR method <> 'account' OR fallback_method IS NOT NULL", name="paid_in_cash"
        ),
        # A cycle's lines are found by the key above (cycle first); nothing else is indexed by cycle here
        # but the dashboard's index (``dashboard.models``): every index costs every line written.
        # Every earlier line of a person (any cycle, any entitlement): read for each person a list holds.
        Index("ix_payout_lines_person", "beneficiary_code", "programme", "month"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("payout_cycles.id"))
    beneficiary_code: Mapped[str] = mapped_column(ForeignKey("beneficiaries.code"))
    month: Mapped[date] = mapped_column(Date)  # the month the money is for (an arrears line: a past month)
    entitlement: Mapped[str] = mapped_column(String(20))  # monthly | arrears
    programme: Mapped[str] = mapped_column(
        String(20), default="social_assistance", server_default="social_assistance"
    )
    basis: Mapped[str | None] = mapped_column(String(200))  # how the amount was reached: "1,5 × 500.000 đ"
    commune_code: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(100))
    beneficiary_cccd: Mapped[str | None] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(20))  # account | cash_pay_point | cash_home
    recipient_kind: Mapped[str] = mapped_column(String(20))  # beneficiary | guardian | authorised
    recipient_name: Mapped[str] = mapped_column(String(100))
    recipient_cccd: Mapped[str | None] = mapped_column(String(12))
    bank_code: Mapped[str | None] = mapped_column(String(20))
    account_number: Mapped[str | None] = mapped_column(String(19))
    amount: Mapped[int] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))  # see common.LINE_STATUSES
    fallback_method: Mapped[str | None] = mapped_column(String(20))  # a failed transfer, paid in cash
    transaction_ref: Mapped[str | None] = mapped_column(String(60))
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    return_reason: Mapped[str | None] = mapped_column(String(20))  # not_collected | held
    import_id: Mapped[int | None] = mapped_column(BigId)  # the batch that recorded the result
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PayoutImport(Base):
    """One results file (or one screen of cash results), applied in chunks; resumable after a crash."""

    __tablename__ = "payout_imports"
    __table_args__ = (UniqueConstraint("cycle_id", "kind", "content_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("payout_cycles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # account | cash
    file_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # processing | done
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PayoutImportRow(Base):
    """What happened to one row of an import, in Vietnamese: the per-row result report."""

    __tablename__ = "payout_import_rows"
    __table_args__ = (UniqueConstraint("import_id", "row_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("payout_imports.id", ondelete="CASCADE"))
    row_no: Mapped[int] = mapped_column(Integer)
    line_ids: Mapped[str | None] = mapped_column(String(100))  # the lines it touched, comma-separated
    outcome: Mapped[str] = mapped_column(String(20))  # applied | duplicate | refused
    message: Mapped[str] = mapped_column(String(300))


class PayoutNotice(Base):
    """The outbox of ``payout_failed`` messages: written with the step, delivered after it commits."""

    __tablename__ = "payout_notices"
    __table_args__ = (UniqueConstraint("cycle_id", "beneficiary_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("payout_cycles.id"))
    beneficiary_code: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    delivered_to: Mapped[list[int] | None] = mapped_column(JSON)
