"""The inbox: the open tasks an agency must do, filtered, searched, sorted and paged in SQL."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, nulls_last, or_, select, text, true, union_all
from sqlalchemy.orm import Session

from engine.models import Instance, OpenTask

from .beneficiaries.models import Beneficiary
from .org.models import Area
from .programme_work import instance_condition
from .scope import Scope
from .validators import fold_diacritics

CASE_CODE = re.compile(r"(?=.*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")  # 23311-000042, KT-00017
_FTS_MATCH = "beneficiaries.rowid IN (SELECT rowid FROM beneficiary_names WHERE name_folded LIKE :p)"
SEARCH_LIMIT = 5000
FEW_AREAS = 10  # a search over at most this many areas lists their matching people first
CASE_PROCESS = "beneficiary_case"  # searches by name or CCCD look for beneficiaries' cases
DUE_SOON = timedelta(days=2)
PER_PAGE = 25
SORTS = ("due", "created", "name")
STATUSES = ("overdue", "due_soon", "on_time")

_T = OpenTask.__table__
_I = Instance.__table__
_B = Beneficiary.__table__
_A = Area.__table__


@dataclass(frozen=True)
class InboxFilter:
    step: str | None = None
    area: str | None = None
    status: str | None = None  # overdue | due_soon | on_time
    search: str | None = None  # a name (diacritics ignored) or digits of a CCCD
    claimed: str | None = None  # mine | unclaimed
    sort: str = "due"
    page: int = 1


@dataclass(frozen=True)
class InboxRow:
    task_id: str
    step: str
    step_name: str | None
    area_code: str
    area_name: str | None
    role: str | None
    created_at: datetime
    due_at: datetime | None
    claimed_by: str | None
    case_code: str
    beneficiary: str | None
    instance_id: int

    def due_status(self, now: datetime) -> str:
        return due_status(self.due_at, now)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    page: int
    has_next: bool


def due_status(due_at: datetime | None, now: datetime) -> str:
    if due_at is None or due_at - now >= DUE_SOON:
        return "on_time"
    return "overdue" if due_at < now else "due_soon"


def scope_condition(scope: Scope):
    """Tasks whose role and area the scope owns, of the programmes it holds each role for (nothing, for
    an agency with no assignment). The query joins the tasks' instances."""
    if not scope.areas_by_role:
        return false()
    return or_(*(_role_condition(scope, role, areas) for role, areas in scope.areas_by_role.items()))


def _role_condition(scope: Scope, role: str, areas):
    return and_(
        _T.c.role == role,
        _T.c.area_code.in_(areas),
        instance_condition(_I.c.id, _I.c.business_key, scope.programmes_by_role.get(role)),
    )


def list_inbox(
    session: Session, scope: Scope, filters: InboxFilter, now: datetime, username: str
) -> InboxPage:
    """One page of the scope's open tasks. A search lists the matching people first: those registered
    in the scope's areas when they are few (a commune, or the area filter), else everyone's
    (``_matching_cases``). The latter is slow for a common name in a big province (17,000 of 10,000,000
    people share "Nguyễn Văn An": ~2 s): the trigram index must gather them all, and walking the
    province's tasks in due order instead reads ~20,000 random rows. A table of open case tasks with
    their folded names, in due order, would serve it."""
    page = max(filters.page, 1)
    if not scope.areas_by_role:
        return InboxPage([], page, False)
    conditions = _task_conditions(filters, now, username)
    sort = filters.sort if filters.sort in SORTS else "due"
    search = (filters.search or "").strip()
    order = {
        "due": (nulls_last(_T.c.due_at), _T.c.created_at),
        "created": (_T.c.created_at,),
        "name": (_B.c.name_folded,),
    }[sort]
    query = _columns()
    if search:
        areas = sorted({filters.area} if filters.area else scope.all_areas)
        matches = _matching_cases(session, search, areas if len(areas) <= FEW_AREAS else None)
        query = query.where(scope_condition(scope), *conditions, _I.c.process_key == CASE_PROCESS, matches)
    elif sort == "name":
        query = query.where(scope_condition(scope), *conditions)
    else:
        first = _first_tasks(scope, conditions, (*order, _T.c.id), page * PER_PAGE + 1)
        query = query.where(_T.c.id.in_(first))
    rows = session.execute(
        query.order_by(*order, _T.c.id).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
    ).all()
    return _page(rows, page)


def _page(rows, page: int) -> InboxPage:
    return InboxPage([InboxRow(*row) for row in rows[:PER_PAGE]], page, len(rows) > PER_PAGE)


