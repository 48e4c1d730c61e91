"""Vietnam's working days: weekends, public holidays (Tết included) from the ``holidays`` package, and
the extra days off and swapped working days that the government announces each year and an admin
enters (``calendar_days``).

A ``WorkingCalendar`` is an immutable snapshot: the package's days for a year are computed once per
process and cached; the admin's days come in as two sets. Every question is a few set lookups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# A deadline "in working days" ends at 17:00 Vietnam time, when public offices close.
END_OF_WORKING_DAY = time(17, 0)
WEEKEND = frozenset({5, 6})  # Saturday, Sunday
# Far more than any real gap between working days (Tết with its weekends is nine days).
_MAX_GAP = 60


@dataclass(frozen=True)
class YearHolidays:
    """One year of the ``holidays`` package: public holidays by name, and the Saturdays worked in
    exchange for a bridge day off (the package's ``weekend_workdays``)."""

    off: dict[date, str]
    working_weekend_days: frozenset[date]


@lru_cache(maxsize=64)
def vietnam_holidays(year: int) -> YearHolidays:
    official = holidays.country_holidays("VN", years=year)
    working = frozenset(d for d in getattr(official, "weekend_workdays", ()) if d.year == year)
    return YearHolidays(dict(official.items()), working)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working-day arithmetic on Vietnamese dates. ``extra_off`` and ``extra_working`` are the admin's
    days; they win over the package, and a day off wins over a working day."""

    extra_off: frozenset[date] = frozenset()
    extra_working: frozenset[date] = frozenset()
    _years: dict[int, tuple[frozenset[date], frozenset[date]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        sets = self._years.get(year)
        if sets is None:
            package = vietnam_holidays(year)
            extra_off = {d for d in self.extra_off if d.year == year}
            extra_working = {d for d in self.extra_working if d.year == year}
            off = (frozenset(package.off) - extra_working) | extra_off
            working = (package.working_weekend_days | extra_working) - off
            sets = self._years[year] = (off, working)
        return sets

    def is_working_day(self, day: date) -> bool:
        off, working = self._year(day.year)
        if day in off:
            return False
        return day in working or day.weekday() not in WEEKEND

    def why_off(self, day: date) -> str | None:
        """Why ``day`` is not a working day (a holiday's name, "weekend", the admin's day off), or None."""
        if self.is_working_day(day):
            return None
        if day in self.extra_off:
            return "day_off"
        return vietnam_holidays(day.year).off.get(day, "weekend")

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it, for negative ``n``); ``day`` for 0."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day = self._next(day, step)
            remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self._next(day, 1)

    def last_working_day_before(self, day: date) -> date:
        """The latest working day strictly before ``day``."""
        return self._next(day, -1)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in ``(start, end]``: ``add_working_days(start, n) == end`` for that n
        when ``end`` is a working day."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def _next(self, day: date, step: int) -> date:
        for _ in range(_MAX_GAP):
            day += timedelta(days=step)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within {_MAX_GAP} days of {day:%d/%m/%Y}")

    # --- moments -----------------------------------------------------------------------------------

    def end_of_day(self, day: date) -> datetime:
        """17:00 in Vietnam on ``day``, in UTC."""
        return datetime.combine(day, END_OF_WORKING_DAY, tzinfo=VIETNAM).astimezone(UTC)

    def shift(self, moment: datetime, working_days: int) -> datetime:
        """``moment`` moved by whole working days, keeping its Vietnamese clock time (a reminder one
        working day before a deadline at 17:00 on a Monday is at 17:00 on the Friday before)."""
        local = moment.astimezone(VIETNAM)
        day = self.add_working_days(local.date(), working_days)
        return datetime.combine(day, local.timetz()).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The date in Vietnam at ``moment``."""
    return moment.astimezone(VIETNAM).date()


def calendar_of(days: Iterable[tuple[date, str]]) -> WorkingCalendar:
    """A calendar from the admin's ``(day, kind)`` rows, kind "day_off" or "working_day"."""
    off, working = set(), set()
    for day, kind in days:
        (off if kind == "day_off" else working).add(day)
    return WorkingCalendar(frozenset(off), frozenset(working))
