"""Drawing up a cycle's list: everyone entitled in the month, with every month still owed.

Who: everyone in the cycle's areas enrolled in the cycle's programme (``enrolments``; a beneficiary
without one is in social assistance from the month their record was made), whatever step of the move
to an account they are at — until their account works they are paid in cash (plan III.5). People who
left are paid through their last month owed (``ends_after``). What: each month from the first owed
(``entitled_from``, after ``paid_through``) to the cycle's month, at the cycle's stored rate for the
category the person's age puts them in that month, per child where the category says so (by the
count of children in force in that month: ``enrolment_children``), less what lines not returned
already carry for that month — so a month missed, not collected, or paid at a level since raised comes
back as arrears (truy lĩnh), and nothing is listed twice.

People are read in one query and lines written in bulk (COPY on PostgreSQL); the note names everyone
left off and why.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Connection, and_, bindparam, case, delete, exists, func, not_, select, update

from engine.fastsql import copy_rows, select_in

from ..beneficiaries.enrolments import children_schedules
from ..beneficiaries.models import Beneficiary, Enrolment
from ..cash_method import payout_method
from ..entitlements import children_in_force, load_entitlements, month_start
from ..org.models import Area
from ..programmes import MERIT, SOCIAL, category_names, load_merit, paid_category, per_child, vnd
from . import faults, plain_lines
from .common import HELD, NOT_COLLECTED, PENDING, RETURNED, add_months
from .models import PayoutCycle, PayoutLine, PayoutRate
from .rates import ARREARS_WINDOW_MONTHS

B, E, L = Beneficiary.__table__, Enrolment.__table__, PayoutLine.__table__
R, C = PayoutRate.__table__, PayoutCycle.__table__
SAMPLE = 50  # how many codes a generation note lists per reason
LISTED_BATCH = 2000  # people whose earlier lines are read in one query
NOT_OWED = (NOT_COLLECTED, HELD, RETURNED)  # lines whose money did not reach the person
NOT_ENTITLED = ("rejected", "duplicate")
EXITED = ("deceased", "exited")

# Why someone known is not on the list (the note's keys), in Vietnamese for the pages.
REASONS = {
    "not_entitled": "Không thuộc diện hưởng (bị từ chối khi rà soát hoặc hồ sơ trùng)",
    "exited": "Đã thôi hưởng (chết, chuyển đi, không còn đủ điều kiện) trước tháng này",
    "not_yet": "Chưa đến tháng được hưởng",
    "paid_before": "Đã nhận đến tháng này trước khi chi trả qua An Sinh",
    "listed_elsewhere": "Các tháng đã có trong danh sách khác (chuyển địa bàn) hoặc đã chi",
    "unknown_category": "Diện hưởng không có trong danh mục, chưa/không còn hiệu lực trong tháng, "
    "hoặc chưa có mức hưởng của tháng trong dữ liệu",
    "below_age_band": "Chưa đến độ tuổi của diện hưởng",
}


def scope_codes(conn: Connection, area_code: str) -> list[str]:
    """``area_code`` and every area below it (a district's communes): a few dozen codes at most."""
    return scope_codes_of(conn, [area_code])[area_code]


def scope_codes_of(conn: Connection, area_codes: list[str]) -> dict[str, list[str]]:
    """Each of ``area_codes`` with every area below it, read a level at a time for all of them."""
    found = {code: [code] for code in area_codes}
    roots = {code: [code] for code in area_codes}  # an area → the requested areas it is in
    frontier = list(area_codes)
    while frontier:
        below = conn.execute(select(Area.code, Area.parent_code).where(Area.parent_code.in_(frontier))).all()
        for code, parent in below:
            roots[code] = roots[parent] + ([code] if code in found else [])
            for root in roots[parent]:
                found[root].append(code)
        frontier = [code for code, _ in below]
    return found


def _not_listed_yet(cycle_ids: list[int]):
    """Not yet on their list: the set-based path (``plain_lines``) has not listed them."""
    mine = L.alias("mine")
    return ~exists().where(mine.c.cycle_id.in_(cycle_ids), mine.c.beneficiary_code == B.c.code)


def _people(conn: Connection, cycle_ids: list[int], codes: list[str], programme: str):
    """Everyone in the areas not yet listed, with their enrolment in ``programme`` (outer join for social
    assistance)."""
    on = and_(E.c.beneficiary_code == B.c.code, E.c.programme == programme)
    columns = [
        B.c.code, B.c.full_name, B.c.cccd, B.c.date_of_birth, B.c.status, B.c.area_code, B.c.payment_method,
        B.c.bank_code, B.c.account_number, B.c.account_holder, B.c.mobility, B.c.representative_kind,
        B.c.representative_name, B.c.representative_cccd, B.c.created_at,
        func.coalesce(E.c.category_code, B.c.category_code).label("category_code"),
        E.c.id.label("enrolment_id"), E.c.children_count, E.c.entitled_from, E.c.paid_through, E.c.ends_after,
    ]  # fmt: skip
    query = select(*columns).where(B.c.area_code.in_(codes), _not_listed_yet(cycle_ids))
    if programme == SOCIAL:  # a record with no enrolment is social assistance, unless its category is merit
        merit_only = and_(E.c.id.is_(None), B.c.category_code.in_(sorted(category_names(MERIT))))
        query = query.outerjoin(E, on).where(not_(merit_only))
    else:
        query = query.join(E, on)
    return conn.execute(query.order_by(B.c.code)).all()


def _listed(conn: Connection, people: dict[str, int], programme: str, since: date):
    """Per (person, month): what lines not returned already carry, and which months have a monthly line,
    in lists other than the person's own (``people``: a person → their cycle). Read by the people's codes,
    a batch at a time: each is a few probes of the lines' person index."""
    query = select(
        L.c.cycle_id, L.c.beneficiary_code, L.c.month, L.c.entitlement, L.c.status, L.c.amount
    ).where(L.c.programme == programme, L.c.month >= since)
    rows = select_in(conn, query, L.c.beneficiary_code, list(people), batch=LISTED_BATCH)
    carried: dict[tuple, int] = defaultdict(int)
    monthly: set[tuple] = set()
    first: dict[str, date] = {}
    for cycle_id, code, month, entitlement, status, amount in rows:
        if cycle_id == people[code]:
            continue
        first[code] = min(month, first.get(code, month))
        if entitlement == "monthly":
            monthly.add((code, month))
        if status not in NOT_OWED:
            carried[(code, month)] += amount
    return carried, monthly, first


def _first_owed(person, month: date, listed: date | None) -> date:
    """The first month owed: the enrolment's, after what was paid before An Sinh. A record without an
    enrolment (a case opened from the roll, before registration) is owed from the first month it was
    ever listed for, or from the cycle's month."""
    start = person.entitled_from or min(month, listed or month)
    if person.paid_through is not None:
        start = max(start, add_months(month_start(person.paid_through), 1))
    return month_start(start)


def _payee(cycle_id: int, person, programme: str) -> dict:
    """What every line of ``person`` in the list shares: who, how and to whom it is paid."""
    on_account = person.status == "active_cashless" and person.account_number is not None
    if on_account:
        method, recipient = "account", person.account_holder or "beneficiary"
    else:
        method = payout_method(person.mobility, person.representative_kind, person.payment_method)
        recipient = (
            person.representative_kind
            if person.representative_kind in ("guardian", "authorised")
            else "beneficiary"
        )
    beneficiary = recipient == "beneficiary"
    return {
        "cycle_id": cycle_id, "beneficiary_code": person.code, "programme": programme,
        "commune_code": person.area_code, "full_name": person.full_name, "beneficiary_cccd": person.cccd,
        "method": method, "recipient_kind": recipient,
        "recipient_name": person.full_name if beneficiary else person.representative_name or person.full_name,
        "recipient_cccd": person.cccd if beneficiary else person.representative_cccd,
        "bank_code": person.bank_code if on_account else None,
        "account_number": person.account_number if on_account else None,
        "status": PENDING,
    }  # fmt: skip


class _Note:
    def __init__(self) -> None:
        self.codes: dict[str, list[str]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, reason: str, code: str) -> None:
        self.counts[reason] += 1
        if len(self.codes[reason]) < SAMPLE:
            self.codes[reason].append(code)

    def as_dict(self) -> dict:
        left_off = {
            r: {"count": self.counts[r], "codes": self.codes[r], "label": REASONS[r]} for r in self.counts
        }
        return {
            "left_off": left_off,
            "left_off_count": sum(self.counts.values()),
            "unknown_category": self.codes.get("unknown_category", []),
            "unknown_category_count": self.counts.get("unknown_category", 0),
            "listed_elsewhere": self.counts.get("listed_elsewhere", 0),
        }


def _basis(programme: str, category: str, rate: tuple[int, int], children: int, carried: int) -> str:
    amount, base = rate
    if programme == SOCIAL:
        text = f"{vnd(load_entitlements().categories[category].coefficient)} × {vnd(base)} đ"
    else:
        text = f"{vnd(amount)} đ ({load_merit().categories[category].name})"
    if children > 1:
        text += f" × {children} con"
    if carried:
        text += f" − {vnd(carried)} đ đã chi"
    return text


def draw_lines(conn: Connection, month: date, programme: str, scopes: dict[int, list[str]]):
    """The lines of the lists of the cycles ``scopes`` names (each cycle's area codes; no code in two
    cycles), computed (not yet written), with each list's note and count of people owed from before the
    window.

    A list holds hundreds of thousands of people but few distinct amounts: the category a birth date
    puts someone in each month, and the text of each amount's basis, are worked out once per distinct
    key and shared."""
    rates_of: dict[int, dict] = defaultdict(dict)
    for row in conn.execute(select(R).where(R.c.cycle_id.in_(list(scopes)))):
        rates_of[row.cycle_id][(row.category_code, row.month)] = (row.amount, row.base_level)
    cycle_of = {code: cycle_id for cycle_id, codes in scopes.items() for code in codes}
    window = add_months(month, -ARREARS_WINDOW_MONTHS)
    people = _people(conn, list(scopes), list(cycle_of), programme)
    carried, monthly, first_listed = _listed(
        conn, {p.code: cycle_of[p.area_code] for p in people}, programme, window
    )
    notes = {cycle_id: _Note() for cycle_id in scopes}
    outside = dict.fromkeys(scopes, 0)
    lines = []
    social = load_entitlements()
    bands: dict[tuple, str | None] = {}
    bases: dict[tuple, str] = {}
    by_child: dict[str, bool] = {}
    months: dict[date, date] = {}  # a month → the next one
    per_child_ids = [p.enrolment_id for p in people if p.children_count and p.enrolment_id is not None]
    counts = children_schedules(conn, per_child_ids)  # each month paid by the count then (arrears too)
    for person in people:
        cycle_id = cycle_of[person.area_code]
        note, rates = notes[cycle_id], rates_of[cycle_id]
        if person.status in NOT_ENTITLED:
            note.add("not_entitled", person.code)
            continue
        last = month
        if person.status in EXITED:
            if person.ends_after is None or month_start(person.ends_after) < window:
                note.add("exited", person.code)
                continue
            last = min(month, month_start(person.ends_after))
        first = _first_owed(person, month, first_listed.get(person.code))
        if first > month:
            note.add("paid_before" if person.paid_through is not None else "not_yet", person.code)
            continue
        if first < window:
            outside[cycle_id] += 1
            first = window
        if person.category_code not in by_child:
            by_child[person.category_code] = per_child(programme, person.category_code)
        dated = counts.get(person.enrolment_id, ()) if by_child[person.category_code] else None
        payee, reason = None, None
        current = first
        while current <= last:
            key = (person.category_code, person.date_of_birth, current)
            children = 1 if dated is None else children_in_force(dated, current, person.children_count)
            if key not in bands:
                bands[key] = paid_category(programme, *key, social)
            category = bands[key]
            rate = rates.get((category, current)) if category else None
            if category is None:
                reason = "below_age_band"
            elif rate is None:
                reason = reason or "unknown_category"
            else:
                already = carried.get((person.code, current), 0) if carried else 0
                owed = rate[0] * children - already
                if owed > 0:
                    payee = payee or _payee(cycle_id, person, programme)
                    first_time = current == month and (person.code, current) not in monthly
                    basis_key = (category, rate, children, already)
                    if basis_key not in bases:
                        bases[basis_key] = _basis(programme, category, rate, children, already)
                    lines.append(
                        {**payee, "month": current, "entitlement": "monthly" if first_time else "arrears",
                         "category_code": category, "amount": owed, "basis": bases[basis_key]}
                    )  # fmt: skip
            if current not in months:
                months[current] = add_months(current, 1)
            current = months[current]
        if payee is None:
            note.add(reason or "listed_elsewhere", person.code)
    return lines, notes, outside


def generate(conn: Connection, cycle_id: int, at: datetime, set_based: bool = True) -> dict:
    """(Re)draw the list of a draft cycle; returns what was added and what was left off, and why."""
    return generate_many(conn, [cycle_id], at, set_based)[cycle_id]


def generate_many(conn: Connection, cycle_ids: list[int], at: datetime, set_based: bool = True) -> dict:
    """(Re)draw the lists of draft cycles; returns each one's summary: what was added and what was left
    off, and why.

    The plain monthly lines are written set-based (``plain_lines``), everyone else's here in Python, for
    many cycles at once: one statement per step for a group of cycles of the same month and programme
    whose areas do not overlap (a national month's cycles, fifty at a time), not one per cycle.
    ``set_based=False`` draws every line in Python (the tests compare the two)."""
    cycles = conn.execute(
        select(C.c.id, C.c.area_code, C.c.month, C.c.status, C.c.programme).where(C.c.id.in_(cycle_ids))
    ).all()
    for cycle in cycles:
        if cycle.status != "draft":
            raise ValueError(f"cycle {cycle.id} is {cycle.status}: an approved list is frozen")
    codes = scope_codes_of(conn, sorted({cycle.area_code for cycle in cycles}))
    conn.execute(delete(L).where(L.c.cycle_id.in_(cycle_ids)))
    notes, outside = {}, defaultdict(int)
    for (month, programme), group in _groups(cycles, codes):  # each written before the next is drawn
        if set_based:
            plain = plain_lines.insert_plain(conn, month, programme, group, _basis)
            for cycle_id, count in plain["before_window"].items():
                outside[cycle_id] += count
        lines, group_notes, group_outside = draw_lines(conn, month, programme, group)
        notes |= group_notes
        for cycle_id, count in group_outside.items():
            outside[cycle_id] += count
        copy_rows(conn, L, [line for line in lines if line["entitlement"] == "monthly"])
        faults.checkpoint("generate.after_monthly")
        copy_rows(conn, L, [line for line in lines if line["entitlement"] != "monthly"])
        faults.checkpoint("generate.after_arrears")
    totals = {
        row.cycle_id: row
        for row in conn.execute(
            select(
                L.c.cycle_id, func.count().label("count"), func.sum(L.c.amount).label("total"),
                func.count(L.c.beneficiary_code.distinct()).label("people"),
                func.sum(case((L.c.entitlement == "monthly", 1), else_=0)).label("monthly"),
            ).where(L.c.cycle_id.in_(cycle_ids)).group_by(L.c.cycle_id)
        )
    }  # fmt: skip
    summaries, changes = {}, []
    for cycle_id in cycle_ids:
        row = totals.get(cycle_id)
        count, total = (row.count, int(row.total)) if row else (0, 0)
        monthly = int(row.monthly) if row else 0
        summary = {
            "monthly": monthly,
            "arrears": count - monthly,
            "people": row.people if row else 0,
            "before_window": outside[cycle_id],
            **notes[cycle_id].as_dict(),
        }
        summaries[cycle_id] = {"lines": count, "total_amount": total, **summary}
        changes.append({"cycle": cycle_id, "count": count, "total": total, "summary": summary})
    conn.execute(
        update(C)
        .where(C.c.id == bindparam("cycle"))
        .values(line_count=bindparam("count"), total_amount=bindparam("total"),
                generation=bindparam("summary", type_=C.c.generation.type), updated_at=at)
    , changes)  # fmt: skip
    return summaries


def _groups(cycles, codes: dict[str, list[str]]):
    """The cycles in groups drawn together: the same month and programme, no area in two of a group's
    cycles (one list per person and group). Yields ((month, programme), {cycle id: its area codes})."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for cycle in cycles:
        mine = codes[cycle.area_code]
        same = groups[(cycle.month, cycle.programme)]
        group = next((g for g in same if not any(code in g["codes"] for code in mine)), None)
        if group is None:
            group = {"codes": set(), "scopes": {}}
            same.append(group)
        group["codes"].update(mine)
        group["scopes"][cycle.id] = mine
    for key, same in groups.items():
        for group in same:
            yield key, group["scopes"]


HASHED = (
    "id", "beneficiary_code", "month", "entitlement", "programme", "commune_code", "category_code",
    "full_name", "beneficiary_cccd", "method", "recipient_kind", "recipient_name", "recipient_cccd",
    "bank_code", "account_number", "amount",
)  # fmt: skip


def list_hash(conn: Connection, cycle_id: int) -> str:
    """SHA-256 of the list's content (not its statuses), in key order: recorded at approval, checked later."""
    digest = hashlib.sha256()
    columns = [L.c[name] for name in HASHED]
    query = (
        select(*columns)
        .where(L.c.cycle_id == cycle_id)
        .order_by(L.c.beneficiary_code, L.c.month, L.c.entitlement)
    )
    for row in conn.execute(query):
        digest.update("|".join("" if value is None else str(value) for value in row).encode() + b"\n")
    return digest.hexdigest()
