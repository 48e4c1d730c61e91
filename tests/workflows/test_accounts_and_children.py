"""Accounts beyond banks (Mobile Money, e-wallets; banks picked by name) and the children a single parent
raises, through the case's real forms and engine, each change in the history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import engine
from tests.workflows.conftest import REGISTRATION
from tests.workflows.test_case_paths import AGREES, APPROVE, CARD, MATCHED, to_police
from workflows.beneficiaries.models import Enrolment
from workflows.forms import FormInvalid

SINGLE_PARENT = {**REGISTRATION, "category_code": "single_parent_poor", "children_count": "3"}


def _enrolment(case) -> Enrolment:
    with case.province.fresh().db.read() as session:
        row = session.scalars(select(Enrolment).where(Enrolment.beneficiary_code == case.code)).one()
        session.expunge(row)
        return row


def test_registration_with_mobile_money_and_an_e_wallet_opened_by_name(province):
    case = province.case()
    case.do("outreach", AGREES)
    with pytest.raises(FormInvalid) as refused:  # Mobile Money is the subscriber's phone
        case.do("register", {**REGISTRATION, "bank_code": "Viettel Money", "account_number": "5100123456"})
    assert "Mobile Money" in refused.value.errors["account_number"][0]
    case = province.case("BN-0002")
    to_police(case, {**REGISTRATION, "bank_code": "Viettel Money", "account_number": "+84 912 345 678"})
    case.do("police_check", MATCHED)
    with pytest.raises(FormInvalid) as refused:  # neither a phone nor a wallet number
        case.do("open_account", {"account_outcome": "verified", "bank_code": "MoMo", "account_number": "12"})
    assert "từ 6 đến 19 chữ số" in refused.value.errors["account_number"][0]
    case.do(
        "open_account", {"account_outcome": "verified", "bank_code": "momo", "account_number": "0987654321"}
    )
    case.do("issue_card", CARD)
    record = case.record()
    assert (record.status, record.bank_code, record.account_number) == (
        "active_cashless",
        "MOMO",
        "0987654321",
    )


def test_a_bank_is_picked_by_its_name_and_an_unknown_one_is_refused_on_its_field(province):
    case = province.case()
    case.do("outreach", AGREES)
    with pytest.raises(FormInvalid) as refused:
        case.do("register", {**REGISTRATION, "bank_code": "Ngân hàng Mặt Trăng"})
    assert (
        set(refused.value.errors) == {"bank_code"}
        and "«Ngân hàng Mặt Trăng»" in refused.value.errors["bank_code"][0]
    )
    case.do("register", {**REGISTRATION, "bank_code": "Ngân hàng TMCP Ngoại thương Việt Nam"})
    data = engine.get_instance(province.fresh(), case.instance_id).data
    assert (data["bank_code"], data["account_number"]) == ("VCB", "0123456789")


def test_a_single_parent_is_registered_with_her_children_in_the_history(province):
    case = province.case()
    case.do("outreach", AGREES)
    for children, message in (
        ("", "Vui lòng nhập số con đang nuôi."),
        ("0", "từ 1 đến 20"),
        ("2,5", "từ 1 đến 20"),
    ):
        with pytest.raises(FormInvalid) as refused:
            case.do("register", {**SINGLE_PARENT, "children_count": children})
        assert message in refused.value.errors["children_count"][0], children
    with pytest.raises(FormInvalid) as refused:  # an old person has no children to be paid for
        case.do("register", {**REGISTRATION, "children_count": "2"})
    assert "đơn thân" in refused.value.errors["children_count"][0]
    case.do("register", SINGLE_PARENT)
    assert (_enrolment(case).category_code, _enrolment(case).children_count) == ("single_parent_poor", 3)
    case.do("review", APPROVE)
    changes = [
        h.data["changes"]
        for h in engine.instance_history(province.fresh(), case.instance_id)
        if h.kind == "enrolment_changed"
    ]
    assert len(changes) == 1 and changes[0]["children_count"] == [None, 3]
    assert changes[0]["category_code"] == [None, "single_parent_poor"]
