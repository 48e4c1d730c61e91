"""The two programmes a person can be paid by, and what one month is worth in each.

- ``social_assistance``: coefficient × base level (Decree 20/2021 as amended by Decree 76/2024), the
  coefficient's category following age bands and multiplied per child for single parents;
- ``merit``: monthly preferential allowances for people with merit (người có công, Decree 75/2021 as
  amended by Decrees 55/2023 and 77/2024), a fixed amount per category from the decree's annex.

Every category and amount has its effective dates and its legal source in the data files
(``workflows/data/entitlements.json``, ``workflows/data/merit.json``). The programmes are funded
separately: each area has one payout cycle per programme per month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

from .bands import band_for
from .entitlements import Entitlements, base_level_on, load_entitlements, month_start
from .validators import InvalidValue

SOCIAL, MERIT = "social_assistance", "merit"
PROGRAMMES = (SOCIAL, MERIT)
PROGRAMME_LABELS = {SOCIAL: "Trợ cấp xã hội", MERIT: "Ưu đãi người có công"}


@dataclass(frozen=True)
class Level:
    amount: int
    effective_from: date
    source: str


@dataclass(frozen=True)
class MeritCategory:
    code: str
    name: str
    effective_from: date
    effective_to: date | None
    amounts: tuple[Level, ...]  # oldest first; none yet where the annex figure is still to be checked
    per_child: bool = False
    pending: str | None = None  # which amounts are not in the data yet, and why (the list leaves them off)

    def in_force(self, month: date) -> bool:
        return self.effective_from <= month and (self.effective_to is None or month < self.effective_to)

    def amount_on(self, month: date) -> Level | None:
        found = [level for level in self.amounts if level.effective_from <= month]
        return found[-1] if found else None


@dataclass(frozen=True)
class Merit:
    reference_levels: tuple[Level, ...]
    categories: dict[str, MeritCategory]
    as_of: date | None = None

    def reference_on(self, month: date) -> int | None:
        found = [level for level in self.reference_levels if level.effective_from <= month]
        return found[-1].amount if found else None


def _levels(rows: Any, where: str) -> tuple[Level, ...]:
    levels = []
    for row in rows:
        amount = row["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError(f"{where}: amount must be a positive integer number of đồng, got {amount!r}")
        levels.append(Level(amount, date.fromisoformat(row["effective_from"]), row["source"]))
    levels.sort(key=lambda level: level.effective_from)
    if len({level.effective_from for level in levels}) != len(levels):
        raise ValueError(f"{where}: two amounts start on the same day")
    return tuple(levels)


def parse_merit(raw: dict) -> Merit:
    categories: dict[str, MeritCategory] = {}
    for row in raw["categories"]:
        code = row["code"]
        if code in categories:
            raise ValueError(f"merit: category {code!r} is listed twice")
        categories[code] = MeritCategory(
            code=code,
            name=row["name"],
            effective_from=date.fromisoformat(row["effective_from"]),
            effective_to=date.fromisoformat(row["effective_to"]) if row.get("effective_to") else None,
            amounts=_levels(row["amounts"], code),
            per_child=bool(row.get("per_child", False)),
            pending=row.get("pending"),
        )
    return Merit(_levels(raw["reference_levels"], "reference_levels"), categories)


@cache
def load_merit() -> Merit:
    text = resources.files("workflows").joinpath("data", "merit.json").read_text(encoding="utf-8")
    return parse_merit(json.loads(text))


def merit_known_on(day: date, data: Merit | None = None) -> Merit:
    """Merit amounts as known on ``day`` (a decree announced after the month it applies from)."""
    data = data or load_merit()
    cut = {
        code: replace(c, amounts=tuple(a for a in c.amounts if a.effective_from <= day) or c.amounts[:1])
        for code, c in data.categories.items()
    }
    return Merit(data.reference_levels, cut, as_of=day)


def programme_of(category_code: str) -> str | None:
    """Which programme a category belongs to; None for a code neither knows."""
    if category_code in load_entitlements().categories:
        return SOCIAL
    if category_code in load_merit().categories:
        return MERIT
    return None


def category_names(programme: str | None = None) -> dict[str, str]:
    """``{code: name}`` for pickers and roll imports (both programmes unless one is named)."""
    names = {}
    if programme in (None, SOCIAL):
        names |= {c.code: c.name for c in load_entitlements().categories.values()}
    if programme in (None, MERIT):
        names |= {c.code: c.name for c in load_merit().categories.values()}
    return names


def vnd(amount: int | Decimal) -> str:
    """500000 → ``500.000``; coefficients 1.5 → ``1,5`` (Vietnamese notation)."""
    if isinstance(amount, Decimal) and amount != amount.to_integral_value():
        return f"{amount.normalize():f}".replace(".", ",")
    if isinstance(amount, Decimal):
        return f"{amount.quantize(Decimal('0.1')):f}".replace(".", ",")
    return f"{amount:,}".replace(",", ".")


@dataclass(frozen=True)
class Rate:
    """What one category is worth in one month: the amount, the level it rests on, how it was reached."""

    category_code: str
    month: date
    amount: int
    base_level: int
    basis: str


def rates_for_month(
    month: date, programme: str, social: Entitlements | None = None, merit: Merit | None = None
):
    """Every category of ``programme`` in force in ``month`` with its amount (one per child for per-child
    categories); categories not yet or no longer in force, or months before any level, give nothing."""
    month = month_start(month)
    if programme == SOCIAL:
        data = social or load_entitlements()
        try:
            base = base_level_on(month, data.base_levels)
        except InvalidValue:
            return []
        rates = []
        for c in data.categories.values():
            if not c.in_force(month):
                continue
            amount = int((c.coefficient * base).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            rates.append(Rate(c.code, month, amount, base, f"{vnd(c.coefficient)} × {vnd(base)} đ"))
        return rates
    if programme == MERIT:
        data = merit or load_merit()
        reference = data.reference_on(month)
        rates = []
        for c in data.categories.values():
            level = c.amount_on(month) if c.in_force(month) else None
            if level is not None and reference is not None:
                rates.append(Rate(c.code, month, level.amount, reference, f"{vnd(level.amount)} đ"))
        return rates
    raise ValueError(f"unknown programme {programme!r}")


def paid_category(
    programme: str,
    category_code: str,
    date_of_birth: date | None,
    month: date,
    social: Entitlements | None = None,
) -> str | None:
    """The category a person is paid by in ``month`` (age bands moved on); None below every band."""
    if programme != SOCIAL:
        return category_code
    return band_for((social or load_entitlements()).age_bands, category_code, date_of_birth, month)


def per_child(programme: str, category_code: str) -> bool:
    if programme == SOCIAL:
        category = load_entitlements().categories.get(category_code)
    else:
        category = load_merit().categories.get(category_code)
    return bool(category and category.per_child)
