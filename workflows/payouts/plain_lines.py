"""The plain monthly lines of lists, written by one INSERT … SELECT for many cycles at once
(``generation.draw_lines``'s fast path: a national month's batch of fifty communes is one statement).

Most people on a list are plain: entitled this month, in a category paid the same way every month (not
per child), in the same age band all through the arrears window, owed nothing before this month (every
earlier month in the window already carries at least its rate, or was never owed), and with nothing for
this month in another list. Their one line is the month's rate, so the database can write it without
the rows travelling to Python: the band comes from the date of birth by cut-off dates worked out here
for the month, the amount from the cycle's stored rates, the payment method from the cash_method DMN's
answers as a condition (``ledger.home_condition``), the basis text from a small table per category.

Everyone else (arrears, band changes, per-child, exits, people left off) is drawn by the Python path,
which skips whoever this statement listed; ``tests/workflows/payouts/test_plain_lines.py`` shows both
paths give the same lines on the same people.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import Connection, Date, and_, case, exists, func, insert, literal, not_, or_, select

from ..beneficiaries.models import Beneficiary, Enrolment
from ..entitlements import load_entitlements
from ..programmes import MERIT, SOCIAL, category_names, load_merit
from .common import HELD, NOT_COLLECTED, PENDING, RETURNED, add_months
from .ledger import home_condition
from .models import PayoutLine, PayoutRate
from .rates import ARREARS_WINDOW_MONTHS

B, E, L, R = Beneficiary.__table__, Enrolment.__table__, PayoutLine.__table__, PayoutRate.__table__
NOT_OWED = (NOT_COLLECTED, HELD, RETURNED)
CASH = "cash_pay_point"
LEFT_OUT = ("rejected", "duplicate", "deceased", "exited")  # not entitled, or exited: the Python path


def band_cutoff(month: date, from_age: int) -> date:
    """The latest date of birth old enough for a band from ``from_age`` in ``month``: the age counted for a
    month is the one reached by the last day of the month before (``bands.age_counted_for``)."""
    before = month - timedelta(days=1)
    year = before.year - from_age
    return date(year, before.month, min(before.day, calendar.monthrange(year, before.month)[1]))


def _band(programme: str, category, born, month: date):
    """The category a person is paid by in ``month`` (``programmes.paid_category``) as a SQL expression."""
    if programme != SOCIAL:
        return category
    whens = []
    for group in load_entitlements().age_bands:
        codes = [band.code for band in group.bands]
        oldest_first = sorted(group.bands, key=lambda band: -band.from_age)
        by_age = case(
            *[(born <= band_cutoff(month, band.from_age), band.code) for band in oldest_first], else_=None
        )
        whens.append((category.in_(codes), case((born.is_(None), category), else_=by_age)))
    return case(*whens, else_=category) if whens else category


def insert_plain(conn: Connection, month: date, programme: str, scopes: dict[int, list[str]], basis) -> dict:
    """Write the plain people's lines into the (empty) lists of the cycles ``scopes`` names (each cycle's
    area codes; no code in two cycles), all in one statement; returns how many lines, and per cycle how
    many of those people were owed from before the window (the note's ``before_window``).
    ``basis(programme, category, (amount, base), 1, 0)`` gives a line's basis text."""
    month_rates: dict[int, set] = {cycle_id: set() for cycle_id in scopes}
    for cycle_id, *rate in conn.execute(
        select(R.c.cycle_id, R.c.category_code, R.c.amount, R.c.base_level).where(
            R.c.cycle_id.in_(list(scopes)), R.c.month == month
        )
    ):
        month_rates[cycle_id].add(tuple(rate))
    if len(scopes) > 1 and len({frozenset(rates) for rates in month_rates.values()}) > 1:
        # Cycles started on different figures (never those of one batch, started together): one at a time.
        done = [insert_plain(conn, month, programme, {k: v}, basis) for k, v in scopes.items()]
        return {
            "lines": sum(d["lines"] for d in done),
            "before_window": _merged(d["before_window"] for d in done),
        }
    rates = sorted(next(iter(month_rates.values())))
    if not rates:
        return {"lines": 0, "before_window": {}}
    window = add_months(month, -ARREARS_WINDOW_MONTHS)
    category = func.coalesce(E.c.category_code, B.c.category_code)
    on = and_(E.c.beneficiary_code == B.c.code, E.c.programme == programme)
    # Whose list a person is on: their area's cycle.
    cycle_of = case(
        {code: cycle_id for cycle_id, codes in scopes.items() for code in codes}, value=B.c.area_code
    )
    # Who may be plain, each person's band worked out once (a CASE over the bands' cut-off dates).
    candidates = (
        select(
            cycle_of.label("cycle_id"),
            B.c.code,
            B.c.area_code,
            B.c.full_name,
            B.c.cccd,
            *_payee(),
            E.c.entitled_from,
            E.c.paid_through,
            _band(programme, category, B.c.date_of_birth, month).label("band"),
            _band(programme, category, B.c.date_of_birth, window).label("band_then"),
        )  # fmt: skip
        .select_from(B.outerjoin(E, on) if programme == SOCIAL else B.join(E, on))
        .where(
            B.c.area_code.in_([code for codes in scopes.values() for code in codes]),
            B.c.status.not_in(LEFT_OUT),
            category.not_in(_per_child(programme)),
            or_(E.c.entitled_from.is_(None), E.c.entitled_from < add_months(month, 1)),
            or_(E.c.paid_through.is_(None), E.c.paid_through < month),
        )
    )
    if programme == SOCIAL:  # as generation._people: no enrolment means social assistance, unless merit
        merit = B.c.category_code.in_(sorted(category_names(MERIT)))
        candidates = candidates.where(not_(and_(E.c.id.is_(None), merit)))
    p = candidates.subquery("p")
    others = and_(L.c.beneficiary_code == p.c.code, L.c.programme == programme, L.c.cycle_id != p.c.cycle_id)
    first_listed = (
        select(func.min(L.c.month)).where(others, L.c.month >= window).correlate(p).scalar_subquery()
    )
    carried = (
        select(func.coalesce(func.sum(L.c.amount), 0))
        .where(others, L.c.month == R.c.month, L.c.status.not_in(NOT_OWED))
        .correlate(p, R)
        .scalar_subquery()
    )
    earlier = [add_months(window, k) for k in range(ARREARS_WINDOW_MONTHS)]
    next_month = case(*[(R.c.month == m, literal(add_months(m, 1), Date)) for m in earlier])
    owed_before = (
        select(literal(1))
        .select_from(R)
        .where(
            R.c.cycle_id == p.c.cycle_id,
            R.c.category_code == p.c.band,
            R.c.month >= window,
            R.c.month < month,
            or_(p.c.entitled_from.is_(None), p.c.entitled_from < next_month),
            or_(p.c.paid_through.is_(None), R.c.month > p.c.paid_through),
            or_(p.c.entitled_from.is_not(None), R.c.month >= first_listed),
            R.c.amount > carried,
        )
        .correlate(p)
    )
    # The month's amount and basis text by band: the same for every cycle here (read above).
    amounts = {code: amount for code, amount, _ in rates}
    texts = {code: basis(programme, code, (amount, base), 1, 0) for code, amount, base in rates}
    query = select(
        p.c.cycle_id,
        p.c.code,
        literal(month, Date),
        literal("monthly"),
        literal(programme),
        case(texts, value=p.c.band),
        p.c.area_code,
        p.c.band,
        p.c.full_name,
        p.c.cccd,
        p.c.method,
        p.c.recipient_kind,
        p.c.recipient_name,
        p.c.recipient_cccd,
        p.c.bank_code,
        p.c.account_number,
        case(amounts, value=p.c.band),
        literal(PENDING),
    ).where(
        p.c.band.in_(list(amounts)),
        p.c.band == p.c.band_then,
        ~exists().where(others, L.c.month == month),
        or_(_nothing_before(p, others, month, window), ~exists(owed_before)),
    )
    names = [
        "cycle_id", "beneficiary_code", "month", "entitlement", "programme", "basis", "commune_code",
        "category_code", "full_name", "beneficiary_cccd", "method", "recipient_kind", "recipient_name",
        "recipient_cccd", "bank_code", "account_number", "amount", "status",
    ]  # fmt: skip
    # preserve_rowcount: SQLAlchemy reports an INSERT's rowcount on every driver only when asked (psycopg: -1)
    written = conn.execute(
        insert(L).from_select(names, query).execution_options(preserve_rowcount=True)
    ).rowcount
    before = _before_window(conn, list(scopes), programme, window) if written else {}
    return {"lines": written, "before_window": before}


def _merged(counts) -> dict[int, int]:
    merged: dict[int, int] = {}
    for each in counts:
        merged |= each
    return merged


def _nothing_before(p, others, month: date, window: date):
    """Cheap cases with no earlier month to look at: entitled from this month, paid before An Sinh up to
    last month, or without an enrolment and never listed in the window (most people on a first list)."""
    return or_(
        p.c.entitled_from >= month,
        p.c.paid_through >= add_months(month, -1),
        and_(p.c.entitled_from.is_(None), ~exists().where(others, L.c.month >= window)),
    )


def _payee():
    """method, recipient_kind, recipient_name, recipient_cccd, bank_code, account_number
    (``generation._payee`` as SQL)."""
    on_account = and_(B.c.status == "active_cashless", B.c.account_number.is_not(None))
    represented = B.c.representative_kind.in_(("guardian", "authorised"))
    recipient = case(
        (on_account, func.coalesce(func.nullif(B.c.account_holder, ""), "beneficiary")),
        (represented, B.c.representative_kind),
        else_="beneficiary",
    )
    beneficiary = recipient == "beneficiary"
    representative = func.coalesce(func.nullif(B.c.representative_name, ""), B.c.full_name)
    return (
        case((on_account, "account"), (home_condition(), "cash_home"), else_=CASH).label("method"),
        recipient.label("recipient_kind"),
        case((beneficiary, B.c.full_name), else_=representative).label("recipient_name"),
        case((beneficiary, B.c.cccd), else_=B.c.representative_cccd).label("recipient_cccd"),
        case((on_account, B.c.bank_code), else_=None).label("bank_code"),
        case((on_account, B.c.account_number), else_=None).label("account_number"),
    )  # fmt: skip


def _before_window(conn: Connection, cycle_ids: list[int], programme: str, window: date) -> dict[int, int]:
    """Plain people owed from before the window (all of it paid already, or they would not be plain), per
    cycle."""
    rows = conn.execute(
        select(L.c.cycle_id, func.count())
        .select_from(
            L.join(E, and_(E.c.beneficiary_code == L.c.beneficiary_code, E.c.programme == programme))
        )
        .where(
            L.c.cycle_id.in_(cycle_ids),
            E.c.entitled_from < window,
            or_(E.c.paid_through.is_(None), E.c.paid_through < add_months(window, -1)),
        )
        .group_by(L.c.cycle_id)
    )
    return dict(rows.all())


def _per_child(programme: str) -> list[str]:
    categories = load_entitlements().categories if programme == SOCIAL else load_merit().categories
    return sorted(code for code, c in categories.items() if c.per_child)
