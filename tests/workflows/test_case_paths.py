"""The beneficiary's case driven down every path of bpmn/beneficiary_case.bpmn through the product's
API (forms validated, then the engine), with a fresh context — nothing kept in memory — for each step.
Each test asserts where the case ends or waits, who got each step (role, agency, area) and what the
record and the history say."""

from __future__ import annotations

import pytest

from tests.workflows.conftest import CITY_2024, COMMUNE_2024, REGISTRATION
from workflows.forms import FormInvalid

COMMUNE_AGENCY = f"{COMMUNE_2024}/ubnd"
LABOUR = f"{CITY_2024}/ldtbxh"
POLICE = f"{CITY_2024}/ca"
PROVIDER = f"{CITY_2024}/bd"

AGREES = {"contact_date": "2024-03-01", "channel": "home_visit", "outcome": "agrees"}
APPROVE = {"decision": "approve"}
MATCHED = {"result": "matched"}
VERIFIED = {"account_outcome": "verified", "bank_code": "VCB", "account_number": "0123456789"}
CARD = {"card_issued_on": "2024-03-20", "guidance_given": True}


def to_police(case, registration=REGISTRATION):
    case.do("outreach", AGREES)
    case.do("register", registration)
    case.do("review", APPROVE)


def to_active(case):
    to_police(case)
    case.do("police_check", MATCHED)
    case.do("open_account", VERIFIED)
    case.do("issue_card", CARD)


def test_agrees_with_an_existing_account_and_becomes_active_cashless(province):
    case = province.case()
    assert case.waiting() == "outreach"
    to_active(case)
    assert case.waiting() is None and case.status() == "running"  # waits for a failed payout, if ever
    assert case.routed == [
        ("outreach", "commune", COMMUNE_AGENCY, COMMUNE_2024),
        ("register", "commune", COMMUNE_AGENCY, COMMUNE_2024),
        ("review", "district_labour", LABOUR, COMMUNE_2024),
        ("police_check", "police", POLICE, COMMUNE_2024),
        ("open_account", "provider", PROVIDER, COMMUNE_2024),
        ("issue_card", "provider", PROVIDER, COMMUNE_2024),
    ]
    record = case.record()
    assert (record.full_name, record.phone, record.account_number) == (
        "Y Thị Hoa",
        "0912345678",
        "0123456789",
    )
    assert (record.status, record.payment_method, record.bank_code) == ("active_cashless", "account", "VCB")
    history = case.history()
    assert [b for k, b in history if k == "task_completed"] == [
        "outreach", "register", "review", "police_check", "open_account", "issue_card"
    ]  # fmt: skip
    assert ("record_changed", None) in history


def test_a_new_account_opened_by_the_provider(province):
    case = province.case()
    to_police(case, {**REGISTRATION, "method": "new_account", "bank_code": "", "account_number": ""})
    case.do("police_check", MATCHED)
    case.do(
        "open_account", {"account_outcome": "opened", "bank_code": "970405", "account_number": "5100123456"}
    )
    case.do("issue_card", CARD)
    record = case.record()
    assert (record.status, record.bank_code, record.account_number) == (
        "active_cashless",
        "VBA",
        "5100123456",
    )


def test_account_opening_fails_and_the_case_falls_back_to_cash(province):
    case = province.case()
    to_police(case)
    case.do("police_check", MATCHED)
    case.do("open_account", {"account_outcome": "failed", "failure_reason": "Không đủ giấy tờ"})
    assert case.waiting() is None
    assert (case.record().status, case.record().payment_method) == ("cash", "cash_pay_point")


def test_prefers_cash_is_paid_at_the_pay_point(province):
    case = province.case()
    case.do(
        "outreach",
        {**AGREES, "outcome": "prefers_cash", "mobility": "mobile", "cash_preference": "pay_point"},
    )
    assert case.waiting() is None
    assert (case.record().status, case.record().payment_method) == ("cash", "cash_pay_point")
    assert [b for k, b in case.history() if k == "task_created"] == ["outreach"]


def test_cannot_register_and_bedridden_without_representative_is_paid_at_home(province):
    case = province.case()
    case.do("outreach", {**AGREES, "outcome": "cannot_register", "mobility": "bedridden"})
    assert case.record().payment_method == "cash_home"


def test_not_reachable_three_times_thirty_days_apart_then_cash(province):
    case = province.case()
    not_reachable = {**AGREES, "channel": "phone", "outcome": "not_reachable"}
    case.do("outreach", not_reachable)
    assert case.waiting() is None
    assert case.fire_timers_after(days=29) == 0
    assert case.fire_timers_after(days=1, seconds=1) == 1
    case.do("outreach", not_reachable)
    assert case.fire_timers_after(days=30, seconds=1) == 1
    case.do("outreach", not_reachable)  # the third try: no more waiting
    assert case.waiting() is None
    assert case.record().status == "cash"
    assert [k for k, _ in case.history()].count("timer_fired") == 2


