"""What the simulation checks after every month, straight from the tables (not from what it meant to do):
every approved line paid once or returned, the money balanced to the đồng, nobody paid in both ways or
above their entitlement for a month, the approved lists unchanged, every failed transfer told to its case."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary, Enrolment
from ..entitlements import Entitlements, load_entitlements, monthly_amount
from ..payouts import generation, ledger
from ..payouts.common import CASH_METHODS, CASH_PAID, PAID, PAID_STATUSES, RETURNED, money
from ..payouts.models import PayoutCycle, PayoutLine, PayoutNotice

C, L, N = PayoutCycle.__table__, PayoutLine.__table__, PayoutNotice.__table__
FINAL = (PAID, CASH_PAID, RETURNED)


@dataclass
class MonthReport:
    month: date
    cycles: int = 0
    lines: int = 0
    arrears_lines: int = 0
    total: int = 0
    transferred: int = 0
    paid_account_lines: int = 0
    paid_account: int = 0
    paid_cash_lines: int = 0
    paid_cash: int = 0
    fallback_lines: int = 0
    fallback_amount: int = 0
    returned_lines: int = 0
    returned: int = 0
    held_lines: int = 0
    exits: int = 0
    notices_delivered: int = 0
    accounts_repaired: int = 0
    duplicate_rows_ignored: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.paid_account + self.paid_cash + self.returned == self.transferred == self.total

    def lines_text(self) -> list[str]:
        mark = "balanced" if self.balanced else "NOT BALANCED"
        return [
            f"{self.month:%m/%Y}: {self.cycles} cycle(s), {self.lines} lines ({self.arrears_lines} arrears), "
            f"total {money(self.total)}",
            f"  paid by account   {self.paid_account_lines:>7}  {money(self.paid_account):>22}",
            f"  paid in cash      {self.paid_cash_lines:>7}  {money(self.paid_cash):>22}",
            f"  failed -> cash    {self.fallback_lines:>7}  {money(self.fallback_amount):>22}"
            f"  ({self.notices_delivered} cases told, {self.accounts_repaired} accounts repaired)",
            f"  returned          {self.returned_lines:>7}  {money(self.returned):>22}"
            f"  ({self.held_lines} held after {self.exits} exits)",
            f"  results files: the same file twice and an overlapping one; {self.duplicate_rows_ignored} rows"
            " found already recorded and ignored",
            f"  transferred {money(self.transferred)} = paid {money(self.paid_account + self.paid_cash)}"
            f" + returned {money(self.returned)}: {mark}",
        ]


def month_report(session: Session, month: date, cycle_ids: list[int]) -> MonthReport:
    report = MonthReport(month, cycles=len(cycle_ids))
    conn = session.connection()
    for cycle_id in cycle_ids:
        books = ledger.balance(conn, cycle_id)
        report.lines += books.line_count
        report.total += books.total
        report.transferred += books.transferred
        report.paid_account_lines += books.paid_account_lines
        report.paid_account += books.paid_account
        report.paid_cash_lines += books.paid_cash_lines
        report.paid_cash += books.paid_cash
        report.returned_lines += books.returned_lines
        report.returned += books.returned + books.to_return
    in_month = L.c.cycle_id.in_(cycle_ids)
    report.arrears_lines = _count(session, in_month, L.c.entitlement == "arrears")
    report.fallback_lines, report.fallback_amount = session.execute(
        select(func.count(), func.coalesce(func.sum(L.c.amount), 0)).where(
            in_month, L.c.fallback_method.is_not(None)
        )
    ).one()
    report.fallback_amount = int(report.fallback_amount)
    report.held_lines = _count(session, in_month, L.c.return_reason == "held")
    return report


def _count(session: Session, *where) -> int:
    return session.execute(select(func.count()).select_from(L).where(*where)).scalar_one()


def check_cycles(session: Session, cycle_ids: list[int], data: Entitlements | None = None) -> list[str]:
    """Every invariant, for the given cycles; a list of what is wrong (empty when all hold)."""
    conn = session.connection()
    problems = []
    for cycle_id in cycle_ids:
        cycle = conn.execute(select(C).where(C.c.id == cycle_id)).one()
        key = cycle.business_key
        if cycle.status != "closed":
            problems.append(f"{key}: not closed ({cycle.status})")
        unfinished = _count(session, L.c.cycle_id == cycle_id, L.c.status.not_in(FINAL))
        if unfinished:
            problems.append(f"{key}: {unfinished} approved lines neither paid nor returned")
        books = ledger.balance(conn, cycle_id)
        if not (books.paid + books.returned == books.transferred == cycle.total_amount):
            problems.append(
                f"{key}: paid {books.paid} + returned {books.returned} != transferred {books.transferred} "
                f"(list {cycle.total_amount})"
            )
        if (cycle.paid_amount, cycle.returned_amount) != (books.paid, books.returned):
            problems.append(f"{key}: the recorded reconciliation differs from the lines")
        if generation.list_hash(conn, cycle_id) != cycle.list_hash:
            problems.append(f"{key}: the approved list changed after approval")
        both = _count(
            session,
            L.c.cycle_id == cycle_id,
            ((L.c.status == PAID) & ((L.c.method != "account") | L.c.fallback_method.is_not(None)))
            | ((L.c.status == CASH_PAID) & L.c.method.not_in(CASH_METHODS) & L.c.fallback_method.is_(None)),
        )
        if both:
            problems.append(f"{key}: {both} lines paid through a channel they were not due on")
        undelivered = session.execute(
            select(func.count()).where(N.c.cycle_id == cycle_id, N.c.delivered_at.is_(None))
        ).scalar_one()
        # A case closed meanwhile (a death in the month, still owed that month) has no one to tell.
        open_people = select(Beneficiary.code).where(Beneficiary.status.not_in(CLOSED_STATUSES))
        told = (
            session.execute(
                select(N.c.delivered_to).where(
                    N.c.cycle_id == cycle_id, N.c.beneficiary_code.in_(open_people)
                )
            )
            .scalars()
            .all()
        )
        failed = session.execute(
            select(func.count(L.c.beneficiary_code.distinct())).where(
                L.c.cycle_id == cycle_id,
                L.c.fallback_method.is_not(None),
                L.c.beneficiary_code.in_(open_people),
            )
        ).scalar_one()
        if undelivered or len(told) != failed or any(not to for to in told):
            problems.append(
                f"{key}: {failed} failed transfers but {len(told)} notices, {undelivered} undelivered"
            )
    return problems + check_entitlements(session, data)


def check_entitlements(session: Session, data: Entitlements | None = None) -> list[str]:
    """Across all cycles: a key listed once, and no month paid above its entitlement (arrears included)."""
    data = data or load_entitlements()
    problems = []
    doubled = session.execute(
        select(L.c.beneficiary_code, L.c.programme, L.c.month)
        .where(L.c.entitlement == "monthly")
        .group_by(L.c.beneficiary_code, L.c.programme, L.c.month)
        .having(func.count() > 1)
    ).all()
    problems += [f"{code} {month:%m/%Y} {what}: listed twice" for code, what, month in doubled]
    paid: dict[tuple[str, date], int] = defaultdict(int)
    category: dict[tuple[str, date], str] = {}
    rows = session.execute(
        select(L.c.beneficiary_code, L.c.month, L.c.category_code, L.c.amount).where(
            L.c.status.in_(PAID_STATUSES), L.c.programme == "social_assistance"
        )
    )
    for code, month, category_code, amount in rows:
        paid[code, month] += amount
        category[code, month] = category_code  # the age band of that month, the same on every line
    children = dict(
        session.execute(
            select(Enrolment.beneficiary_code, Enrolment.children_count).where(
                Enrolment.programme == "social_assistance", Enrolment.children_count.is_not(None)
            )
        ).all()
    )
    for (code, month), amount in paid.items():
        kind = category.get((code, month)) or _category(session, code)
        due = monthly_amount(kind, month, data)
        if data.categories[kind].per_child:
            due *= children.get(code) or 1
        if amount > due:
            problems.append(f"{code} {month:%m/%Y}: paid {money(amount)}, more than the {money(due)} due")
    return problems


def _category(session: Session, code: str) -> str:
    return session.execute(select(Beneficiary.category_code).where(Beneficiary.code == code)).scalar_one()


def check_every_month(session: Session, months: list[date]) -> list[str]:
    """Nobody entitled is skipped: every person not rejected is on some list for each simulated month
    they were owed (up to the last month of their enrolment if they left), onboarding or not."""
    problems = []
    listed = set(
        session.execute(
            select(L.c.beneficiary_code, L.c.month).where(L.c.programme == "social_assistance")
        ).all()
    )
    people = session.execute(
        select(
            Beneficiary.code,
            Beneficiary.status,
            Enrolment.ends_after,
            Enrolment.entitled_from,
            Enrolment.paid_through,
        )
        .outerjoin(
            Enrolment,
            (Enrolment.beneficiary_code == Beneficiary.code) & (Enrolment.programme == "social_assistance"),
        )
        .where(Beneficiary.status.not_in(("rejected", "duplicate")))
    ).all()
    for code, status, ends_after, entitled_from, paid_through in people:
        for month in months:
            if paid_through is not None and month <= paid_through:
                continue
            if entitled_from is not None and month < entitled_from:
                continue
            if status in CLOSED_STATUSES and (ends_after is None or month > ends_after):
                continue
            if (code, month) not in listed:
                problems.append(f"{code} {month:%m/%Y}: entitled but on no list")
    return problems
