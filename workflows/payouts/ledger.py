"""The cycle's books, set-based: locking a cycle, holding the lines of people who exited, sums by status,
closing the payment phases (failed transfers become cash lines) and the reconciliation itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, case, exists, func, insert, literal, or_, select, update

from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary, Enrolment
from ..cash_method import home_combinations
from .common import (
    CASH_PAID,
    CASH_PENDING,
    FAILED,
    HELD,
    NO_RESULT,
    NOTICE_MESSAGE,
    PAID,
    PENDING,
    RETURNED,
    TO_RETURN,
    UNRESOLVED,
    money,
)
from .models import PayoutCycle, PayoutLine, PayoutNotice

B, L, C, N = Beneficiary.__table__, PayoutLine.__table__, PayoutCycle.__table__, PayoutNotice.__table__
E = Enrolment.__table__


def lock_cycle(conn: Connection, cycle_id: int):
    """The cycle's row, locked for this transaction (PostgreSQL; SQLite's writers are serialised anyway),
    so that imports, cash recording and the BPMN steps of one cycle never interleave."""
    row = conn.execute(select(C).where(C.c.id == cycle_id).with_for_update()).one_or_none()
    if row is None:
        raise LookupError(f"payout cycle {cycle_id} does not exist")
    return row


def hold_exited(conn: Connection, cycle_id: int, at: datetime) -> int:
    """Lines not yet paid whose beneficiary has exited (death, moved away, …) are held, never paid —
    except months up to the last month owed on exit (``enrolments.ends_after``), which are still due."""
    exited = select(B.c.code).where(B.c.status.in_(CLOSED_STATUSES))
    still_owed = exists().where(
        E.c.beneficiary_code == L.c.beneficiary_code,
        E.c.programme == L.c.programme,
        E.c.ends_after.is_not(None),
        L.c.month <= E.c.ends_after,
    )
    return conn.execute(
        update(L)
        .where(
            L.c.cycle_id == cycle_id,
            L.c.status.in_(UNRESOLVED),
            L.c.beneficiary_code.in_(exited),
            ~still_owed,
        )
        .values(status=HELD, result_at=at)
    ).rowcount


def home_condition():
    """The DMN's cash-at-home answer as a SQL condition on the beneficiary's row (``cash_method``)."""
    known = ("mobile", "limited", "bedridden")
    terms = []
    for mobility, represented, method in home_combinations():
        mob = (
            B.c.mobility == mobility if mobility else or_(B.c.mobility.is_(None), B.c.mobility.not_in(known))
        )
        rep = B.c.representative_kind.in_(("guardian", "authorised"))
        rep = rep if represented else or_(B.c.representative_kind.is_(None), ~rep)
        if method is None:
            how = or_(
                B.c.payment_method.is_(None), B.c.payment_method.not_in(("cash_home", "cash_pay_point"))
            )
        else:
            how = B.c.payment_method == method
        terms.append(and_(mob, rep, how))
    return or_(*terms)


@dataclass(frozen=True)
class Balance:
    """Where the cycle's money stands, to the đồng."""

    line_count: int
    total: int  # the approved list
    transferred: int  # what the treasury sent
    paid_account: int
    paid_cash: int
    to_return: int  # not collected or held, not yet returned
    returned: int
    unresolved_lines: int
    unresolved_amount: int
    paid_account_lines: int = 0
    paid_cash_lines: int = 0
    fallback_lines: int = 0  # failed transfers turned into cash lines
    returned_lines: int = 0
    no_result_lines: int = 0  # what the pages and the payment steps count as "without a result"
    no_result_amount: int = 0

    @property
    def paid(self) -> int:
        return self.paid_account + self.paid_cash

    @property
    def balanced(self) -> bool:
        return self.unresolved_lines == 0 and self.paid + self.to_return + self.returned == self.transferred


def balance(conn: Connection, cycle_id: int) -> Balance:
    cycle = conn.execute(select(C.c.total_amount, C.c.transfer_amount).where(C.c.id == cycle_id)).one()
    by_status = {
        status: (count, int(amount))
        for status, count, amount in conn.execute(
            select(L.c.status, func.count(), func.coalesce(func.sum(L.c.amount), 0))
            .where(L.c.cycle_id == cycle_id)
            .group_by(L.c.status)
        )
    }
    fallback = conn.execute(
        select(func.count()).where(L.c.cycle_id == cycle_id, L.c.fallback_method.is_not(None))
    ).scalar_one()

    def count(*statuses):
        return sum(by_status.get(s, (0, 0))[0] for s in statuses)

    def amount(*statuses):
        return sum(by_status.get(s, (0, 0))[1] for s in statuses)

    return Balance(
        line_count=count(*by_status),
        total=cycle.total_amount,
        transferred=cycle.transfer_amount or 0,
        paid_account=amount(PAID),
        paid_cash=amount(CASH_PAID),
        to_return=amount(*TO_RETURN),
        returned=amount(RETURNED),
        unresolved_lines=count(*UNRESOLVED),
        unresolved_amount=amount(*UNRESOLVED),
        paid_account_lines=count(PAID),
        paid_cash_lines=count(CASH_PAID),
        fallback_lines=fallback,
        returned_lines=count(RETURNED),
        no_result_lines=count(*NO_RESULT),
        no_result_amount=amount(*NO_RESULT),
    )


