"""Enrolments: which programme pays a person, in which category, from which month and to which month.

The monthly list reads them (``workflows/payouts/generation.py``); registration writes the social-
assistance one, a roll import writes either programme's, an exit sets the last month owed. Every change
is in the case's history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine import history
from engine.fastsql import FastStatement, select_in

from ..entitlements import month_start
from ..programmes import per_child
from .models import Enrolment, EnrolmentChildren

# The month a person's last payment covers when they die or leave: the month of the event itself;
# payment stops from the following month. The articles below are where the decrees deal with it; the
# exact "from the following month" wording could not be read in them (see workflows/data/README.md).
EXIT_RULES = {
    "social_assistance": "Nghị định 20/2021/NĐ-CP, Điều 8 (thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội "
    "hằng tháng): chi trả hết tháng đối tượng chết hoặc không còn đủ điều kiện, thôi hưởng từ tháng sau",
    "merit": "Nghị định 131/2021/NĐ-CP, Điều 121 (giải quyết chế độ khi người có công từ trần): chi trả hết "
    "tháng người hưởng từ trần, thôi hưởng trợ cấp hằng tháng từ tháng sau",
}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def enrol(
    session: Session,
    code: str,
    programme: str,
    category_code: str,
    at: datetime,
    *,
    entitled_from: date,
    paid_through: date | None = None,
    children_count: int | None = None,
    children_from: date | None = None,
    source: str,
    instance_id: int | None = None,
    actor: str | None = None,
) -> None:
    """Create the enrolment (one statement, for a category not paid per child), or update its category
    and children (the months owed are kept: they come from the roll, which knows them better than a
    later form). A category not paid per child has no
    number of children; a new count is paid from ``children_from`` (default: the month of ``at``; a new
    enrolment's first count from ``entitled_from``). Each change is in the history and in
    ``enrolment_children``, so the list pays every month, arrears included, by the count then."""
    if not per_child(programme, category_code):
        children_count = None
    new = {
        "beneficiary_code": code, "programme": programme, "category_code": category_code,
        "children_count": children_count, "entitled_from": month_start(entitled_from),
        "paid_through": month_start(paid_through) if paid_through else None, "source": source,
        "created_at": at,
    }  # fmt: skip
    children_start = None
    if children_count is None and _inserted(session, new):  # a first enrolment not paid per child
        diff = _new_diff(new)
    else:
        row = session.scalars(
            select(Enrolment).where(Enrolment.beneficiary_code == code, Enrolment.programme == programme)
        ).first()
        if row is None:
            row = Enrolment(**new)
            session.add(row)
            diff = _new_diff(new)
            session.flush()
            if children_count is not None:
                _children_from(session, row, row.entitled_from, children_count, at, source)
        else:
            diff = {}
            if row.category_code != category_code:
                diff["category_code"], row.category_code = [row.category_code, category_code], category_code
            if row.children_count != children_count:
                diff["children_count"] = [row.children_count, children_count]
                if children_count is None:  # no longer paid per child
                    row.children_count = None
                else:
                    start = month_start(children_from or at.date())
                    _children_from(session, row, start, children_count, at, source)
                    children_start = start.isoformat()
    session.flush()
    if diff:
        data = {"beneficiary": code, "programme": programme, "changes": diff, "source": source}
        if children_start:
            data["children_from"] = children_start
        history.record(session.connection(), at, "enrolment_changed", instance_id, actor=actor, data=data)


_NEW = ("beneficiary_code", "programme", "category_code", "children_count", "entitled_from", "paid_through",
        "source", "created_at")  # fmt: skip


def _insert_new(dialect) -> FastStatement:
    statement = dialect.insert(Enrolment.__table__).values({name: bindparam(name) for name in _NEW})
    statement = statement.on_conflict_do_nothing(index_elements=["beneficiary_code", "programme"])
    return FastStatement(statement)


_INSERT_NEW = {"postgresql": _insert_new(postgresql), "sqlite": _insert_new(sqlite)}


def _inserted(session: Session, row: dict[str, Any]) -> bool:
    """Insert ``row`` unless the person is enrolled in its programme already (one statement)."""
    conn = session.connection()
    return _INSERT_NEW[conn.dialect.name].run(conn, row) == 1


def _new_diff(row: dict[str, Any]) -> dict[str, list[Any]]:
    diff = {
        "category_code": [None, row["category_code"]],
        "entitled_from": [None, _plain(row["entitled_from"])],
    }
    if row["paid_through"]:
        diff["paid_through"] = [None, _plain(row["paid_through"])]
    if row["children_count"] is not None:
        diff["children_count"] = [None, row["children_count"]]
    return diff


def _children_from(
    session: Session, row: Enrolment, start: date, count: int, at: datetime, source: str
) -> None:
    """Record ``count`` children from ``start`` (replacing a count recorded for that same month). An
    enrolment whose earlier count was never dated (written in bulk by a roll) first gets that count
    dated from its first month, so the months before ``start`` keep it."""
    changes = {c.effective_from: c for c in session.scalars(
        select(EnrolmentChildren).where(EnrolmentChildren.enrolment_id == row.id)
    )}  # fmt: skip
    if not changes and row.children_count is not None and row.entitled_from < start:
        session.add(EnrolmentChildren(
            enrolment_id=row.id, effective_from=row.entitled_from, children_count=row.children_count,
            source=row.source, recorded_at=at,
        ))  # fmt: skip
    if start in changes:
        changes[start].children_count, changes[start].source, changes[start].recorded_at = count, source, at
    else:
        session.add(EnrolmentChildren(
            enrolment_id=row.id, effective_from=start, children_count=count, source=source, recorded_at=at
        ))  # fmt: skip
    latest = max([*changes, start])
    if latest == start:
        row.children_count = count


def record_children(
    session: Session,
    code: str,
    programme: str,
    children_count: int,
    start: date,
    at: datetime,
    *,
    source: str,
    instance_id: int | None = None,
    actor: str | None = None,
) -> Enrolment:
    """A single parent's count of children changes from the month of ``start`` (a child born, taken in
    or grown up): the months from then are paid by the new count, those before keep theirs."""
    row = session.scalars(
        select(Enrolment).where(Enrolment.beneficiary_code == code, Enrolment.programme == programme)
    ).first()
    if row is None:
        raise LookupError(f"{code}: no {programme} enrolment")
    if not per_child(programme, row.category_code):
        raise ValueError(f"{code}: category {row.category_code!r} is not paid per child")
    if not 1 <= children_count <= 20:
        raise ValueError(f"{code}: children_count must be 1 to 20, got {children_count!r}")
    before, first = row.children_count, month_start(start)
    _children_from(session, row, first, children_count, at, source)
    session.flush()
    data = {
        "beneficiary": code, "programme": programme, "source": source, "children_from": first.isoformat(),
        "changes": {"children_count": [before, children_count]},
    }  # fmt: skip
    history.record(session.connection(), at, "enrolment_changed", instance_id, actor=actor, data=data)
    return row


def children_schedules(session_or_conn, enrolment_ids) -> dict[int, list[tuple[date, int]]]:
    """Enrolment id → its dated counts (first month, children), for ``entitlements.children_in_force``."""
    table = EnrolmentChildren.__table__
    schedules: dict[int, list[tuple[date, int]]] = {}
    query = select(table.c.enrolment_id, table.c.effective_from, table.c.children_count)
    for enrolment_id, start, count in select_in(
        session_or_conn, query, table.c.enrolment_id, sorted(set(enrolment_ids)), batch=5000
    ):
        schedules.setdefault(enrolment_id, []).append((start, count))
    return schedules


def end_enrolments(
    session: Session, code: str, event_day: date, at: datetime, reason: str, instance_id: int | None = None
) -> list[dict]:
    """A person died or left on ``event_day``: each programme pays through that month (``EXIT_RULES``)."""
    last = month_start(event_day)
    ended = []
    for row in session.scalars(select(Enrolment).where(Enrolment.beneficiary_code == code)):
        if row.ends_after is not None and row.ends_after <= last:
            continue
        before, row.ends_after = row.ends_after, last
        ended.append(
            {"programme": row.programme, "ends_after": last.isoformat(), "basis": EXIT_RULES[row.programme]}
        )
        data = {
            "beneficiary": code, "programme": row.programme, "reason": reason,
            "changes": {"ends_after": [_plain(before), last.isoformat()]}, "basis": EXIT_RULES[row.programme],
        }  # fmt: skip
        history.record(session.connection(), at, "enrolment_ended", instance_id, data=data)
    session.flush()
    return ended
