"""The amounts a cycle pays by: per category and month, for its month and the months before it that
arrears may be owed for. Worked out once from the programme's data when the cycle starts and stored with
it, so the list (and any regeneration of it) uses exactly those figures and they can be shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..entitlements import Entitlements, load_entitlements
from ..programmes import SOCIAL, Merit, rates_for_month
from .common import add_months

# How far back a list looks for months owed (not paid, or paid at a level since raised): a roll's
# "Hưởng từ tháng" further back than this is reported in the list's note, not paid silently.
ARREARS_WINDOW_MONTHS = 24


def rate_rows(
    cycle_id: int,
    month: date,
    data: Entitlements | None = None,
    programme: str = SOCIAL,
    merit: Merit | None = None,
) -> list[dict]:
    """Rows for ``payout_rates``: every category in force, for ``month`` and the window before it."""
    rows = []
    for back in range(ARREARS_WINDOW_MONTHS, -1, -1):
        for rate in rates_for_month(add_months(month, -back), programme, data, merit):
            rows.append(
                {
                    "cycle_id": cycle_id,
                    "category_code": rate.category_code,
                    "month": rate.month,
                    "amount": rate.amount,
                    "base_level": rate.base_level,
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
    return replace(data, base_levels=levels or data.base_levels[:1], as_of=day)
