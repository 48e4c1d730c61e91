"""The organisation's tables: the tree of administrative areas, the agencies, and who plays which role where.

Area codes are keys of this table, not bare official codes: Vietnam reuses official codes across
reorganisations (40 of Quảng Ngãi's 2025 commune codes were Kon Tum commune codes in 2024, naming other
places), so a key is ``<structure>:<official code>`` and both trees can live side by side.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

BigId = BigInteger().with_variant(Integer(), "sqlite")

LEVELS = ("province", "district", "commune")
ROLES = ("commune", "district_labour", "police", "provider", "treasury", "district_pc", "dolisa")


def area_code(structure: str, official_code: str) -> str:
    """The key of an area: ``area_code("2024", "23281") == "2024:23281"``."""
    return f"{structure}:{official_code}"


class Area(Base):
    """One administrative unit (province, district, commune) in one structure ("2024", "2025", …)."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("structure", "official_code"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    structure: Mapped[str] = mapped_column(String(10))
    official_code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))  # without the kind: "Đắk Hà", NFC
    kind: Mapped[str] = mapped_column(String(40))  # "Tỉnh", "Huyện", "Thành phố", "Xã", "Phường", …
    level: Mapped[str] = mapped_column(String(20))  # one of LEVELS
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)

    @property
    def full_name(self) -> str:
        """As written on a letterhead: "Huyện Đắk Hà"."""
        return f"{self.kind} {self.name}"

    @property
    def inline_name(self) -> str:
        """As written inside a phrase: "UBND huyện Đắk Hà"."""
        return f"{self.kind.lower()} {self.name}"

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.full_name}>"


class Agency(Base):
    """An office that does work: a People's Committee, a labour office, the police, the post office…"""

    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    # Overdue work escalates up this chain.
    supervisor_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))

    def __repr__(self) -> str:
        return f"<Agency {self.code} {self.name}>"


class RoleAssignment(Base):
    """``agency`` plays ``role`` for ``area`` and everything below it, from ``effective_from`` up to
    (not including) ``effective_to``: half-open, so a successor starts on the day its predecessor
    stops, with neither gap nor overlap. An assignment whose last day is 30/06/2025 has
    ``effective_to`` 01/07/2025; ``None`` means open-ended."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        # Also the index that resolution uses: (role, area_code) is its prefix.
        UniqueConstraint("role", "area_code", "programme", "effective_from", name="uq_role_assignments_key"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="effective_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    role: Mapped[str] = mapped_column(String(40))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    # social_assistance | merit: the programme this assignment is for (since 1/3/2025 the two are run by
    # different departments); None: every programme, unless one has its own assignment.
    programme: Mapped[str | None] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)

    def holds_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def __repr__(self) -> str:
        return (
            f"<RoleAssignment {self.role}@{self.area_code} → {self.agency_code} from {self.effective_from}>"
        )


class AreaSuccession(Base):
    """From ``effective_from``, what was ``old_code`` is part of ``new_code`` (a 2024 commune in its 2025
    commune, after the 1 July 2025 reorganisation): cases, tasks and payouts move on that date."""

    __tablename__ = "area_successions"
    __table_args__ = (UniqueConstraint("old_code", "effective_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    old_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    new_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    applied_at: Mapped[date | None] = mapped_column(Date)  # when the move was carried out


class OrganisationVersion(Base):
    """One row (id 1) whose version every change to the areas, agencies or role assignments bumps, by
    database triggers (migration w1211): what routing's in-process cache is checked against."""

    __tablename__ = "organisation_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
