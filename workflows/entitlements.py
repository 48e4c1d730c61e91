"""Monthly social-assistance amounts: base level (mức chuẩn trợ giúp xã hội) × coefficient by category.

Levels and coefficients are data (``workflows/data/entitlements.json``) with effective dates and the
legal source of each, because decrees change them and a change can owe arrears (truy lĩnh) for months
already paid. Money is always an integer number of đồng; coefficients are ``Decimal`` so that
1.5 × 360,000 is exactly 540,000.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

from .validators import InvalidValue


@dataclass(frozen=True)
class BaseLevel:
    """The base level in force from ``effective_from`` until the next one starts."""

    amount: int
    effective_from: date
    source: str


@dataclass(frozen=True)
class Category:
    """A beneficiary category of Decree 20/2021 Art. 5 with its Art. 6 coefficient.

    ``per_child`` marks a coefficient paid once for each child being raised (single parents in poor
    households): the amount here is per child, and the list multiplies it.
    """

    code: str
    name: str
    coefficient: Decimal
    source: str
    per_child: bool = False
    effective_from: date = date(2021, 7, 1)
    effective_to: date | None = None  # exclusive: the first day it no longer exists

    def in_force(self, month: date) -> bool:
        return self.effective_from <= month and (self.effective_to is None or month < self.effective_to)


@dataclass(frozen=True)
class Entitlements:
    """Base levels (oldest first), categories by code and the age bands that move people between them.

    ``as_of`` is set when the data is cut back to what was known on a day (``rates.known_on``)."""

    base_levels: tuple[BaseLevel, ...]
    categories: Mapping[str, Category]
    age_bands: tuple = ()  # of ``bands.AgeBandGroup``
    as_of: date | None = None

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise InvalidValue(f"Không có diện hưởng trợ cấp mã «{code}»") from None


def _money(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: amount must be a positive integer number of đồng, got {value!r}")
    return value


def _coefficient(value: Any, where: str) -> Decimal:
    # A float would already have lost exactness; coefficients are written as strings ("1.5").
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f'{where}: coefficient must be a decimal string such as "1.5", got {value!r}')
    coefficient = Decimal(value)
    if not coefficient.is_finite() or coefficient <= 0:
        raise ValueError(f"{where}: coefficient must be positive, got {value!r}")
    return coefficient


def parse_entitlements(raw: Mapping[str, Any]) -> Entitlements:
    """Build and check entitlement data (the shipped file, or a province's own higher levels)."""
    levels = tuple(
        sorted(
            (
                BaseLevel(
                    amount=_money(row["amount"], "base_levels"),
                    effective_from=date.fromisoformat(row["effective_from"]),
                    source=row["source"],
                )
                for row in raw["base_levels"]
            ),
            key=_effective_from,
        )
    )
    if not levels:
        raise ValueError("entitlements: at least one base level is needed")
    starts = [level.effective_from for level in levels]
    if len(set(starts)) != len(starts):
        raise ValueError("entitlements: two base levels start on the same day")
    categories: dict[str, Category] = {}
    for row in raw["categories"]:
        code = row["code"]
        if code in categories:
            raise ValueError(f"entitlements: category {code!r} is listed twice")
        categories[code] = Category(
            code=code,
            name=row["name"],
            coefficient=_coefficient(row["coefficient"], code),
            source=row["source"],
            per_child=bool(row.get("per_child", False)),
            effective_from=date.fromisoformat(row.get("effective_from", "2021-07-01")),
            effective_to=date.fromisoformat(row["effective_to"]) if row.get("effective_to") else None,
        )
    from .bands import parse_age_bands  # the bands name categories: parsed after them

    return Entitlements(
        base_levels=levels,
        categories=categories,
        age_bands=parse_age_bands(raw.get("age_bands", ()), categories),
    )


@cache
def load_entitlements() -> Entitlements:
    """The shipped data, parsed once."""
    text = resources.files("workflows").joinpath("data", "entitlements.json").read_text(encoding="utf-8")
    return parse_entitlements(json.loads(text, parse_float=Decimal))


def _effective_from(level: BaseLevel) -> date:
    return level.effective_from


def month_start(day: date) -> date:
    """The first day of ``day``'s month: amounts are fixed by the level in force on that day."""
    return date(day.year, day.month, 1)


def month_range(first: date, last: date) -> list[date]:
    """First days of every month from ``first``'s month to ``last``'s, inclusive."""
    months, current, end = [], month_start(first), month_start(last)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def base_level_on(day: date, levels: Sequence[BaseLevel] | None = None) -> int:
    """The base level in force on ``day``; before the first known level there is nothing to pay by."""
    ordered = sorted(levels if levels is not None else load_entitlements().base_levels, key=_effective_from)
    day = date(day.year, day.month, day.day)
    in_force = [level for level in ordered if level.effective_from <= day]
    if not in_force:
        first = f" (mức sớm nhất áp dụng từ {ordered[0].effective_from:%d/%m/%Y})" if ordered else ""
        raise InvalidValue(f"Chưa có mức chuẩn trợ giúp xã hội áp dụng cho ngày {day:%d/%m/%Y}{first}")
    return in_force[-1].amount


def monthly_amount(category_code: str, month: date, data: Entitlements | None = None) -> int:
    """Coefficient × the base level in force on the 1st of ``month``, rounded half-up to the đồng."""
    data = data if data is not None else load_entitlements()
    category = data.category(category_code)
    base = base_level_on(month_start(month), data.base_levels)
    return int((category.coefficient * base).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def children_in_force(changes: Sequence[tuple[date, int]], month: date, latest: int | None) -> int:
    """How many children a single parent is paid for in ``month``: the count of the latest change
    starting at or before it (``changes`` = (first month, count), any order). Before the first change,
    the first count; with no changes at all, ``latest`` (the enrolment's one count); never below 1."""
    in_force = [(start, count) for start, count in changes if start <= month]
    if in_force:
        return max(1, max(in_force)[1])
    if changes:
        return max(1, min(changes)[1])
    return max(1, latest or 1)


def arrears(
    category_code: str, months: Iterable[date], paid: Mapping[date, int], data: Entitlements | None = None
) -> int:
    """What is still owed for ``months`` given what was paid for each (truy lĩnh).

    A month overpaid owes nothing but does not reduce another month: recovering an overpayment is a
    separate decision, not an arithmetic side effect. A month listed twice is owed once.
    """
    paid_by_month: dict[date, int] = {}
    for day, amount in paid.items():
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"paid amounts are integer đồng, got {amount!r} for {day}")
        if amount < 0:
            raise InvalidValue(f"Số tiền đã chi tháng {day:%m/%Y} không thể âm ({amount} đồng)")
        key = month_start(day)
        paid_by_month[key] = paid_by_month.get(key, 0) + amount
    owed_months = sorted({month_start(month) for month in months})
    owed = (monthly_amount(category_code, month, data) - paid_by_month.get(month, 0) for month in owed_months)
    return sum(max(0, amount) for amount in owed)
