"""The open record-cleaning tasks of an agency's areas, read in one pass for the download and the upload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine.fastsql import select_in
from engine.models import Instance, OpenTask

from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary
from ..org.models import Area
from .sheets import fold

FORM_KEY = "police_check"


@dataclass(frozen=True)
class Pending:
    """An open record-cleaning task with what the police need to look the person up."""

    task_id: str
    instance_id: int
    area_code: str
    claimed_by: str | None
    code: str
    full_name: str
    date_of_birth: date | None
    gender: str | None
    cccd: str | None
    village: str | None
    commune: str
    duplicate_of: str | None  # another open case with the same CCCD


def pending_tasks(session: Session, areas: Sequence[str]) -> list[Pending]:
    """The open record-cleaning tasks in ``areas``, by commune then name; one query."""
    if not areas:
        return []
    other = aliased(Beneficiary)
    duplicate = (
        select(func.min(other.code))
        .where(
            other.cccd == Beneficiary.cccd,
            other.code != Beneficiary.code,
            other.status.not_in(CLOSED_STATUSES),
        )
        .scalar_subquery()
    )
    query = (
        select(
            OpenTask.id,
            OpenTask.instance_id,
            OpenTask.area_code,
            OpenTask.claimed_by,
            Beneficiary.code,
            Beneficiary.full_name,
            Beneficiary.date_of_birth,
            Beneficiary.gender,
            Beneficiary.cccd,
            Beneficiary.village,
            Area.kind + " " + Area.name,
            duplicate,
        )
        .join(Instance, Instance.id == OpenTask.instance_id)
        .join(Beneficiary, Beneficiary.code == Instance.business_key)
        .join(Area, Area.code == OpenTask.area_code)
        .where(OpenTask.form_key == FORM_KEY, OpenTask.role == "police")
    )
    rows = [Pending(*row) for row in select_in(session, query, OpenTask.area_code, areas)]
    return sorted(rows, key=lambda p: (fold(p.commune), fold(p.full_name), p.code))