def test_not_reachable_once_then_agrees(province):
    case = province.case()
    case.do("outreach", {**AGREES, "outcome": "not_reachable"})
    case.fire_timers_after(days=31)
    case.do("outreach", AGREES)
    assert case.waiting() == "register"


def test_review_asks_for_supplements_then_approves(province):
    case = province.case()
    case.do("outreach", AGREES)
    case.do("register", REGISTRATION)
    case.do("review", {"decision": "supplement", "note": "Thiếu giấy xác nhận khuyết tật"})
    assert case.waiting() == "register"
    case.do("register", {**REGISTRATION, "village": "Thôn 2"})
    case.do("review", APPROVE)
    assert case.waiting() == "police_check"
    assert case.record().village == "Thôn 2"


def test_review_rejects_and_the_case_closes(province):
    case = province.case()
    case.do("outreach", AGREES)
    case.do("register", REGISTRATION)
    with pytest.raises(FormInvalid) as refused:  # closing is confirmed, having seen which case closes
        case.do("review", {"decision": "reject", "note": "Không thuộc diện bảo trợ"})
    assert "BN-0001 · Y Thị Hoa sẽ được đóng" in refused.value.errors["confirm_closure"][0]
    assert case.waiting() == "review"
    case.do("review", {"decision": "reject", "note": "Không thuộc diện bảo trợ", "confirm_closure": True})
    assert (case.status(), case.ended_at()) == ("completed", "rejected")
    assert (case.record().status, case.record().closed_reason) == ("rejected", "rejected")


def test_police_correct_the_record_and_it_goes_back_to_review(province):
    case = province.case()
    to_police(case)
    case.do(
        "police_check",
        {"result": "corrected", "corrected_full_name": "Y Thị Hoà", "corrected_date_of_birth": "1950-06-01"},
    )
    assert case.waiting() == "review"
    record = case.record()
    assert (record.full_name, record.date_of_birth.isoformat()) == ("Y Thị Hoà", "1950-06-01")
    changes = [h for h in case.history() if h[0] == "record_changed"]
    assert changes, "the correction is in the history"
    case.do("review", APPROVE)
    case.do("police_check", MATCHED)
    assert case.waiting() == "open_account"


def test_deceased_closes_the_case_and_nothing_is_ever_paid(province):
    case = province.case()
    to_police(case)
    case.do("police_check", {"result": "deceased", "date_of_death": "2024-02-10", "confirm_closure": True})
    assert (case.status(), case.ended_at()) == ("completed", "deceased")
    assert case.record().status == "deceased"


def test_not_found_goes_back_to_the_commune(province):
    case = province.case()
    to_police(case)
    case.do("police_check", {"result": "not_found", "note": "Sai số CCCD"})
    assert case.waiting() == "register"
    assert case.routed[-1][1] == "police"


def test_duplicate_closes_as_a_duplicate(province):
    case = province.case()
    to_police(case)
    for unknown, why in (("KT-99999", "Không có hồ sơ mã «KT-99999»"), ("BN-0001", "chính nó")):
        with pytest.raises(FormInvalid) as refused:
            case.do("police_check", {"result": "duplicate", "duplicate_of": unknown, "confirm_closure": True})
        assert why in refused.value.errors["duplicate_of"][0]
    province.case("BN-0002", cccd=None)
    with pytest.raises(FormInvalid) as refused:  # a real case: named, and the closing waits for a yes
        case.do("police_check", {"result": "duplicate", "duplicate_of": "BN-0002"})
    assert "trùng với hồ sơ BN-0002 · Y Thị Hoa" in refused.value.errors["confirm_closure"][0]
    assert case.waiting() == "police_check"
    case.do("police_check", {"result": "duplicate", "duplicate_of": "BN-0002", "confirm_closure": True})
    assert (case.ended_at(), case.record().status, case.record().duplicate_of) == (
        "duplicate",
        "duplicate",
        "BN-0002",
    )


def test_a_beneficiary_without_cccd_waits_for_one_to_be_issued(province):
    case = province.case()
    case.do("outreach", AGREES)
    case.do("register", {**REGISTRATION, "has_cccd": False, "cccd": ""})
    case.do("review", APPROVE)
    assert case.waiting() == "issue_cccd"
    assert case.routed[-1][1:] == ("district_labour", LABOUR, COMMUNE_2024)
    with pytest.raises(FormInvalid) as wrong:
        case.do("issue_cccd", {"cccd": "062050123456", "issued_on": "2024-04-01"})  # male digit
    assert "cccd" in wrong.value.errors
    case.do("issue_cccd", {"cccd": "062150123456", "issued_on": "2024-04-01"})
    assert case.waiting() == "police_check"
    assert case.record().cccd == "062150123456"


