"""Finding any case in one's scope, open or closed: by case code, CCCD, name without diacritics, village,
category and status; paged in SQL, each row with its current step, the agency that must do it and its
deadline (the step's agency is resolved for the page's rows only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from engine import EngineContext
from engine.errors import NotFound
from engine.models import Instance, OpenTask

from .beneficiaries.models import CLOSED_STATUSES, OPEN_STATUSES, Beneficiary
from .case.summary import STATUS_LABELS
from .inbox import search_condition
from .org.models import Area
from .org.routing import resolve_agency
from .privacy import mask, sees_cccd
from .programme_work import programmes_of
from .programmes import category_names
from .scope import Scope

PER_PAGE = 25
STATUSES = OPEN_STATUSES + CLOSED_STATUSES
WAITING = {  # where a case without an open task stands
    "active_cashless": "Đang nhận qua tài khoản",
    "cash": "Đang nhận tiền mặt",
    "outreach": "Chờ vận động lại",
}


@dataclass(frozen=True)
class CaseQuery:
    code: str = ""
    cccd: str = ""
    name: str = ""
    village: str = ""
    category: str = ""
    status: str = ""  # a record status, "open" or "closed"; "" for every case
    page: int = 1


@dataclass(frozen=True)
class FoundCase:
    code: str
    full_name: str
    cccd: str
    area: str
    village: str
    category: str
    status: str
    closed: bool
    step: str
    agency: str
    due_at: datetime | None


@dataclass(frozen=True)
class CasePage:
    rows: list[FoundCase]
    page: int
    has_next: bool


def search_cases(ctx: EngineContext, scope: Scope, query: CaseQuery, today: date) -> CasePage:
    """The cases in ``scope`` (the areas any of its roles covers) matching every filter given."""
    with ctx.db.read() as session:
        condition = _conditions(session, scope, query)
        page = max(query.page, 1)
        records = session.scalars(
            select(Beneficiary).where(*condition).order_by(Beneficiary.name_folded, Beneficiary.code)
            .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
        ).all()  # fmt: skip
        shown = records[:PER_PAGE]
        steps = _current_steps(session, [r.code for r in shown], today)
        areas = dict(session.execute(select(Area.code, Area.kind + " " + Area.name).where(
            Area.code.in_({r.area_code for r in shown}))).all())  # fmt: skip
        unmasked = sees_cccd(scope.roles)
        rows = [_row(r, steps.get(r.code), areas, unmasked) for r in shown]
    return CasePage(rows, page, len(records) > PER_PAGE)


def category_choices() -> list[tuple[str, str]]:
    return list(category_names().items())


def _conditions(session: Session, scope: Scope, query: CaseQuery) -> list:
    areas = scope.all_areas
    conditions = [Beneficiary.area_code.in_(sorted(areas)) if areas else false()]
    if query.code.strip():
        conditions.append(Beneficiary.code == query.code.strip().upper())
    if query.cccd.strip():
        digits = "".join(ch for ch in query.cccd if ch.isdigit())
        conditions.append(
            Beneficiary.cccd == digits if len(digits) == 12 else Beneficiary.cccd.like(f"%{digits}%")
        )
    if query.name.strip():
        conditions.append(search_condition(session, query.name))
    if query.village.strip():
        conditions.append(Beneficiary.village.ilike(f"%{query.village.strip()}%"))
    if query.category:
        conditions.append(Beneficiary.category_code == query.category)
    if query.status == "open":
        conditions.append(Beneficiary.status.in_(OPEN_STATUSES))
    elif query.status == "closed":
        conditions.append(Beneficiary.status.in_(CLOSED_STATUSES))
    elif query.status in STATUSES:
        conditions.append(Beneficiary.status == query.status)
    return conditions


def _current_steps(
    session: Session, codes: Iterable[str], today: date
) -> dict[str, tuple[str, str, datetime | None]]:
    """(step name, agency name, due) of each case's most urgent open task."""
    rows = session.execute(
        select(
            Instance.id,
            Instance.business_key,
            OpenTask.name,
            OpenTask.role,
            OpenTask.area_code,
            OpenTask.due_at,
        )
        .join(OpenTask, OpenTask.instance_id == Instance.id)
        .where(Instance.business_key.in_(list(codes)), Instance.process_key == "beneficiary_case")
        .order_by(Instance.business_key, OpenTask.due_at)
    ).all()
    programme = programmes_of(session.connection(), {row.id for row in rows})
    steps: dict[str, tuple[str, str, datetime | None]] = {}
    for instance_id, code, name, role, area, due_at in rows:
        if code in steps:
            continue
        try:
            agency = resolve_agency(session, role, area, today, programme[instance_id]).name if role else ""
        except NotFound:
            agency = ""
        steps[code] = (name or "", agency, due_at)
    return steps


def _row(record: Beneficiary, step, areas: dict[str, str], unmasked: bool) -> FoundCase:
    closed = record.status in CLOSED_STATUSES
    name, agency, due_at = step or (
        WAITING.get(record.status, "—") if not closed else "Đã đóng hồ sơ",
        "",
        None,
    )
    category = category_names().get(record.category_code)
    return FoundCase(
        record.code, record.full_name, (record.cccd or "") if unmasked else mask(record.cccd),
        areas.get(record.area_code, record.area_code), record.village or "",
        category or record.category_code, STATUS_LABELS.get(record.status, record.status),
        closed, name, agency, due_at,
    )  # fmt: skip
