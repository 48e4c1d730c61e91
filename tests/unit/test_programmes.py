"""Programmes as data: categories with dates and sources, age bands month by month, per-child amounts,
the merit programme's annex amounts, and the cash-at-home table's rules (non-overlapping, complete)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflows.bands import age_counted_for, band_for, band_start
from workflows.cash_method import domain, matching_rules, payout_method
from workflows.entitlements import load_entitlements
from workflows.programmes import (
    MERIT,
    SOCIAL,
    category_names,
    load_merit,
    paid_category,
    programme_of,
    rates_for_month,
)

BANDS = load_entitlements().age_bands


def amounts(month: date, programme: str = SOCIAL) -> dict[str, int]:
    return {rate.category_code: rate.amount for rate in rates_for_month(month, programme)}


@pytest.mark.parametrize(
    ("code", "june_2024", "july_2024"),
    [
        ("orphan_under_4", 900_000, 1_250_000),  # 2.5
        ("orphan_4_plus", 540_000, 750_000),  # 1.5
        ("child_hiv_poor_4_to_16", 720_000, 1_000_000),  # 2.0
        ("single_parent_poor", 360_000, 500_000),  # 1.0 per child
        ("elderly_poor_alone_60_80", 540_000, 750_000),  # 1.5
        ("elderly_poor_alone_80_plus", 720_000, 1_000_000),  # 2.0
        ("elderly_poor_community_care", 1_080_000, 1_500_000),  # 3.0
        ("disabled_particularly_severe_child", 900_000, 1_250_000),  # 2.5
    ],
)
def test_every_category_across_the_rate_change(code, june_2024, july_2024):
    assert amounts(date(2024, 6, 1))[code] == june_2024
    assert amounts(date(2024, 7, 1))[code] == july_2024


def test_the_75_to_80_ethnic_area_category_exists_only_from_july_2024():
    assert "elderly_75_80_poor_ethnic_area" not in amounts(date(2024, 1, 1))
    assert "elderly_75_80_poor_ethnic_area" not in amounts(date(2024, 6, 1))
    assert amounts(date(2024, 7, 1))["elderly_75_80_poor_ethnic_area"] == 500_000
    rate = next(
        r for r in rates_for_month(date(2024, 7, 1), SOCIAL) if r.category_code.startswith("elderly_75")
    )
    assert rate.basis == "1,0 × 500.000 đ"
    assert (
        load_entitlements()
        .categories["elderly_75_80_poor_ethnic_area"]
        .source.startswith("Nghị định 76/2024")
    )


def test_a_child_moves_to_the_4_plus_band_the_month_after_the_fourth_birthday():
    born = date(2020, 3, 15)
    assert band_for(BANDS, "orphan_under_4", born, date(2024, 3, 1)) == "orphan_under_4"
    assert band_for(BANDS, "orphan_under_4", born, date(2024, 4, 1)) == "orphan_4_plus"
    # Enrolled under either band's code, the date of birth decides.
    assert band_for(BANDS, "orphan_4_plus", born, date(2023, 12, 1)) == "orphan_under_4"
    assert band_start(BANDS[0], born, BANDS[0].bands[1]) == date(2024, 4, 1)
    # Born on the 1st: the birthday month still pays the old band.
    assert band_for(BANDS, "orphan_under_4", date(2020, 3, 1), date(2024, 3, 1)) == "orphan_under_4"
    assert age_counted_for(date(2020, 3, 1), date(2024, 4, 1)) == 4


def test_an_old_person_moves_to_2_0_after_turning_80_and_under_60_is_not_in_the_group():
    born = date(1944, 6, 20)
    assert (
        paid_category(SOCIAL, "elderly_poor_alone_60_80", born, date(2024, 6, 1))
        == "elderly_poor_alone_60_80"
    )
    assert (
        paid_category(SOCIAL, "elderly_poor_alone_60_80", born, date(2024, 7, 1))
        == "elderly_poor_alone_80_plus"
    )
    assert band_for(BANDS, "elderly_poor_alone_60_80", date(1970, 1, 1), date(2024, 6, 1)) is None


def test_severe_disability_follows_child_adult_and_elderly_bands():
    born = date(2008, 5, 2)
    assert band_for(BANDS, "disabled_severe", born, date(2024, 5, 1)) == "disabled_severe_child"
    assert band_for(BANDS, "disabled_severe", born, date(2024, 6, 1)) == "disabled_severe"
    assert band_for(BANDS, "disabled_severe", date(1964, 1, 9), date(2024, 2, 1)) == "disabled_severe_elderly"


def test_merit_amounts_from_the_annexes_with_the_reference_level_change():
    june, july = amounts(date(2024, 6, 1), MERIT), amounts(date(2024, 7, 1), MERIT)
    assert (june["merit_martyr_family_1"], july["merit_martyr_family_1"]) == (2_055_000, 2_789_000)
    assert (june["merit_martyr_family_2"], july["merit_martyr_family_2"]) == (4_110_000, 5_578_000)
    assert (june["merit_martyr_family_3_plus"], july["merit_martyr_family_3_plus"]) == (6_165_000, 8_367_000)
    merit = load_merit()
    assert (merit.reference_on(date(2024, 6, 1)), merit.reference_on(date(2024, 7, 1))) == (
        2_055_000,
        2_789_000,
    )
    assert all("77/2024" in c.amounts[-1].source for c in merit.categories.values())
    assert all("55/2023" in c.amounts[0].source for c in merit.categories.values())
    # every category has an amount from its first month: nobody is left off for a missing figure
    assert all(
        c.amounts and c.amounts[0].effective_from == c.effective_from for c in merit.categories.values()
    )
    assert not any(c.pending for c in merit.categories.values())


# Rows of Decree 55/2023 (from 1/7/2023) and Decree 77/2024 (from 1/7/2024), Annexes I–III, as read in
# the consolidated texts 834/VBHN-BLĐTBXH and 4804/VBHN-BLĐTBXH (addresses in workflows/data/merit.json).
ANNEX_ROWS = {
    "merit_war_invalid_21": (1_384_000, 1_878_000),  # Annex II, 21 %
    "merit_war_invalid_45": (2_965_000, 4_024_000),  # Annex II, 45 %
    "merit_war_invalid_80": (5_269_000, 7_150_000),  # Annex II, 80 %
    "merit_war_invalid_85": (5_601_000 + 1_031_000, 7_601_000 + 1_399_000),  # + Annex I 6.1 phụ cấp from 81 %
    "merit_war_invalid_100": (6_589_000 + 1_031_000, 8_941_000 + 1_399_000),
    "merit_war_invalid_b_21": (1_144_000, 1_552_000),  # Annex III, 21 %
    "merit_war_invalid_b_55": (3_023_000, 4_102_000),  # Annex III, 55 %
    "merit_war_invalid_b_100": (5_451_000 + 1_031_000, 7_397_000 + 1_399_000),
    "merit_sick_soldier_41_50": (2_145_000, 2_911_000),  # Annex I 7.1
    "merit_sick_soldier_71_80": (3_927_000, 5_329_000),
    "merit_sick_soldier_91_100": (5_235_000 + 1_031_000, 7_104_000 + 1_399_000),
    "merit_agent_orange_21_40": (1_562_000, 2_120_000),  # Annex I 8.1
    "merit_agent_orange_61_80": (3_658_000, 4_964_000),
    "merit_agent_orange_81_100": (4_685_000 + 1_031_000, 6_358_000 + 1_399_000),
    "merit_agent_orange_child_81_100": (2_055_000, 2_789_000),  # Annex I 8.2
    "merit_prisoner": (1_233_000, 1_673_000),  # Annex I 9
    "merit_revolution_helper_pre1945": (2_055_000, 2_789_000),  # Annex I 10.1
    "merit_revolution_helper_resistance_medal": (1_208_000, 1_639_000),  # Annex I 10.2
    "merit_hero_resistance": (1_722_000, 2_337_000),  # Annex I 5
    "merit_revolutionary_pre1945_non_detached": (3_899_000, 5_291_000),  # Annex I 1.1
    "merit_revolutionary_1945": (2_125_000, 2_884_000),  # Annex I 2.1
    "merit_heroic_mother": (6_165_000 + 1_722_000, 8_367_000 + 2_337_000),  # Annex I 4: trợ cấp + phụ cấp
}


@pytest.mark.parametrize("code", sorted(ANNEX_ROWS))
def test_merit_annex_amounts_before_and_from_july_2024(code):
    june, july = amounts(date(2024, 6, 1), MERIT), amounts(date(2024, 7, 1), MERIT)
    assert (june[code], july[code]) == ANNEX_ROWS[code]
    assert amounts(date(2023, 7, 1), MERIT)[code] == ANNEX_ROWS[code][0]  # from Decree 55/2023's first month


def test_war_invalids_are_paid_by_each_point_of_injury_rate_on_both_annexes():
    june, july = amounts(date(2024, 6, 1), MERIT), amounts(date(2024, 7, 1), MERIT)
    for prefix in ("merit_war_invalid_", "merit_war_invalid_b_"):
        for when in (june, july):
            by_rate = [when[f"{prefix}{rate}"] for rate in range(21, 101)]
            assert by_rate == sorted(set(by_rate)), prefix  # one amount per point, rising with the rate
        for rate in range(21, 101):
            # Both annexes are the same coefficients × the reference level, rounded to thousands (off by
            # up to 1.572 đ in the decrees' own figures): a figure mistyped from a table would stand out.
            expected = june[f"{prefix}{rate}"] * 2_789_000 / 2_055_000
            assert abs(july[f"{prefix}{rate}"] - expected) < 2_000, (prefix, rate)
    assert amounts(date(2023, 6, 1), MERIT) == {}  # before the first level the data carries


def test_categories_belong_to_one_programme_each():
    assert programme_of("merit_martyr_family_1") == MERIT and programme_of("orphan_4_plus") == SOCIAL
    assert programme_of("bogus") is None
    assert set(category_names(MERIT)) == set(load_merit().categories)
    assert set(category_names()) == set(category_names(SOCIAL)) | set(category_names(MERIT))


def test_the_cash_at_home_table_has_exactly_one_rule_for_every_case():
    for combination in domain():
        assert len(matching_rules(*combination)) == 1, combination
    assert payout_method("bedridden", None, None) == "cash_home"
    assert payout_method("bedridden", "guardian", None) == "cash_pay_point"  # the guardian collects
    assert payout_method("bedridden", "guardian", "cash_home") == "cash_home"
    assert payout_method("mobile", None, "cash_home") == "cash_pay_point"
    assert payout_method(None, None, "cash_home") == "cash_home"
    assert payout_method(None, None, None) == "cash_pay_point"


def test_the_report_deadline_belongs_to_the_cycles_month_even_when_the_step_starts_late():
    from workflows.deadlines.calendar import VIETNAM, WorkingCalendar
    from workflows.deadlines.rules import check_due_rule, due_from_rule

    calendar = WorkingCalendar()
    late = datetime(2024, 8, 20, 3, tzinfo=UTC)  # the report step of August starts on 20/08
    due = due_from_rule("before-day:12 month=month", late, calendar, {"month": "2024-08"})
    assert due.astimezone(VIETNAM).date() == date(2024, 8, 9)  # Friday before Sunday 11/08: already late
    assert due < late
    # Without the cycle's month the old rule would have rolled to September.
    assert due_from_rule("before-day:12", late, calendar).astimezone(VIETNAM).date() == date(2024, 9, 11)
    check_due_rule("before-day:12 month=month")