def test_a_failed_payout_opens_account_repair_fixed_then_cash(province):
    case = province.case()
    to_active(case)
    assert case.message("payout_failed", {"month": "2024-04", "reason": "Tài khoản bị khóa"}).delivered_to
    assert case.waiting() == "repair_account"
    case.do("repair_account", {"repair_outcome": "fixed", "bank_code": "ICB", "account_number": "1012345678"})
    assert case.waiting() is None and case.record().bank_code == "ICB"
    case.message("payout_failed", {"month": "2024-05"})
    case.do("repair_account", {"repair_outcome": "cash", "note": "Người hưởng muốn nhận tiền mặt"})
    assert (case.record().status, case.record().payment_method) == ("cash", "cash_pay_point")
    assert [r[1] for r in case.routed[-2:]] == ["provider", "provider"]


def test_people_on_cash_are_offered_cashless_again_every_90_days(province):
    case = province.case()
    case.do(
        "outreach",
        {**AGREES, "outcome": "prefers_cash", "mobility": "mobile", "cash_preference": "pay_point"},
    )
    assert case.fire_timers_after(days=89) == 0
    assert case.fire_timers_after(days=1, seconds=1) == 1
    case.do("offer_cashless", {"contact_date": "2024-06-01", "accepts_cashless": False})
    assert case.waiting() is None
    assert case.fire_timers_after(days=90, seconds=1) == 1
    case.do("offer_cashless", {"contact_date": "2024-06-01", "accepts_cashless": True})
    assert case.waiting() == "register"


@pytest.mark.parametrize("where", ["review", "active", "cash"])
def test_beneficiary_exit_ends_the_case_from_any_state(province, where):
    case = province.case()
    if where == "review":
        case.do("outreach", AGREES)
        case.do("register", REGISTRATION)
    elif where == "active":
        to_active(case)
    else:
        case.do("outreach", {**AGREES, "outcome": "cannot_register", "mobility": "limited"})
    delivery = case.message("beneficiary_exit", {"reason": "moved_away"}, message_id=f"exit-{where}")
    assert delivery.delivered_to == [case.instance_id]
    assert (case.status(), case.ended_at()) == ("completed", "exited")
    assert case.open_tasks() == []
    assert (case.record().status, case.record().closed_reason) == ("exited", "moved_away")
    assert not case.message("beneficiary_exit", {"reason": "moved_away"}, message_id="again").delivered_to


def test_a_cccd_on_another_open_case_is_refused_at_registration_and_flagged_for_the_police(province):
    first = province.case("BN-0001")
    to_police(first)
    second = province.case("BN-0002")
    second.do("outreach", AGREES)
    with pytest.raises(FormInvalid) as refused:
        second.do("register", REGISTRATION)
    assert "BN-0001" in refused.value.errors["cccd"][0]
    assert second.waiting() == "register"  # nothing lost: the task is still open


def test_registration_errors_are_per_field_in_vietnamese(province):
    case = province.case()
    case.do("outreach", AGREES)
    bad = {**REGISTRATION, "cccd": "06215012345", "phone": "0212345678", "consent": False}
    bad["account_number"] = ""
    with pytest.raises(FormInvalid) as invalid:
        case.do("register", bad)
    errors = invalid.value.errors
    assert set(errors) >= {"cccd", "phone", "consent", "account_number"}
    assert "12 chữ số" in errors["cccd"][0]
    assert all(message.isascii() is False for messages in errors.values() for message in messages)


def test_the_same_bpmn_runs_on_the_two_tier_structure_of_2025(province_2025):
    from workflows.org import area_code

    commune = area_code("2025", "23284")  # Phường Đăk Cấm (Kon Tum until 2025), now in Quảng Ngãi
    case = province_2025.case(area=commune)
    case.do("outreach", AGREES)
    case.do("register", REGISTRATION)
    case.do("review", APPROVE)
    case.do("police_check", MATCHED)
    case.do("open_account", VERIFIED)
    case.do("issue_card", CARD)
    assert case.record().status == "active_cashless"
    province_agencies = {role: agency for _, role, agency, _ in case.routed if role != "commune"}
    assert province_agencies == {
        "district_labour": "2025:51/so-yt",
        "police": "2025:51/ca",
        "provider": "2025:51/bd",
    }
    assert {agency for _, role, agency, _ in case.routed if role == "commune"} == {f"{commune}/ubnd"}


def test_a_cccd_that_reached_the_police_twice_is_flagged_for_them(province):
    import engine
    from workflows.beneficiaries.records import create_record

    case = province.case("BN-0001")
    to_police(case)
    with province.fresh().db.write() as session:  # an old list imported without checks
        create_record(
            session, "BN-LEGACY", COMMUNE_2024, "disabled_severe", "Y Thị Hoa", province.clock.now,
            cccd=REGISTRATION["cccd"],
        )  # fmt: skip
    case.do("police_check", {"result": "corrected", "corrected_full_name": "Y Thị Hòa"})
    case.do("review", APPROVE)
    data = engine.get_instance(province.fresh(), case.instance_id).data
    assert data["duplicate_check"] == {"duplicate_of": "BN-LEGACY"}
    assert case.waiting() == "police_check"
