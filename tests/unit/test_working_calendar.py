"""Working-day arithmetic on Vietnam's calendar, due rules and the escalation ladder, as plain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.deadlines import VIETNAM, Ladder, LadderBook, WorkingCalendar, before_day, check_due_rule
from workflows.deadlines.ladder import plan
from workflows.deadlines.rules import due_from_rule

OFFICIAL = WorkingCalendar()
# Tết 2025: the government swapped Monday 27/01 off for Saturday 08/02 worked; the package knows the
# day off but not the Saturday, which an admin enters.
SWAPPED_2025 = WorkingCalendar(extra_working=frozenset({date(2025, 2, 8)}))


def vn(*args) -> datetime:
    """A Vietnamese wall-clock moment, as the UTC the database holds."""
    return datetime(*args, tzinfo=VIETNAM).astimezone(UTC)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def test_tet_2025_is_nine_days_off_from_saturday_25_january_to_sunday_2_february():
    for day in days(date(2025, 1, 25), date(2025, 2, 2)):
        assert not OFFICIAL.is_working_day(day), day
    assert OFFICIAL.is_working_day(date(2025, 1, 24))
    assert OFFICIAL.is_working_day(date(2025, 2, 3))
    assert OFFICIAL.why_off(date(2025, 1, 29)) == "Lunar New Year"
    assert OFFICIAL.why_off(date(2025, 1, 25)) == "weekend"


def test_working_days_across_tet_2025_with_and_without_the_swapped_saturday():
    assert OFFICIAL.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert OFFICIAL.last_working_day_before(date(2025, 2, 3)) == date(2025, 1, 24)
    assert OFFICIAL.add_working_days(date(2025, 2, 3), -1) == date(2025, 1, 24)
    # Monday 20/01 + 10 working days: 21–24/01, then 03–07/02, then Saturday 08/02 when it is worked.
    assert OFFICIAL.add_working_days(date(2025, 1, 20), 10) == date(2025, 2, 10)
    assert SWAPPED_2025.add_working_days(date(2025, 1, 20), 10) == date(2025, 2, 8)
    assert SWAPPED_2025.is_working_day(date(2025, 2, 8)) and not OFFICIAL.is_working_day(date(2025, 2, 8))
    assert SWAPPED_2025.last_working_day_before(date(2025, 2, 10)) == date(2025, 2, 8)
    assert SWAPPED_2025.working_days_between(date(2025, 1, 20), date(2025, 2, 8)) == 10


def test_tet_2026_is_off_from_saturday_14_to_sunday_22_february():
    for day in days(date(2026, 2, 14), date(2026, 2, 22)):
        assert not OFFICIAL.is_working_day(day), day
    assert OFFICIAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert OFFICIAL.last_working_day_before(date(2026, 2, 23)) == date(2026, 2, 13)
    assert OFFICIAL.add_working_days(date(2026, 2, 9), 10) == date(2026, 3, 2)


def test_the_packages_own_swaps_and_the_admins_extra_day_off():
    # 2025: Saturday 26/04 worked for Friday 02/05 off (between 30/04, 01/05 and the weekend).
    assert OFFICIAL.is_working_day(date(2025, 4, 26))
    assert not OFFICIAL.is_working_day(date(2025, 5, 2))
    assert OFFICIAL.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    extra = WorkingCalendar(extra_off=frozenset({date(2025, 5, 5)}))
    assert extra.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 6)
    assert extra.why_off(date(2025, 5, 5)) == "day_off"
    # An admin's day off wins over a working day on the same date.
    both = WorkingCalendar(frozenset({date(2025, 2, 8)}), frozenset({date(2025, 2, 8)}))
    assert not both.is_working_day(date(2025, 2, 8))


def test_working_days_due_is_17_00_vietnam_on_the_nth_working_day_after_creation():
    created = vn(2025, 1, 20, 9, 0)
    assert due_from_rule("P10WD", created, SWAPPED_2025) == vn(2025, 2, 8, 17, 0)
    assert due_from_rule("P10WD", created, OFFICIAL) == vn(2025, 2, 10, 17, 0)
    assert due_from_rule("P1WD", vn(2025, 1, 24, 16, 59), OFFICIAL) == vn(2025, 2, 3, 17, 0)
    # Late in the evening in Vietnam is already the next day in the morning UTC: the Vietnamese date counts.
    assert due_from_rule("P1WD", vn(2025, 1, 23, 23, 30), OFFICIAL) == vn(2025, 1, 24, 17, 0)
    assert due_from_rule("P0WD", vn(2025, 1, 25, 10, 0), OFFICIAL) == vn(2025, 2, 3, 17, 0)


def test_calendar_durations_ignore_the_calendar():
    created = vn(2025, 1, 24, 10, 0)
    assert due_from_rule("P3D", created, OFFICIAL) == created + timedelta(days=3)
    assert due_from_rule("PT72H", created, OFFICIAL) == created + timedelta(hours=72)
    assert due_from_rule("someday", created, OFFICIAL) is None


@pytest.mark.parametrize(
    ("created", "day", "due"),
    [
        (vn(2025, 2, 5, 9, 0), 12, vn(2025, 2, 11, 17, 0)),
        (vn(2025, 2, 11, 16, 0), 12, vn(2025, 2, 11, 17, 0)),
        (vn(2025, 2, 11, 17, 30), 12, vn(2025, 3, 11, 17, 0)),  # passed: next month's
        (vn(2026, 1, 2, 9, 0), 12, vn(2026, 1, 9, 17, 0)),  # 10–11/01/2026 is a weekend
        (vn(2025, 8, 20, 9, 0), 2, vn(2025, 8, 29, 17, 0)),  # 30–31/08 weekend, 01/09 National Day
        (vn(2025, 4, 10, 9, 0), 5, vn(2025, 4, 29, 17, 0)),  # 30/04, 01/05 and 02/05 off, then a weekend
        (vn(2025, 12, 20, 9, 0), 12, vn(2026, 1, 9, 17, 0)),  # December rolls into January
    ],
)
def test_before_day_is_the_end_of_the_last_working_day_before_that_day_of_the_month(created, day, due):
    assert before_day(day, created, OFFICIAL) == due
    assert due_from_rule(f"before-day:{day}", created, OFFICIAL) == due


@pytest.mark.parametrize("text", ["P5WD", "P10WD", "P3D", "PT72H", "before-day:12", "P1M"])
def test_due_rules_that_are_understood(text):
    check_due_rule(text)


@pytest.mark.parametrize("text", ["5WD", "P5W D", "before-day:31", "before-day:0", "tomorrow", ""])
def test_due_rules_that_are_refused(text):
    with pytest.raises(ValueError):
        check_due_rule(text)


def test_the_default_ladder_reminds_the_day_before_and_climbs_every_three_working_days():
    due = vn(2025, 2, 8, 17, 0)  # the swapped Saturday
    alerts = [(a.kind, a.step, a.at) for a in plan(Ladder(), due, SWAPPED_2025, levels=3)]
    assert alerts == [
        ("reminder", 1, vn(2025, 2, 7, 17, 0)),
        ("overdue", 0, due),
        ("escalation", 1, due),
        ("escalation", 2, vn(2025, 2, 12, 17, 0)),
        ("escalation", 3, vn(2025, 2, 17, 17, 0)),
    ]
    # Across Tết 2025: a reminder two working days before Monday 03/02 falls on Thursday 23/01.
    alerts = plan(Ladder(remind_before=(2,), max_levels=1), vn(2025, 2, 3, 17, 0), OFFICIAL, levels=3)
    assert [(a.kind, a.step, a.at) for a in alerts] == [
        ("reminder", 2, vn(2025, 1, 23, 17, 0)),
        ("overdue", 0, vn(2025, 2, 3, 17, 0)),
        ("escalation", 1, vn(2025, 2, 3, 17, 0)),
    ]


def test_ladders_by_bpmn_id_then_form_key_then_the_default():
    special, by_form = Ladder(remind_before=(5, 1)), Ladder(climb_every=1)
    book = LadderBook(by_step={"issue_cccd": special, "review": by_form})
    assert book.for_task("issue_cccd", "cccd_issuance") is special
    assert book.for_task("some_review_step", "review") is by_form
    assert book.for_task("outreach", "outreach") == Ladder()
    with pytest.raises(ValueError):
        Ladder(climb_every=0)
