"""Enrolments: which programme pays a person, in which category, from which month and to which month.

The monthly list reads them (``workflows/payouts/generation.py``); registration writes the social-
assistance one, a roll import writes either programme's, an exit sets the last month owed. Every change
is in the case's history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import history

from ..entitlements import month_start
from ..programmes import per_child
from .models import Enrolment

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
    source: str,
    instance_id: int | None = None,
    actor: str | None = None,
) -> Enrolment:
    """Create the enrolment, or update its category and children (the months owed are kept: they come
    from the roll, which knows them better than a later form). A category not paid per child has no
    number of children; each change is in the history, so the list's multiplier can be traced."""
    if not per_child(programme, category_code):
        children_count = None
    row = session.scalars(
        select(Enrolment).where(Enrolment.beneficiary_code == code, Enrolment.programme == programme)
    ).first()
    if row is None:
        row = Enrolment(
            beneficiary_code=code, programme=programme, category_code=category_code,
            children_count=children_count, entitled_from=month_start(entitled_from),
            paid_through=month_start(paid_through) if paid_through else None, source=source, created_at=at,
        )  # fmt: skip
        session.add(row)
        diff = {"category_code": [None, category_code], "entitled_from": [None, _plain(row.entitled_from)]}
        if row.paid_through:
            diff["paid_through"] = [None, _plain(row.paid_through)]
        if children_count is not None:
            diff["children_count"] = [None, children_count]
    else:
        diff = {}
        for name, value in (("category_code", category_code), ("children_count", children_count)):
            if (value is not None or name == "children_count") and getattr(row, name) != value:
                diff[name] = [getattr(row, name), value]
                setattr(row, name, value)
    session.flush()
    if diff:
        data = {"beneficiary": code, "programme": programme, "changes": diff, "source": source}
        history.record(session.connection(), at, "enrolment_changed", instance_id, actor=actor, data=data)
    return row


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
