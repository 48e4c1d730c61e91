"""Figures about the money: each month's lines by outcome (by account, in cash, failed transfers paid in
cash, not collected, returned, still open), the share of this month's cycles already paid per row, and
the months' trend. A closed cycle's lines are added up once into ``dashboard_payout_totals``; a page
reads those totals and the lines of the cycles still open, in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, and_, exists, func, insert, literal_column, select, true
from sqlalchemy.exc import IntegrityError

from engine import EngineContext

from ..payouts.common import add_months
from ..payouts.models import PayoutCycle, PayoutLine
from ..programme_work import cycle_condition
from .frame import Frame
from .models import PayoutTotal

OUTCOMES = ("account", "cash", "fallback", "not_collected", "returned", "pending")
OUTCOME_NAMES = {
    "account": "Đã chi qua tài khoản",
    "cash": "Đã chi tiền mặt",
    "fallback": "Chuyển khoản lỗi → tiền mặt",
    "not_collected": "Không nhận tiền",
    "returned": "Hoàn trả (thôi hưởng)",
    "pending": "Chưa có kết quả",
}
FINAL = "closed"  # a closed cycle's lines never change again
PAID = ("paid", "cash_paid")

_C = PayoutCycle.__table__
_L = PayoutLine.__table__
_P = PayoutTotal.__table__


@dataclass
class Tally:
    lines: int = 0
    amount: int = 0

    def add(self, lines: int, amount: int) -> None:
        self.lines += lines
        self.amount += amount or 0


@dataclass
class MonthRow:
    month: date
    outcomes: dict[str, Tally] = field(default_factory=lambda: {o: Tally() for o in OUTCOMES})
    by_account: Tally = field(default_factory=Tally)  # lines due by account (whatever became of them)
    paid: Tally = field(default_factory=Tally)  # paid by either way, failed transfers paid in cash too

    @property
    def total(self) -> Tally:
        parts = self.outcomes.values()
        return Tally(sum(t.lines for t in parts), sum(t.amount for t in parts))

    def share(self, part: Tally) -> float | None:
        total = self.total.lines
        return round(100 * part.lines / total, 1) if total else None


@dataclass(frozen=True)
class Progress:
    code: str
    name: str
    lines: int
    paid: int
    amount: int
    paid_amount: int

    @property
    def share_pct(self) -> float:
        return round(100 * self.paid / self.lines, 1) if self.lines else 0.0


@dataclass(frozen=True)
class Payouts:
    months: list[MonthRow]  # oldest first
    progress: list[Progress]  # this month, per row


def outcome(status: str, fallback: bool, reason: str) -> str:
    """Each line in exactly one outcome, so the columns add up to the month's lines."""
    if fallback:
        return "fallback"
    if status == "paid":
        return "account"
    if status == "cash_paid":
        return "cash"
    if status == "not_collected" or reason == "not_collected":
        return "not_collected"
    if status in ("returned", "held"):
        return "returned"
    return "pending"


def summarise_closed_cycles(ctx: EngineContext) -> int:
    """Add up the lines of closed cycles not added up yet (one INSERT … SELECT); returns the groups added.
    Safe to run at once in two processes: the loser's insert collides with the key and is dropped."""
    with ctx.db.read() as session:
        waiting = session.execute(
            select(func.count()).where(_C.c.status == FINAL, ~exists().where(_P.c.cycle_id == _C.c.id))
        ).scalar()
    if not waiting:
        return 0
    fallback = _L.c.fallback_method.is_not(None)
    reason = _reason()
    source = (
        select(_L.c.cycle_id, _L.c.commune_code, _L.c.method, _L.c.status, fallback, reason, _C.c.month,
               func.count(), func.sum(_L.c.amount))
        .join(_C, _C.c.id == _L.c.cycle_id)
        .where(_C.c.status == FINAL, ~exists().where(_P.c.cycle_id == _C.c.id))
        .group_by(_L.c.cycle_id, _L.c.commune_code, _L.c.method, _L.c.status, fallback, reason, _C.c.month)
    )  # fmt: skip
    columns = ["cycle_id", "commune_code", "method", "status", "fallback", "return_reason", "month", "lines",
               "amount"]  # fmt: skip
    try:
        with ctx.db.transaction() as conn:
            summary = insert(_P).from_select(columns, source).execution_options(preserve_rowcount=True)
            return conn.execute(summary).rowcount
    except IntegrityError:
        return 0


