"""Monthly amounts and arrears: base level in force on the 1st of the month × coefficient, in whole đồng."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.entitlements import (
    BaseLevel,
    Category,
    Entitlements,
    arrears,
    base_level_on,
    children_in_force,
    load_entitlements,
    month_range,
    month_start,
    monthly_amount,
    parse_entitlements,
)
from workflows.validators import InvalidValue

DATA = Path(__file__).resolve().parents[2] / "workflows" / "data" / "entitlements.json"
PROPERTY = settings(deadline=None, max_examples=300)
ONE = "elderly_80_plus_no_pension"  # coefficient 1.0

# Decree 20/2021/NĐ-CP, Article 6 clause 1: the coefficient of each category.
COEFFICIENTS = {
    "orphan_under_4": "2.5",
    "orphan_4_plus": "1.5",
    "orphan_studying_16_22": "1.5",
    "child_hiv_poor_under_4": "2.5",
    "child_hiv_poor_4_to_16": "2.0",
    "single_parent_poor": "1.0",
    "elderly_poor_alone_60_80": "1.5",
    "elderly_poor_alone_80_plus": "2.0",
    "elderly_75_80_poor_ethnic_area": "1.0",
    "elderly_80_plus_no_pension": "1.0",
    "elderly_poor_community_care": "3.0",
    "disabled_severe": "1.5",
    "disabled_particularly_severe": "2.0",
    "disabled_severe_child": "2.0",
    "disabled_severe_elderly": "2.0",
    "disabled_particularly_severe_child": "2.5",
    "disabled_particularly_severe_elderly": "2.5",
    "child_under_3_poor_ethnic_area": "1.5",
    "hiv_poor_no_income": "1.5",
}


def custom(levels: list[tuple[int, str]], coefficients: dict[str, str]) -> Entitlements:
    return parse_entitlements(
        {
            "base_levels": [{"amount": a, "effective_from": d, "source": "test"} for a, d in levels],
            "categories": [
                {"code": c, "name": c, "coefficient": k, "source": "test"} for c, k in coefficients.items()
            ],
        }
    )


# --- The shipped data -------------------------------------------------------------------------


DECREE_76 = "Nghị định 76/2024/NĐ-CP (sửa đổi khoản 1 Điều 4 Nghị định 20/2021/NĐ-CP)"


def test_base_levels_are_the_two_decrees():
    levels = load_entitlements().base_levels
    assert levels == (
        BaseLevel(360000, date(2021, 7, 1), "Nghị định 20/2021/NĐ-CP, khoản 1 Điều 4"),
        BaseLevel(500000, date(2024, 7, 1), DECREE_76),
    )


def test_categories_carry_the_decree_coefficients_as_decimals():
    categories = load_entitlements().categories
    assert {code: str(c.coefficient) for code, c in categories.items()} == COEFFICIENTS
    assert all(type(c.coefficient) is Decimal for c in categories.values())


def test_every_category_cites_its_article_and_has_a_vietnamese_name():
    for category in load_entitlements().categories.values():
        if category.code == "elderly_75_80_poor_ethnic_area":  # added by Decree 76/2024 from 1/7/2024
            assert category.source.startswith("Nghị định 76/2024/NĐ-CP"), category
            assert category.effective_from == date(2024, 7, 1)
        else:
            assert category.source.startswith("Nghị định 20/2021/NĐ-CP, điểm "), category
            assert category.effective_from == date(2021, 7, 1)
        assert "khoản 1 Điều 6" in category.source and "Điều 5" in category.source
        assert unicodedata.is_normalized("NFC", category.name)
        assert category.name[0].isupper()


def test_only_single_parents_are_paid_per_child():
    per_child = [c.code for c in load_entitlements().categories.values() if c.per_child]
    assert per_child == ["single_parent_poor"]
    assert "mỗi con" in load_entitlements().category("single_parent_poor").name


def test_data_file_writes_coefficients_as_strings_so_nothing_passes_through_float():
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    assert all(isinstance(row["coefficient"], str) for row in raw["categories"])
    assert all(isinstance(row["amount"], int) for row in raw["base_levels"])


def test_loading_is_cached():
    assert load_entitlements() is load_entitlements()


def test_unknown_category_is_refused_in_vietnamese():
    with pytest.raises(InvalidValue) as caught:
        load_entitlements().category("no_such")
    assert caught.value.message == "Không có diện hưởng trợ cấp mã «no_such»"


# --- Parsing ----------------------------------------------------------------------------------


def test_parsing_sorts_levels_and_reads_coefficients_exactly():
    data = custom([(500000, "2024-07-01"), (360000, "2021-07-01")], {"x": "1.5", "y": "2"})
    assert [level.amount for level in data.base_levels] == [360000, 500000]
    assert data.categories["x"] == Category("x", "x", Decimal("1.5"), "test")
    assert data.categories["y"].coefficient == Decimal(2)


@pytest.mark.parametrize(
    ("levels", "coefficients", "fragment"),
    [
        ([], {"x": "1.0"}, "at least one base level"),
        ([(360000.0, "2021-07-01")], {"x": "1.0"}, "positive integer"),
        ([(0, "2021-07-01")], {"x": "1.0"}, "positive integer"),
        ([(True, "2021-07-01")], {"x": "1.0"}, "positive integer"),
        ([(1, "2021-07-01"), (2, "2021-07-01")], {"x": "1.0"}, "same day"),
        ([(1, "2021-07-01")], {"x": 1.5}, "decimal string"),
        ([(1, "2021-07-01")], {"x": "-1"}, "positive"),
        ([(1, "2021-07-01")], {"x": "NaN"}, "positive"),
    ],
)
def test_bad_entitlement_data_is_refused(levels, coefficients, fragment):
    with pytest.raises(ValueError, match=fragment):
        custom(levels, coefficients)


def test_a_category_listed_twice_is_refused():
    raw = {
        "base_levels": [{"amount": 1, "effective_from": "2021-07-01", "source": "s"}],
        "categories": [{"code": "x", "name": "x", "coefficient": "1", "source": "s"}] * 2,
    }
    with pytest.raises(ValueError, match="listed twice"):
        parse_entitlements(raw)


# --- Base level in force ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (date(2021, 7, 1), 360000),
        (date(2023, 1, 15), 360000),
        (date(2024, 6, 30), 360000),
        (date(2024, 7, 1), 500000),
        (date(2030, 12, 31), 500000),
        (datetime(2024, 7, 1, 0, 0), 500000),
    ],
)
def test_base_level_in_force_on_a_day(day, amount):
    assert base_level_on(day) == amount
    assert base_level_on(day, load_entitlements().base_levels) == amount


def test_no_base_level_before_the_first_one():
    with pytest.raises(InvalidValue) as caught:
        base_level_on(date(2021, 6, 30))
    assert caught.value.message == (
        "Chưa có mức chuẩn trợ giúp xã hội áp dụng cho ngày 30/06/2021 (mức sớm nhất áp dụng từ 01/07/2021)"
    )


def test_base_level_on_takes_levels_in_any_order():
    levels = [BaseLevel(500000, date(2024, 7, 1), "b"), BaseLevel(360000, date(2021, 7, 1), "a")]
    assert base_level_on(date(2024, 6, 30), levels) == 360000
    assert base_level_on(date(2024, 7, 1), levels) == 500000
    with pytest.raises(InvalidValue, match="Chưa có mức chuẩn"):
        base_level_on(date(2024, 7, 1), [])


# --- Monthly amounts --------------------------------------------------------------------------


def test_june_2024_uses_360000_and_july_2024_uses_500000():
    assert monthly_amount(ONE, date(2024, 6, 1)) == 360000
    assert monthly_amount(ONE, date(2024, 7, 1)) == 500000


@pytest.mark.parametrize(
    ("code", "june_2024", "july_2024"),
    [
        ("orphan_under_4", 900000, 1250000),
        ("orphan_4_plus", 540000, 750000),
        ("elderly_poor_alone_60_80", 540000, 750000),
        ("elderly_poor_alone_80_plus", 720000, 1000000),
        ("elderly_poor_community_care", 1080000, 1500000),
        ("disabled_particularly_severe_child", 900000, 1250000),
        ("single_parent_poor", 360000, 500000),
    ],
)
def test_monthly_amounts_before_and_after_decree_76(code, june_2024, july_2024):
    assert monthly_amount(code, date(2024, 6, 1)) == june_2024
    assert monthly_amount(code, date(2024, 7, 1)) == july_2024


def test_the_level_on_the_first_of_the_month_decides_the_whole_month():
    data = custom([(1000, "2024-01-01"), (2000, "2024-07-15")], {"x": "1"})
    assert monthly_amount("x", date(2024, 7, 31), data) == 1000
    assert monthly_amount("x", date(2024, 8, 1), data) == 2000
    assert monthly_amount(ONE, date(2024, 6, 30)) == 360000
    assert monthly_amount(ONE, datetime(2024, 7, 31, 23, 59)) == 500000


@pytest.mark.parametrize(
    ("coefficient", "base", "amount"),
    [
        ("1.25", 1002, 1253),  # 1252.5 rounds up (half-even would give 1252)
        ("1.25", 1006, 1258),  # 1257.5 rounds up
        ("0.3333", 1000, 333),  # 333.3 rounds down
        ("0.6667", 1000, 667),  # 666.7 rounds up
        ("2.5", 360000, 900000),
    ],
)
def test_amounts_round_half_up_to_the_dong(coefficient, base, amount):
    data = custom([(base, "2021-07-01")], {"x": coefficient})
    result = monthly_amount("x", date(2022, 1, 1), data)
    assert result == amount
    assert type(result) is int


def test_monthly_amount_refuses_unknown_categories_and_months_before_any_level():
    with pytest.raises(InvalidValue, match="Không có diện hưởng trợ cấp mã «nope»"):
        monthly_amount("nope", date(2024, 7, 1))
    with pytest.raises(InvalidValue, match="01/06/2021"):
        monthly_amount(ONE, date(2021, 6, 20))


months_since_2021 = st.dates(min_value=date(2021, 7, 1), max_value=date(2035, 12, 31))
category_codes = st.sampled_from(sorted(COEFFICIENTS))


@PROPERTY
@given(category_codes, months_since_2021)
def test_monthly_amount_is_integer_coefficient_times_base_rounded(code, day):
    amount = monthly_amount(code, day)
    assert type(amount) is int
    base = 360000 if day < date(2024, 7, 1) else 500000
    expected = (Decimal(COEFFICIENTS[code]) * base).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert amount == int(expected)
    assert amount == monthly_amount(code, month_start(day))


@PROPERTY
@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10"), places=4),
    st.integers(min_value=1, max_value=10_000_000),
)
def test_rounding_never_moves_more_than_half_a_dong(coefficient, base):
    data = custom([(base, "2021-07-01")], {"x": str(coefficient)})
    amount = monthly_amount("x", date(2021, 7, 1), data)
    exact = coefficient * base
    assert type(amount) is int
    assert -Decimal("0.5") < amount - exact <= Decimal("0.5")


# --- Arrears ----------------------------------------------------------------------------------

Q3_2024 = [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]


def test_arrears_for_july_to_september_2024_paid_at_the_old_level():
    paid = {month: 360000 for month in Q3_2024}
    assert arrears(ONE, Q3_2024, paid) == 3 * 140000 == 420000


def test_arrears_scale_with_the_coefficient():
    paid = {month: 540000 for month in Q3_2024}  # 1.5 × 360,000 paid
    assert arrears("disabled_severe", Q3_2024, paid) == 3 * (750000 - 540000)


def test_an_unpaid_month_is_owed_in_full_and_an_overpaid_month_offsets_nothing():
    paid = {date(2024, 7, 1): 900000, date(2024, 8, 1): 500000}
    assert arrears(ONE, Q3_2024, paid) == 500000


def test_months_and_payments_are_matched_by_calendar_month():
    paid = {date(2024, 7, 20): 200000, date(2024, 7, 3): 160000}
    assert arrears(ONE, [date(2024, 7, 31)], paid) == 140000
    assert arrears(ONE, [date(2024, 7, 1), date(2024, 7, 15)], {}) == 500000


def test_payments_for_other_months_do_not_count():
    assert arrears(ONE, [date(2024, 7, 1)], {date(2024, 6, 1): 360000}) == 500000


def test_no_months_owe_nothing():
    assert arrears(ONE, [], {date(2024, 7, 1): 1}) == 0


def test_arrears_refuse_negative_or_non_integer_payments():
    with pytest.raises(InvalidValue) as caught:
        arrears(ONE, Q3_2024, {date(2024, 7, 1): -1})
    assert caught.value.message == "Số tiền đã chi tháng 07/2024 không thể âm (-1 đồng)"
    with pytest.raises(TypeError, match="integer đồng"):
        arrears(ONE, Q3_2024, {date(2024, 7, 1): 360000.0})
    with pytest.raises(TypeError, match="integer đồng"):
        arrears(ONE, Q3_2024, {date(2024, 7, 1): Decimal(360000)})


def test_arrears_with_custom_data():
    data = custom([(100, "2024-01-01"), (150, "2024-03-01")], {"x": "2"})
    months = month_range(date(2024, 1, 1), date(2024, 4, 1))
    assert arrears("x", months, {m: 200 for m in months}, data) == 2 * (300 - 200)


paid_amounts = st.integers(min_value=0, max_value=3_000_000)


@PROPERTY
@given(
    category_codes,
    st.lists(months_since_2021.map(month_start), max_size=24),
    st.dictionaries(months_since_2021.map(month_start), paid_amounts, max_size=24),
)
def test_arrears_are_the_sum_of_each_months_shortfall(code, months, paid):
    owed = arrears(code, months, paid)
    assert type(owed) is int
    due = {m: monthly_amount(code, m) for m in set(months)}
    assert owed == sum(max(0, due[m] - paid.get(m, 0)) for m in due)
    assert 0 <= owed <= sum(due.values())
    assert arrears(code, months, {}) == sum(due.values())
    assert arrears(code, months, due) == 0


@PROPERTY
@given(category_codes, st.lists(months_since_2021.map(month_start), min_size=1, max_size=12), paid_amounts)
def test_paying_more_never_raises_arrears(code, months, extra):
    paid = {m: 100000 for m in months}
    more = {m: 100000 + extra for m in months}
    assert arrears(code, months, more) <= arrears(code, months, paid)


# --- Months -----------------------------------------------------------------------------------


def test_month_range_crosses_the_year_and_is_inclusive():
    assert month_range(date(2024, 11, 5), date(2025, 2, 1)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert month_range(date(2024, 7, 9), date(2024, 7, 31)) == [date(2024, 7, 1)]
    assert month_range(date(2024, 8, 1), date(2024, 7, 1)) == []


@PROPERTY
@given(months_since_2021, st.integers(min_value=0, max_value=60))
def test_month_range_has_one_first_day_per_month(start, length):
    first = month_start(start)
    end = date(first.year + (first.month - 1 + length) // 12, (first.month - 1 + length) % 12 + 1, 28)
    months = month_range(start, end)
    assert len(months) == length + 1
    assert all(m.day == 1 for m in months)
    assert months == sorted(set(months))


def test_each_month_is_paid_by_the_count_of_children_in_force_then():
    # A single parent of two; a third child recorded from March 2025, one grown up from September.
    changes = [(date(2025, 3, 1), 3), (date(2024, 8, 1), 2), (date(2025, 9, 1), 2)]
    by_month = {m: children_in_force(changes, date(2025, m, 1), latest=2) for m in (1, 2, 3, 8, 9)}
    assert by_month == {1: 2, 2: 2, 3: 3, 8: 3, 9: 2}
    assert children_in_force(changes, date(2024, 6, 1), latest=2) == 2  # before the first: the first count
    assert children_in_force([], date(2025, 1, 1), latest=4) == 4  # never dated (a roll): its one count
    assert children_in_force([], date(2025, 1, 1), latest=None) == 1