def no_result_problems(books: Balance) -> list[str]:
    """Why a payment step cannot be done yet: the lines still without a result (Vietnamese)."""
    if not books.no_result_lines:
        return []
    return [f"Còn {books.no_result_lines} dòng chưa có kết quả chi trả ({money(books.no_result_amount)})."]


def close_payments(conn: Connection, cycle_id: int, at: datetime) -> dict:
    """After the provider's ``pay`` step: every line must have a result; failed transfers become cash
    lines for the same month, and each of those beneficiaries gets one ``payout_failed`` notice."""
    cycle = lock_cycle(conn, cycle_id)
    hold_exited(conn, cycle_id, at)
    pending = conn.execute(
        select(func.count()).where(L.c.cycle_id == cycle_id, L.c.status == PENDING)
    ).scalar_one()
    if pending:
        return {"complete": False, "pending": pending, "fallback_lines": 0}
    failed = (
        select(L.c.beneficiary_code)
        .where(L.c.cycle_id == cycle_id, L.c.status == FAILED)
        .distinct()
        .subquery("failed")
    )
    code = failed.c.beneficiary_code
    message_id = literal(f"{NOTICE_MESSAGE}:{cycle.business_key}:").concat(code)
    unsent = ~exists().where(N.c.cycle_id == cycle_id, N.c.beneficiary_code == code)
    conn.execute(
        insert(N).from_select(
            ["cycle_id", "beneficiary_code", "message_id", "created_at"],
            select(literal(cycle_id), code, message_id, literal(at, C.c.updated_at.type)).where(unsent),
        )
    )
    notices = conn.execute(select(func.count()).where(N.c.cycle_id == cycle_id)).scalar_one()
    fallback_method = (
        select(case((home_condition(), "cash_home"), else_="cash_pay_point"))
        .where(B.c.code == L.c.beneficiary_code)
        .scalar_subquery()
    )
    converted = conn.execute(
        update(L)
        .where(L.c.cycle_id == cycle_id, L.c.status == FAILED)
        .values(status=CASH_PENDING, fallback_method=fallback_method)
    ).rowcount
    status = "fallback" if converted else "paid"
    conn.execute(update(C).where(C.c.id == cycle_id).values(status=status, updated_at=at))
    return {"complete": True, "fallback_lines": converted, "notices": notices}


def close_fallback(conn: Connection, cycle_id: int, at: datetime) -> dict:
    """After the provider pays the failed transfers in cash: each must be paid or not collected."""
    lock_cycle(conn, cycle_id)
    hold_exited(conn, cycle_id, at)
    waiting = conn.execute(
        select(func.count()).where(L.c.cycle_id == cycle_id, L.c.status == CASH_PENDING)
    ).scalar_one()
    if waiting:
        return {"complete": False, "cash_pending": waiting}
    conn.execute(update(C).where(C.c.id == cycle_id).values(status="paid", updated_at=at))
    return {"complete": True}


def reconciliation_problems(books: Balance, returned_amount: int | None) -> list[str]:
    """Why the books cannot be closed (Vietnamese); empty when paid + returned = transferred exactly."""
    problems = []
    if books.unresolved_lines:
        problems.append(
            f"Còn {books.unresolved_lines} dòng chưa có kết quả chi trả ({money(books.unresolved_amount)})."
        )
    if returned_amount is not None and returned_amount != books.to_return:
        problems.append(
            f"Số tiền hoàn trả ({money(returned_amount)}) phải bằng số chưa chi ({money(books.to_return)})."
        )
    if books.paid + books.to_return + books.returned != books.transferred:
        problems.append(
            f"Đã chi ({money(books.paid)}) cộng hoàn trả ({money(books.to_return + books.returned)}) "
            f"không bằng số Kho bạc đã chuyển ({money(books.transferred)})."
        )
    return problems


def close_books(
    conn: Connection,
    cycle_id: int,
    at: datetime,
    returned_amount: int,
    reference: str | None,
    returned_on: date | None,
) -> dict:
    """Reconciliation: unpaid money goes back to the treasury, and paid + returned = transferred."""
    lock_cycle(conn, cycle_id)
    hold_exited(conn, cycle_id, at)
    books = balance(conn, cycle_id)
    problems = reconciliation_problems(books, returned_amount)
    if problems:
        return {"balanced": False, "problems": problems}
    conn.execute(
        update(L)
        .where(L.c.cycle_id == cycle_id, L.c.status.in_(TO_RETURN))
        .values(status=RETURNED, return_reason=L.c.status)
    )
    conn.execute(
        update(C)
        .where(C.c.id == cycle_id)
        .values(
            status="reconciled",
            paid_amount=books.paid,
            returned_amount=books.to_return + books.returned,
            return_reference=reference,
            return_date=returned_on,
            reconciled_at=at,
            updated_at=at,
        )
    )
    return {"balanced": True, "paid_amount": books.paid, "returned_amount": books.to_return + books.returned}
