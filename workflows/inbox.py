"""The inbox: the open tasks an agency must do, filtered, searched, sorted and paged in SQL."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, nulls_last, or_, select, text, true, union_all
from sqlalchemy.orm import Session

from engine.models import Instance, OpenTask

from .beneficiaries.models import Beneficiary
from .inbox_names import CaseTaskName
from .org.models import Area
from .programme_work import instance_condition
from .scope import Scope
from .validators import fold_diacritics

CASE_CODE = re.compile(r"(?=.*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")  # 23311-000042, KT-00017
_FTS_MATCH = "beneficiaries.rowid IN (SELECT rowid FROM beneficiary_names WHERE name_folded LIKE :p)"
SEARCH_LIMIT = 5000
FEW_AREAS = 10  # a search over at most this many areas lists their matching people first
NAME_WALK = 50_000  # a wider name search first reads up to this many of each role's tasks, in due order
CASE_PROCESS = "beneficiary_case"  # searches by name or CCCD look for beneficiaries' cases
DUE_SOON = timedelta(days=2)
PER_PAGE = 25
SORTS = ("due", "created", "name")
STATUSES = ("overdue", "due_soon", "on_time")

_T = OpenTask.__table__
_I = Instance.__table__
_B = Beneficiary.__table__
_A = Area.__table__
_N = CaseTaskName.__table__


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
    """One page of the scope's open tasks. A search by name over many areas (a province) walks each role's
    tasks in due order beside their people's names (``_named_tasks``): a common name fills the page
    within a few thousand tasks. A search in a few areas (a commune, or the area filter), a rarer name, a
    CCCD or another order lists the matching people first (``_matching_cases``)."""
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
    areas = sorted({filters.area} if filters.area else scope.all_areas)
    pattern = name_pattern(search) if search else None
    named = None
    if pattern is not None and sort == "due" and len(areas) > FEW_AREAS:
        named = _named_tasks(session, scope, conditions, pattern, page * PER_PAGE + 1)
    if named is not None:
        query = query.where(_T.c.id.in_(named))
    elif search:
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


def _named_tasks(
    session: Session, scope: Scope, conditions: list, pattern: str, need: int
) -> list[str] | None:
    """The ids of the scope's first ``need`` case tasks, in due order, whose person's folded name is like
    ``pattern``; None if some role's first ``NAME_WALK`` tasks hold fewer (a rarer name: the trigram
    index finds its people faster). Each role's branch reads case_task_names' order index alone (names
    beside the tasks) and stops at its ``need``-th match; the first tasks in order that pass are the
    first that match anywhere, so the page is exactly the one the slower search would give."""
    order = (nulls_last(_N.c.due_at), _N.c.created_at, _N.c.task_id)
    branches = []
    for role, areas in scope.areas_by_role.items():
        walk = (
            select(_N.c.task_id, _N.c.due_at, _N.c.created_at, _N.c.name_folded)
            .where(_N.c.role == role, _N.c.area_code.in_(areas))
            .order_by(*order)
            .limit(NAME_WALK)
            .subquery()
        )
        named = select(_T.c.id, _T.c.role).select_from(walk).join(_T, _T.c.id == walk.c.task_id)
        named = _scoped(named.where(walk.c.name_folded.like(pattern)), scope, role, areas, conditions)
        named = named.order_by(nulls_last(walk.c.due_at), walk.c.created_at, walk.c.task_id).limit(need)
        branches.append(named.subquery())
    rows = session.execute(union_all(*(select(branch.c.id, branch.c.role) for branch in branches))).all()
    found = Counter(role for _, role in rows)
    if any(found[role] < need for role in scope.areas_by_role):
        return None
    return [task_id for task_id, _ in rows]


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
    pattern = name_pattern(query)
    if pattern is None and CASE_CODE.fullmatch(query.strip()):
        return _B.c.code == query.strip().upper()
    if pattern is None:
        digits = "".join(ch for ch in query if ch.isdigit())
        return _B.c.cccd == digits if len(digits) == 12 else _B.c.cccd.like(f"%{digits}%")
    if len(pattern) >= 5 and session.get_bind().dialect.name == "sqlite":  # three letters or more
        return text(_FTS_MATCH).bindparams(p=pattern)
    return _B.c.name_folded.like(pattern)


def name_pattern(query: str) -> str | None:
    """The LIKE pattern on folded names a search by name means; None for a case code or a CCCD's digits."""
    digits = "".join(ch for ch in query if ch.isdigit())
    if CASE_CODE.fullmatch(query.strip()) or (digits and len(digits) == len(query.replace(" ", ""))):
        return None
    return f"%{fold_diacritics(query).replace('%', '').replace('_', '')}%"


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