def _reason():
    """No reason as "" (a literal, not a parameter: PostgreSQL must see one grouped expression)."""
    return func.coalesce(_L.c.return_reason, literal_column("''"))


def payouts(conn: Connection, frame: Frame, this_month: date, months: int = 12) -> Payouts:
    """The open cycles' lines (and a closed cycle's not added up yet) are read once, found through
    their cycles by the lines' cycle index, and serve both figures; the closed cycles' come from their
    totals."""
    first = add_months(this_month, -(months - 1))
    unkept = (_C.c.status != FINAL) | ~exists().where(_P.c.cycle_id == _C.c.id)  # closed, not added up yet
    found = select(_C.c.id, _C.c.month).where(
        unkept, _C.c.month.between(first, this_month), cycle_condition(_C.c.programme, frame.programmes)
    )
    open_cycles = {cycle: _as_date(month) for cycle, month in conn.execute(found)}
    live = _live(conn, frame, list(open_cycles)) if open_cycles else []
    return Payouts(
        by_month(conn, frame, first, this_month, live, open_cycles),
        progress(conn, frame, this_month, live, open_cycles),
    )


def _live(conn: Connection, frame: Frame, cycle_ids: list[int]) -> list[tuple]:
    fallback, reason = _L.c.fallback_method.is_not(None), _reason()
    columns = (_L.c.cycle_id, _L.c.commune_code, _L.c.method, _L.c.status, fallback, reason)
    return list(
        conn.execute(
            select(*columns, func.count(), func.sum(_L.c.amount))
            .where(_L.c.cycle_id.in_(cycle_ids), _L.c.commune_code.in_(frame.codes))
            .group_by(*columns)
        )
    )


def by_month(
    conn: Connection, frame: Frame, first: date, last: date, live: list[tuple], open_cycles: dict[int, date]
) -> list[MonthRow]:
    """Each month's lines by method and outcome, over the areas in view."""
    kept = conn.execute(
        select(_P.c.month, _P.c.method, _P.c.status, _P.c.fallback, _P.c.return_reason,
               func.sum(_P.c.lines), func.sum(_P.c.amount))
        .where(and_(_P.c.month.between(first, last), _P.c.commune_code.in_(frame.codes), _kept_of(frame)))
        .group_by(_P.c.month, _P.c.method, _P.c.status, _P.c.fallback, _P.c.return_reason)
    )  # fmt: skip
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    months = {add_months(first, i): MonthRow(add_months(first, i)) for i in range(count)}
    rows = [(open_cycles[cycle], *rest) for cycle, _commune, *rest in live]
    for month, method, status, was_failed, why, lines, amount in [*rows, *kept]:
        entry = months[_as_date(month)]
        entry.outcomes[outcome(status, bool(was_failed), why or "")].add(lines, amount)
        if method == "account":
            entry.by_account.add(lines, amount)
        if status in PAID:
            entry.paid.add(lines, amount)
    return list(months.values())


def progress(
    conn: Connection, frame: Frame, month: date, live: list[tuple], open_cycles: dict[int, date]
) -> list[Progress]:
    """Per row, how much of ``month``'s cycles is paid already (lines and đồng)."""
    kept = conn.execute(
        select(_P.c.commune_code, _P.c.status, func.sum(_P.c.lines), func.sum(_P.c.amount))
        .where(_P.c.month == month, _P.c.commune_code.in_(frame.codes), _kept_of(frame))
        .group_by(_P.c.commune_code, _P.c.status)
    )
    current = [(commune, status, lines, amount) for cycle, commune, _m, status, _f, _r, lines, amount in live
               if open_cycles[cycle] == month]  # fmt: skip
    rows: dict[str, list[int]] = {r.code: [0, 0, 0, 0] for r in frame.rows}
    for commune, status, lines, amount in [*current, *kept]:
        row = rows.setdefault(frame.row_of.get(commune, commune), [0, 0, 0, 0])
        paid = status in PAID
        row[0] += lines
        row[1] += lines if paid else 0
        row[2] += amount or 0
        row[3] += (amount or 0) if paid else 0
    return [Progress(r.code, r.name, *rows[r.code]) for r in frame.rows]


def _kept_of(frame: Frame):
    """The closed cycles' totals of the programmes in view."""
    if frame.programmes is None:
        return true()
    return _P.c.cycle_id.in_(select(_C.c.id).where(cycle_condition(_C.c.programme, frame.programmes)))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
