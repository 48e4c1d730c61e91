"""The beneficiary record kept beside the case (business key = ``Beneficiary.code``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

OPEN_STATUSES = ("outreach", "registered", "active_cashless", "cash")
CLOSED_STATUSES = ("rejected", "deceased", "duplicate", "exited")
_CLOSED = "status IN ({})".format(", ".join(f"'{s}'" for s in CLOSED_STATUSES))


class Beneficiary(Base):
    __tablename__ = "beneficiaries"
    __table_args__ = (
        Index("ix_beneficiaries_cccd", "cccd"),
        Index("ix_beneficiaries_area_status", "area_code", "status"),
        Index("ix_beneficiaries_name_folded", "name_folded"),
        # An inbox search in a few areas reads their names (and codes) from this index alone.
        Index("ix_beneficiaries_area_name", "area_code", "name_folded", postgresql_include=["code"]),
        # The few who exited, by code: every payout step holds their unpaid lines (ledger.hold_exited).
        Index(
            "ix_beneficiaries_closed",
            "code",
            postgresql_where=text(_CLOSED),
            sqlite_where=text(_CLOSED),
        ),
    )

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    name_folded: Mapped[str] = mapped_column(String(100))  # lower-case, no diacritics: for search
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(10))  # male | female
    cccd: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(10))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    village: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    category_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    closed_reason: Mapped[str | None] = mapped_column(String(40))
    duplicate_of: Mapped[str | None] = mapped_column(String(40))  # closed as a duplicate: of which case
    payment_method: Mapped[str | None] = mapped_column(String(20))  # account | cash_pay_point | cash_home
    bank_code: Mapped[str | None] = mapped_column(String(20))
    account_number: Mapped[str | None] = mapped_column(String(19))
    account_holder: Mapped[str | None] = mapped_column(String(20))  # beneficiary | guardian | authorised
    mobility: Mapped[str | None] = mapped_column(String(20))  # mobile | limited | bedridden
    representative_kind: Mapped[str | None] = mapped_column(String(20))  # guardian | authorised
    representative_name: Mapped[str | None] = mapped_column(String(100))
    representative_cccd: Mapped[str | None] = mapped_column(String(12))
    representative_phone: Mapped[str | None] = mapped_column(String(10))
    representative_relationship: Mapped[str | None] = mapped_column(String(50))
    authorisation_document: Mapped[str | None] = mapped_column(String(100))
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Enrolment(Base):
    """One programme a person is paid by: social assistance (Decree 20/2021) or merit allowances
    (Decree 75/2021). A person can be in both, and each programme has its own monthly cycle.

    Months are stored as the first day of the month. ``paid_through`` is the last month paid before An
    Sinh (from a roll), ``ends_after`` the last month owed when the person dies or leaves.
    """

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("beneficiary_code", "programme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    beneficiary_code: Mapped[str] = mapped_column(ForeignKey("beneficiaries.code"), index=True)
    programme: Mapped[str] = mapped_column(String(20))  # social_assistance | merit
    category_code: Mapped[str] = mapped_column(String(60))
    children_count: Mapped[int | None] = mapped_column(Integer)  # single parents: paid per child
    entitled_from: Mapped[date] = mapped_column(Date)
    paid_through: Mapped[date | None] = mapped_column(Date)
    ends_after: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))  # "roll: file.xlsx, row 12" | "registration" | …
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnrolmentChildren(Base):
    """How many children a single parent raises, from which month: the list pays each month by the
    count in force in it (arrears too), so a third child recorded from March raises March on, not the
    months before. ``Enrolment.children_count`` is the latest count; an enrolment with no rows here
    (written in bulk by a roll) has had that one count throughout."""

    __tablename__ = "enrolment_children"
    __table_args__ = (UniqueConstraint("enrolment_id", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)  # first day of the first month it is paid for
    children_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