def _columns():
    """An inbox row's columns."""
    return (
        select(
            _T.c.id,
            _T.c.bpmn_id,
            _T.c.name,
            _T.c.area_code,
            _A.c.name,
            _T.c.role,
            _T.c.created_at,
            _T.c.due_at,
            _T.c.claimed_by,
            _I.c.business_key,
            _B.c.full_name,
            _T.c.instance_id,
        )  # fmt: skip
        .select_from(_T)
        .join(_I, _I.c.id == _T.c.instance_id)
        .outerjoin(_B, _B.c.code == _I.c.business_key)
        .outerjoin(_A, _A.c.code == _T.c.area_code)
    )


def _scoped(query, scope: Scope, role: str, areas, conditions: list):
    """``query`` over the tasks, narrowed to one role's part of the scope (joining the instances only
    when the scope holds the role for some programmes, not all)."""
    programmes = instance_condition(_I.c.id, _I.c.business_key, scope.programmes_by_role.get(role))
    if programmes is not true():
        query = query.join(_I, _I.c.id == _T.c.instance_id).where(programmes)
    return query.where(_T.c.role == role, _T.c.area_code.in_(areas), *conditions)


def _task_conditions(filters: InboxFilter, now: datetime, username: str) -> list:
    """The filters on the task's own columns."""
    conditions = []
    if filters.step:
        conditions.append(_T.c.bpmn_id == filters.step)
    if filters.area:
        conditions.append(_T.c.area_code == filters.area)
    if filters.status == "overdue":
        conditions.append(_T.c.due_at < now)
    elif filters.status == "due_soon":
        conditions += [_T.c.due_at >= now, _T.c.due_at < now + DUE_SOON]
    elif filters.status == "on_time":
        conditions.append(or_(_T.c.due_at.is_(None), _T.c.due_at >= now + DUE_SOON))
    if filters.claimed == "mine":
        conditions.append(_T.c.claimed_by == username)
    elif filters.claimed == "unclaimed":
        conditions.append(_T.c.claimed_by.is_(None))
    return conditions


def _first_tasks(scope: Scope, conditions: list, order: tuple, limit: int):
    """The ids of the scope's first ``limit`` tasks in ``order``, read role by role: each role's branch
    walks its own (role, area, due, created, id) or (role, due, created, id) index in order and stops
    after ``limit`` rows. One condition OR-ing the roles would make the database read the due-date index
    across every role and area and filter it (a commune officer's page read 150,000 rows of 1,000,000)."""
    branches = [
        _scoped(select(_T.c.id), scope, role, areas, conditions).order_by(*order).limit(limit).subquery()
        for role, areas in scope.areas_by_role.items()
    ]
    return union_all(*(select(branch.c.id) for branch in branches))


def _matching_cases(session: Session, query: str, areas: list[str] | None = None):
    """The cases whose beneficiary matches, found first through the name or CCCD index, so the inbox
    query starts from the few matching cases rather than reading the scope's tasks in due order. Given
    the few ``areas`` a scope (or the area filter) covers, only people registered there are read, from
    the (area, name) index: about 10 ms for a commune of 100,000 people."""
    condition = search_condition(session, query)
    people = select(_B.c.code).where(condition)
    if areas is not None:
        people = people.where(_B.c.area_code.in_(areas))
    codes = session.scalars(people.limit(SEARCH_LIMIT + 1)).all()
    if len(codes) > SEARCH_LIMIT:  # too broad to list: filter the tasks as they are read instead
        return condition
    return _I.c.business_key.in_(codes)


def search_condition(session: Session, query: str):
    """A case code finds its case; digits search CCCDs; anything else the names, diacritics ignored.
    Substrings of three letters or more use a trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), so
    a province-wide search does not read every name."""
    if CASE_CODE.fullmatch(query.strip()):
        return _B.c.code == query.strip().upper()
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) == len(query.replace(" ", "")):
        return _B.c.cccd == digits if len(digits) == 12 else _B.c.cccd.like(f"%{digits}%")
    folded = fold_diacritics(query).replace("%", "").replace("_", "")
    pattern = f"%{folded}%"
    if len(folded) >= 3 and session.get_bind().dialect.name == "sqlite":
        return text(_FTS_MATCH).bindparams(p=pattern)
    return _B.c.name_folded.like(pattern)


def task_in_scope(session: Session, scope: Scope, task_id: str) -> bool:
    found = session.execute(
        select(_T.c.id)
        .join(_I, _I.c.id == _T.c.instance_id)
        .where(_T.c.id == task_id, scope_condition(scope))
    ).first()
    return found is not None


def cases_in_scope(session: Session, scope: Scope, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` are cases in ``scope``'s areas (one statement however many)."""
    codes = list(codes)
    if not codes:
        return set()
    areas = set(scope.all_areas)
    rows = session.execute(select(_B.c.code, _B.c.area_code).where(_B.c.code.in_(codes)))
    return {code for code, area in rows if area in areas}
