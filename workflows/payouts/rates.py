"""The amounts a cycle pays by: coefficient × base level per category, for its month and the months before
it that arrears may be owed for. Worked out once from entitlement data when the cycle starts and stored
with it, so the list (and any regeneration of it) uses exactly those figures and they can be shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..entitlements import Entitlements, base_level_on, load_entitlements, monthly_amount
from ..validators import InvalidValue
from .common import add_months

ARREARS_WINDOW_MONTHS = 12  # how far back a list looks for months paid at a base level since raised


def rate_rows(cycle_id: int, month: date, data: Entitlements | None = None) -> list[dict]:
    """Rows for ``payout_rates``: every category, for ``month`` and the window of months before it."""
    data = data if data is not None else load_entitlements()
    rows = []
    for back in range(ARREARS_WINDOW_MONTHS, -1, -1):
        day = add_months(month, -back)
        try:
            base = base_level_on(day, data.base_levels)
        except InvalidValue:
            continue  # before the first known base level: nothing can be owed for it
        for code in data.categories:
            rows.append(
                {
                    "cycle_id": cycle_id,
                    "category_code": code,
                    "month": day,
                    "amount": monthly_amount(code, day, data),
                    "base_level": base,
                }
            )
    return rows


def known_on(day: date, data: Entitlements | None = None) -> Entitlements:
    """The entitlement data as it stood on ``day``: base levels that had taken effect by then.

    A decree often comes out after the month it applies from (Decree 76/2024 was signed on 1 July 2024,
    when July's lists were already drawn up), which is what arrears are for.
    """
    data = data if data is not None else load_entitlements()
    levels = tuple(level for level in data.base_levels if level.effective_from <= day)
    return replace(data, base_levels=levels or data.base_levels[:1])
