"""Drawing up the list: amounts from the base level in force (360,000 đ, then 500,000 đ from 07/2024),
arrears for months paid at the old level, totals by method and commune, nobody skipped silently or
listed twice, the list frozen with its hash on approval."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text, update

from workflows import payouts
from workflows.beneficiaries.models import Beneficiary
from workflows.payouts import generation
from workflows.payouts.rates import known_on
from workflows.payouts.service import start_many
from workflows.payouts.views import Total

from .conftest import CITY, DAK_CAM, DAK_GLEI, DAK_GLEI_TOWN, QUANG_TRUNG
from .test_entitled import enrol

# Demo beneficiaries 1…10: categories by n % 5 (coefficients 1.5, 2.0, 1.5, 1.5, 1.0, …), n = 10 on cash.
COEFFICIENTS = [1.5, 2.0, 1.5, 1.5, 1.0, 1.5, 2.0, 1.5, 1.5, 1.0]


def test_amounts_follow_the_base_level_in_force_that_month(pay):
    pay.add(10)
    june = pay.cycle(pay.start(month="2024-06"))
    august = pay.cycle(pay.start(month="2024-08"))
    assert june.total_amount == sum(int(c * 360_000) for c in COEFFICIENTS) == 5_400_000
    # August pays August, and July too (truy lĩnh): July was never listed, at July's 500,000 đ level.
    assert august.total_amount == 2 * sum(int(c * 500_000) for c in COEFFICIENTS) == 15_000_000
    monthly = [line for line in pay.lines(august.id) if line.entitlement == "monthly"]
    assert sorted({line.amount for line in monthly}) == [500_000, 750_000, 1_000_000]
    assert {line.basis for line in monthly} == {"1,0 × 500.000 đ", "1,5 × 500.000 đ", "2,0 × 500.000 đ"}
    assert (june.line_count, august.line_count) == (10, 20)


def test_totals_by_method_and_commune(pay):
    pay.add(20, home_every=20)  # n = 10 at the pay point, n = 20 at home
    cycle = pay.cycle(pay.start())
    lines = pay.lines(cycle.id)
    assert cycle.by_method == {
        method: Total(len(group), sum(line.amount for line in group))
        for method in ("account", "cash_pay_point", "cash_home")
        if (group := [line for line in lines if line.method == method])
    }
    assert set(cycle.by_method) == {"account", "cash_pay_point", "cash_home"}
    assert set(cycle.by_commune) == {QUANG_TRUNG, DAK_CAM}
    assert sum(t.amount for t in cycle.by_commune.values()) == cycle.total_amount
    assert sum(t.lines for t in cycle.by_commune.values()) == 20
    assert cycle.commune_names[QUANG_TRUNG] == "Phường Quang Trung"


def test_recipient_is_the_account_holder_or_the_representative(pay):
    pay.add(10)  # n = 1 through a guardian's account
    lines = {line.beneficiary_code: line for line in pay.lines(pay.start())}
    guardian = lines["BN1000001"]
    assert (guardian.recipient_kind, guardian.recipient_name) == ("guardian", "Người Giám Hộ 1")
    assert guardian.recipient_cccd != guardian.beneficiary_cccd
    assert (lines["BN1000002"].recipient_kind, lines["BN1000002"].recipient_name) == (
        "beneficiary",
        "Người Hưởng 2",
    )
    assert lines["BN1000010"].method == "cash_pay_point" and lines["BN1000010"].bank_code is None


def test_arrears_for_months_paid_at_the_old_base_level(pay):
    pay.add(10)
    pay.at(2024, 7, 1)
    july = pay.start(month="2024-07", entitlements=known_on(date(2024, 6, 30)))  # before Decree 76/2024
    assert pay.cycle(july).total_amount == 5_400_000
    pay.approve_and_fund(july)
    pay.pay_all(july)
    pay.at(2024, 8, 1)
    august = pay.cycle(pay.start(month="2024-08"))
    arrears = [line for line in pay.lines(august.id) if line.entitlement == "arrears"]
    assert len(arrears) == 10 and {line.month for line in arrears} == {date(2024, 7, 1)}
    assert sorted(line.amount for line in arrears) == sorted(int(c * 140_000) for c in COEFFICIENTS)
    assert august.generation["arrears"] == 10
    assert august.total_amount == 7_500_000 + 2_100_000
    # Once listed, July's arrears are never listed again.
    september = pay.cycle(pay.start(month="2024-09"))
    assert september.generation["arrears"] == 0 and september.total_amount == 7_500_000


def test_a_month_not_collected_is_paid_later_in_full(pay):
    pay.add(10)
    pay.at(2024, 7, 1)
    july = pay.start(month="2024-07", entitlements=known_on(date(2024, 6, 30)))
    pay.approve_and_fund(july)
    not_collected = {line.id for line in pay.lines(july) if line.beneficiary_code == "BN1000010"}
    pay.pay_all(july, not_collected=not_collected)
    august = pay.start(month="2024-08")
    arrears = {line.beneficiary_code: line for line in pay.lines(august) if line.entitlement == "arrears"}
    assert len(arrears) == 10
    # July's cash went back to the treasury: the whole of July is owed, at July's level (1.0 × 500,000 đ).
    assert (arrears["BN1000010"].amount, arrears["BN1000010"].basis) == (500_000, "1,0 × 500.000 đ")
    assert arrears["BN1000005"].basis == "1,0 × 500.000 đ − 360.000 đ đã chi"
    assert arrears["BN1000005"].amount == 140_000


def test_everyone_entitled_is_listed_and_nobody_is_skipped_silently(pay):
    pay.add(7)
    with pay.ctx().db.transaction() as conn:
        conn.execute(update(Beneficiary).where(Beneficiary.code == "BN1000001").values(status="deceased"))
        conn.execute(update(Beneficiary).where(Beneficiary.code == "BN1000002").values(status="registered"))
        conn.execute(update(Beneficiary).where(Beneficiary.code == "BN1000003").values(category_code="bogus"))
        conn.execute(update(Beneficiary).where(Beneficiary.code == "BN1000007").values(status="rejected"))
    cycle = pay.cycle(pay.start())
    lines = {line.beneficiary_code: line for line in pay.lines(cycle.id)}
    # Being onboarded (registered, no working account yet): paid in cash meanwhile.
    assert set(lines) == {"BN1000002", "BN1000004", "BN1000005", "BN1000006"}
    assert lines["BN1000002"].method == "cash_pay_point" and lines["BN1000002"].account_number is None
    note = cycle.generation
    assert note["unknown_category"] == ["BN1000003"] and note["unknown_category_count"] == 1
    assert note["left_off"]["exited"]["codes"] == ["BN1000001"]
    assert note["left_off"]["not_entitled"]["codes"] == ["BN1000007"]
    assert note["left_off_count"] == 3


def test_a_beneficiary_who_moved_is_listed_once_a_month(pay):
    pay.add(3, communes=[DAK_GLEI_TOWN])
    glei = pay.cycle(pay.start(area=DAK_GLEI))
    with pay.ctx().db.transaction() as conn:
        conn.execute(update(Beneficiary).where(Beneficiary.code == "BN1000001").values(area_code=DAK_CAM))
    city = pay.cycle(pay.start(area=CITY))
    assert glei.line_count == 3
    assert city.line_count == 0 and city.generation["listed_elsewhere"] == 1


def test_starting_a_cycle_twice_starts_it_once(pay):
    pay.add(3)
    first = payouts.start_cycle(pay.ctx(), CITY, "2024-08")
    again = payouts.start_cycle(pay.ctx(), CITY, date(2024, 8, 20))
    assert first.created and not again.created
    assert (again.cycle_id, again.instance_id, again.business_key) == (
        first.cycle_id,
        first.instance_id,
        "PAY-2024:608-2024-08",
    )


def test_the_list_can_be_drawn_up_again_until_approved_then_it_is_frozen(pay):
    pay.add(3)
    cycle_id = pay.start()
    pay.add(2, start=4)
    pay.do(cycle_id, "approve_list", {"decision": "regenerate", "note": "Bổ sung 2 người mới duyệt"})
    assert pay.waiting(cycle_id) == ["approve_list"] and pay.cycle(cycle_id).line_count == 5
    pay.do(cycle_id, "approve_list", {"decision": "approve"})
    cycle = pay.cycle(cycle_id)
    assert cycle.status == "approved" and len(cycle.list_hash) == 64 and cycle.frozen_at is not None
    assert payouts.verify_list(pay.ctx(), cycle_id)
    with pay.ctx().db.transaction() as conn:
        conn.execute(
            text("UPDATE payout_lines SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM payout_lines)")
        )
    assert not payouts.verify_list(pay.ctx(), cycle_id)


def test_regenerating_needs_a_reason(pay):
    pay.add(1)
    cycle_id = pay.start()
    try:
        pay.do(cycle_id, "approve_list", {"decision": "regenerate"})
    except payouts.service.FormInvalid as exc:
        assert exc.errors == {"note": ["Vui lòng nhập lý do lập lại danh sách."]}
    else:
        raise AssertionError("a regeneration without a reason was accepted")


def test_the_scheduler_starts_each_months_cycles_once(pay):
    from workflows.scheduler import monthly_job

    pay.add(4)
    pay.add(2, communes=[DAK_GLEI_TOWN], start=5)
    job = monthly_job(payouts.start_monthly_cycles)
    pay.at(2024, 8, 1, hour=0)  # 07:00 in Vietnam: after the rule's 06:00
    assert job.run(pay.ctx()) == "started the cycles of 08/2024"
    assert job.run(pay.ctx()) is None
    keys = [c["business_key"] for c in payouts.list_cycles(pay.ctx())]
    assert sorted(keys) == ["PAY-2024:608-2024-08", "PAY-2024:610-2024-08"]
    assert [c.created for c in payouts.start_monthly_cycles(pay.ctx(), "2024-08")] == [False, False]


def test_lists_drawn_together_over_a_district_and_one_of_its_communes_list_everyone_once(pay):
    # Lists whose areas overlap are written one after the other, each seeing the last: the commune's
    # list finds everyone on the district's, the people owed arrears (drawn in Python) too.
    pay.add(10)  # five in each commune
    for code in ("BN1000001", "BN1000002"):  # one in each commune, owed June to August
        enrol(pay, code, "social_assistance", "disabled_severe", date(2024, 6, 1))
    wanted = [("social_assistance", CITY), ("social_assistance", QUANG_TRUNG)]
    ids = [s.cycle_id for s in start_many(pay.ctx(), wanted, "2024-08")]
    with pay.ctx().db.transaction() as conn:  # drawn again, together
        summaries = generation.generate_many(conn, ids, pay.clock())
    lines = [(line.beneficiary_code, line.month) for cycle_id in ids for line in pay.lines(cycle_id)]
    assert len(lines) == len(set(lines)) == 14
    assert [summaries[i]["lines"] for i in ids] == [pay.cycle(i).line_count for i in ids] == [14, 0]
    assert summaries[ids[1]]["listed_elsewhere"] == 5
