"""Demo beneficiaries in bulk, set-based (one INSERT … SELECT over a counter), for benchmarks and tests.

They are records only, already active (the state a case leaves them in), with valid-looking CCCDs and
account numbers; their cases are not started. Mostly paid into an account; every ``cash_every``-th at
the pay point, every ``home_every``-th at home; every ``guardian_every``-th through a guardian.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, Date, Integer, String, case, cast, func, insert, literal, select

from ..beneficiaries.models import Beneficiary

B = Beneficiary.__table__
CATEGORIES = (
    "elderly_80_plus_no_pension",
    "disabled_severe",
    "disabled_particularly_severe",
    "orphan_4_plus",
    "elderly_poor_alone_60_80",
)
# A birth year that fits each category's age band through 2024–2025 (the band follows the date of birth).
BIRTH_YEARS = (1940, 1980, 1980, 2015, 1955)


def _text(expr, length: int = 20):
    return cast(expr, String(length))


def add_beneficiaries(
    conn: Connection,
    communes: Sequence[str],
    count: int,
    at: datetime,
    start: int = 1,
    prefix: str = "BN",
    cash_every: int = 10,
    home_every: int = 50,
    guardian_every: int = 20,
) -> int:
    """Insert ``count`` active beneficiaries spread evenly over ``communes``; codes ``BN1000001``…"""
    seq = select(literal(start, Integer).label("n")).cte("seq", recursive=True)
    seq = seq.union_all(select((seq.c.n + 1).label("n")).where(seq.c.n < start + count - 1))
    n = seq.c.n
    commune = case(*[(n % len(communes) == i, code) for i, code in enumerate(communes)], else_=communes[0])
    home = n % home_every == 0
    cash = (n % cash_every == 0) | home
    guardian = n % guardian_every == 1
    category = case(*[(n % len(CATEGORIES) == i, c) for i, c in enumerate(CATEGORIES)], else_=CATEGORIES[0])
    number = func.substr(_text(1_000_000 + n), 2, 6)  # six digits, zero-padded
    year = case(*[(n % len(CATEGORIES) == i, y) for i, y in enumerate(BIRTH_YEARS)], else_=BIRTH_YEARS[0])
    born = case(*[(year == y, literal(date(y, 1, 1), Date)) for y in sorted(set(BIRTH_YEARS))])
    # CCCD: gender and century digit (0/1 born 1900–1999, 2/3 from 2000), then the year's last two digits.
    century = case((year >= 2000, 2), else_=0) + case((n % 2 == 0, 0), else_=1)
    cccd = literal("062") + _text(century) + func.substr(_text(year), 3, 2) + number
    rows = select(
        literal(prefix) + _text(1_000_000 + n),  # code
        literal("Người Hưởng ") + _text(n),  # full_name
        literal("nguoi huong ") + _text(n),  # name_folded
        born,
        case((n % 2 == 0, "male"), else_="female"),
        cccd,
        commune,
        category,
        case((cash, "cash"), else_="active_cashless"),
        case((home, "cash_home"), (cash, "cash_pay_point"), else_="account"),
        case((cash, None), else_="VBA"),
        case((cash, None), else_=literal("51") + _text(100_000_000 + n)),
        case((cash, None), (guardian, "guardian"), else_="beneficiary"),
        case((home, "bedridden"), else_="mobile"),
        case((guardian, "guardian"), else_=None),
        case((guardian, literal("Người Giám Hộ ") + _text(n)), else_=None),
        case((guardian, literal("062") + literal("070") + number), else_=None),
        literal(True),
        literal(at, B.c.created_at.type),
        literal(at, B.c.updated_at.type),
    )
    columns = [
        "code", "full_name", "name_folded", "date_of_birth", "gender", "cccd", "area_code", "category_code",
        "status", "payment_method", "bank_code", "account_number", "account_holder", "mobility",
        "representative_kind", "representative_name", "representative_cccd", "consent_given", "created_at",
        "updated_at",
    ]  # fmt: skip
    conn.execute(insert(B).from_select(columns, rows))
    return count
