"""Cases a scope may see, searched and paged in SQL: what the API lists (the case page shows one)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance

from .beneficiaries.models import Beneficiary
from .inbox import CASE_PROCESS, search_condition
from .scope import Scope

PER_PAGE = 50
_B, _I = Beneficiary.__table__, Instance.__table__


@dataclass(frozen=True)
class CaseRow:
    code: str
    full_name: str
    area_code: str
    category_code: str
    status: str
    instance_id: int | None
    case_status: str | None  # the case's BPMN instance: running | completed | ...


@dataclass(frozen=True)
class CasesPage:
    rows: list[CaseRow]
    page: int
    has_next: bool


def list_cases(
    session: Session,
    scope: Scope,
    search: str | None = None,
    area: str | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CasesPage:
    """The beneficiaries' cases in the scope's areas (any role), by name; a search takes a name
    (diacritics ignored) or digits of a CCCD, as the inbox's does."""
    areas = sorted(scope.all_areas)
    if area:
        areas = [area] if area in scope.all_areas else []
    if not areas:
        return CasesPage([], max(page, 1), False)
    query = (
        select(
            _B.c.code, _B.c.full_name, _B.c.area_code, _B.c.category_code, _B.c.status, _I.c.id, _I.c.status
        )
        .select_from(_B)
        .outerjoin(_I, (_I.c.business_key == _B.c.code) & (_I.c.process_key == CASE_PROCESS))
        .where(_B.c.area_code.in_(areas))
    )
    if status:
        query = query.where(_B.c.status == status)
    if search and search.strip():
        query = query.where(search_condition(session, search.strip()))
    page = max(page, 1)
    rows = session.execute(
        query.order_by(_B.c.name_folded, _B.c.code).limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    return CasesPage([CaseRow(*row) for row in rows[:per_page]], page, len(rows) > per_page)
