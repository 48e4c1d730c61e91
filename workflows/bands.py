"""Age bands: categories whose coefficient depends on age (children under 4, the elderly from 80, …).

A person is enrolled in a group (any of its bands' codes will do); each month the band is read again
from the date of birth, so a child turning 4 moves from 2.5 to 1.5 without anyone editing the record.
The new band applies from the month after the birthday month (the data file states this rule and its
basis): the age that counts for a month is the age reached by the last day of the month before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class AgeBand:
    code: str
    from_age: int  # in whole years, inclusive


@dataclass(frozen=True)
class AgeBandGroup:
    group: str
    bands: tuple[AgeBand, ...]  # youngest first
    starts: str  # "month_after_birthday"
    source: str

    def band_at(self, age: int) -> AgeBand | None:
        """The band for ``age``; None below the youngest band (not yet entitled by age)."""
        found = None
        for band in self.bands:
            if age >= band.from_age:
                found = band
        return found


def parse_age_bands(rows: Iterable[Mapping[str, Any]], categories: Mapping[str, Any]) -> tuple:
    groups, seen = [], set()
    for row in rows:
        bands = tuple(
            sorted((AgeBand(b["code"], int(b["from_age"])) for b in row["bands"]), key=lambda b: b.from_age)
        )
        for band in bands:
            if band.code not in categories:
                raise ValueError(f"age_bands {row['group']!r}: unknown category {band.code!r}")
            if band.code in seen:
                raise ValueError(f"age_bands: category {band.code!r} is in two groups")
            seen.add(band.code)
        if row.get("starts", "month_after_birthday") != "month_after_birthday":
            raise ValueError(f"age_bands {row['group']!r}: unknown start rule {row.get('starts')!r}")
        groups.append(AgeBandGroup(row["group"], bands, "month_after_birthday", row["source"]))
    return tuple(groups)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years reached on ``day``."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def age_counted_for(date_of_birth: date, month: date) -> int:
    """The age that sets a month's band: the age reached by the last day of the month before."""
    return age_on(date_of_birth, date(month.year, month.month, 1) - timedelta(days=1))


def group_of(groups: Iterable[AgeBandGroup], category_code: str) -> AgeBandGroup | None:
    return next((g for g in groups if any(b.code == category_code for b in g.bands)), None)


def band_for(
    groups: Iterable[AgeBandGroup], category_code: str, date_of_birth: date | None, month: date
) -> str | None:
    """The category a person enrolled as ``category_code`` is paid by in ``month``; None when their age
    is below every band of the group (e.g. under 60 in the elderly group). Unbanded categories, and
    people without a date of birth, keep ``category_code``."""
    group = group_of(groups, category_code)
    if group is None or date_of_birth is None:
        return category_code
    band = group.band_at(age_counted_for(date_of_birth, month))
    return None if band is None else band.code


def band_start(group: AgeBandGroup, date_of_birth: date, band: AgeBand) -> date:
    """The first month paid in ``band``: the month after the birthday on which it is reached."""
    year = date_of_birth.year + band.from_age
    month = date_of_birth.month + 1
    return date(year + (month > 12), (month - 1) % 12 + 1, 1)
