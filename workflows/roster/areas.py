"""Which communes a roll may name: those of the structure in force, within the uploader's area."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ValidationError

from ..org.models import Area, RoleAssignment
from ..scope import scope_for

ROLES = ("commune", "district_labour")  # who brings a roll in: the commune, or the district's labour office


def structure_in_force(session: Session, on: date) -> str:
    """The structure whose communes have a ``commune`` office on ``on`` (the newest if several), else
    the newest structure loaded."""
    held = session.scalars(
        select(Area.structure)
        .join(RoleAssignment, RoleAssignment.area_code == Area.code)
        .where(
            RoleAssignment.role == "commune",
            RoleAssignment.effective_from <= on,
            (RoleAssignment.effective_to.is_(None)) | (RoleAssignment.effective_to > on),
        )
        .distinct()
    ).all()
    structures = held or session.scalars(select(Area.structure).distinct()).all()
    if not structures:
        raise ValidationError.single("Chưa có địa bàn nào: hãy chạy «ansinh org load» trước.")
    return max(structures)


def roll_communes(session: Session, agency_code: str | None, on: date) -> dict[str, str]:
    """5-digit official code → area key, for the communes this agency may bring a roll in for (every
    commune of the structure in force when ``agency_code`` is None: the command line's operator)."""
    structure = structure_in_force(session, on)
    query = select(Area.official_code, Area.code).where(Area.structure == structure, Area.level == "commune")
    communes = dict(session.execute(query).all())
    if agency_code is None:
        return communes
    scope = scope_for(session, agency_code, on)
    allowed = {area for role in ROLES for area in scope.areas_by_role.get(role, ())}
    if not allowed:
        raise ValidationError.single(
            "Chỉ cán bộ UBND xã và Phòng Lao động - Thương binh và Xã hội được nhập danh sách đối tượng."
        )
    return {official: key for official, key in communes.items() if key in allowed}
