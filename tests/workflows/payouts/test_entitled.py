"""Everyone entitled is paid every month, once: people being onboarded paid in cash, months missed
paid later at each month's rate, single parents per child, merit in its own cycle, exits through the
month of the event; ``ansinh payouts show --json`` gives one line per person and programme."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from web.cli import main
from workflows import payouts
from workflows.beneficiaries import enrolments
from workflows.beneficiaries.models import Beneficiary, Enrolment
from workflows.payouts.common import PAID_STATUSES
from workflows.payouts.models import PayoutLine
from workflows.payouts.payees import payees

E, B, L = Enrolment.__table__, Beneficiary.__table__, PayoutLine.__table__


def enrol(pay, code: str, programme: str, category: str, entitled_from: date, **more) -> None:
    with pay.ctx().db.transaction() as conn:
        values = {"beneficiary_code": code, "programme": programme, "category_code": category}
        at = datetime(2024, 5, 1, tzinfo=UTC)
        conn.execute(
            insert(E).values(
                entitled_from=entitled_from, source="roll: test", created_at=at, **values, **more
            )
        )


def set_record(pay, code: str, **values) -> None:
    with pay.ctx().db.transaction() as conn:
        conn.execute(update(B).where(B.c.code == code).values(**values))


def run_month(pay, month: str, not_collected_codes=()) -> int:
    year, number = map(int, month.split("-"))
    pay.at(year, number, 1)
    cycle_id = pay.start(month=month)
    pay.approve_and_fund(cycle_id)
    skip = {line.id for line in pay.lines(cycle_id) if line.beneficiary_code in not_collected_codes}
    pay.pay_all(cycle_id, not_collected=skip)
    pay.close(cycle_id)
    return cycle_id


def paid_by_month(pay) -> dict[tuple[str, date], int]:
    paid: dict[tuple[str, date], int] = defaultdict(int)
    with pay.ctx().db.read() as session:
        rows = session.execute(
            select(L.c.beneficiary_code, L.c.month, L.c.amount).where(L.c.status.in_(PAID_STATUSES))
        )
        for code, month, amount in rows:
            paid[code, month] += amount
    return paid


def test_onboarding_while_three_cycles_run_misses_no_month_and_pays_none_twice(pay):
    pay.add(6)  # BN1000001…6, active with accounts (n = 10 would be cash)
    # Three are still being moved to an account: at outreach, registered, at account opening.
    for code, status in (("BN1000002", "outreach"), ("BN1000003", "registered"), ("BN1000004", "registered")):
        set_record(pay, code, status=status, payment_method=None, bank_code=None, account_number=None)
    for n in range(1, 7):
        enrol(pay, f"BN100000{n}", "social_assistance", "disabled_severe", date(2024, 8, 1))
    june = run_month(pay, "2024-08", not_collected_codes={"BN1000003"})
    methods = {line.beneficiary_code: line.method for line in pay.lines(june)}
    assert len(methods) == 6 and methods["BN1000002"] == methods["BN1000003"] == "cash_pay_point"
    # Onboarding goes on: one account starts working, another falls back to cash at home.
    set_record(pay, "BN1000003", status="active_cashless", account_number="5100000003", bank_code="VBA")
    set_record(pay, "BN1000004", status="cash", payment_method="cash_home", mobility="bedridden")
    july = run_month(pay, "2024-09")
    lines = {(line.beneficiary_code, line.month): line for line in pay.lines(july)}
    assert lines["BN1000003", date(2024, 9, 1)].method == "account"
    assert lines["BN1000003", date(2024, 8, 1)].entitlement == "arrears"  # not collected in August
    assert lines["BN1000004", date(2024, 9, 1)].method == "cash_home"
    set_record(pay, "BN1000002", status="active_cashless", account_number="5100000002", bank_code="VBA")
    run_month(pay, "2024-10")
    paid = paid_by_month(pay)
    # Severe disability: 1.5 × 500,000 đ from 16 to 59; 2.0 for a child (n = 3, born 2015) or from 60.
    due = {1: 750_000, 2: 750_000, 3: 1_000_000, 4: 1_000_000, 5: 1_000_000, 6: 750_000}
    for n in range(1, 7):
        for month in (date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1)):
            assert paid[f"BN100000{n}", month] == due[n], (n, month)  # every month, exactly once


def test_arrears_from_the_roll_cross_the_july_2024_rise_at_each_months_rate(pay):
    pay.add(1)  # BN1000001: disabled_severe (1.5), born 1980
    may = date(2024, 5, 1)
    enrol(pay, "BN1000001", "social_assistance", "disabled_severe", may, paid_through=may)
    pay.at(2024, 8, 1)
    cycle = pay.cycle(pay.start(month="2024-08"))
    by_month = {line.month: line.amount for line in pay.lines(cycle.id)}
    assert by_month == {date(2024, 6, 1): 540_000, date(2024, 7, 1): 750_000, date(2024, 8, 1): 750_000}
    (payee,) = payees(pay.ctx(), cycle.id)
    assert payee.months == ["2024-06", "2024-07", "2024-08"] and payee.amount == 2_040_000
    assert payee.basis == "1,5 × 500.000 đ; truy lĩnh 06–07/2024 (1,5 × 360.000 đ; 1,5 × 500.000 đ)"


def test_a_single_parent_of_three_is_paid_per_child(pay):
    pay.add(1)
    set_record(pay, "BN1000001", category_code="single_parent_poor")
    enrol(pay, "BN1000001", "social_assistance", "single_parent_poor", date(2024, 8, 1), children_count=3)
    (line,) = pay.lines(pay.start(month="2024-08"))
    assert (line.amount, line.basis) == (1_500_000, "1,0 × 500.000 đ × 3 con")


def test_a_single_parents_arrears_are_paid_by_the_children_in_force_in_each_month(pay):
    """A single parent of two from August 2024; a third child recorded from September; first listed in
    October: the arrears span the change, August for two children, September on for three."""
    pay.add(1)
    set_record(pay, "BN1000001", category_code="single_parent_poor")
    with pay.ctx().db.transaction() as conn:
        session = Session(bind=conn)
        at = datetime(2024, 8, 5, 3, 0, tzinfo=UTC)
        enrolments.enrol(
            session, "BN1000001", "social_assistance", "single_parent_poor", at,
            entitled_from=date(2024, 8, 1), children_count=2, source="registration",
        )  # fmt: skip
        later = datetime(2024, 10, 2, 3, 0, tzinfo=UTC)  # recorded in October, in force from September
        enrolments.record_children(
            session, "BN1000001", "social_assistance", 3, date(2024, 9, 1), later, source="birth certificate"
        )
        session.flush()
    pay.at(2024, 10, 3)
    lines = {line.month: line for line in pay.lines(pay.start(month="2024-10"))}
    amounts = {month: (line.amount, line.entitlement) for month, line in lines.items()}
    assert amounts == {
        date(2024, 8, 1): (1_000_000, "arrears"),
        date(2024, 9, 1): (1_500_000, "arrears"),
        date(2024, 10, 1): (1_500_000, "monthly"),
    }
    assert lines[date(2024, 8, 1)].basis == "1,0 × 500.000 đ × 2 con"
    assert lines[date(2024, 9, 1)].basis == "1,0 × 500.000 đ × 3 con"


def test_a_count_of_children_dated_later_keeps_the_months_before_of_a_roll_enrolment(pay):
    """An enrolment written in bulk by a roll has one undated count; a change dated later keeps it for
    the months before (they are dated first), and the enrolment's count is the latest."""
    pay.add(1)
    set_record(pay, "BN1000001", category_code="single_parent_poor")
    enrol(pay, "BN1000001", "social_assistance", "single_parent_poor", date(2024, 7, 1), children_count=2)
    with pay.ctx().db.transaction() as conn:
        session = Session(bind=conn)
        at = datetime(2024, 8, 20, tzinfo=UTC)
        row = enrolments.record_children(
            session, "BN1000001", "social_assistance", 4, date(2024, 8, 1), at, source="decision 12/QĐ"
        )
        assert row.children_count == 4
        session.flush()
        dated = enrolments.children_schedules(conn, [row.id])[row.id]
    assert sorted(dated) == [(date(2024, 7, 1), 2), (date(2024, 8, 1), 4)]
    by_month = {line.month: line.amount for line in pay.lines(pay.start(month="2024-08"))}
    assert by_month == {date(2024, 7, 1): 1_000_000, date(2024, 8, 1): 2_000_000}  # 2 then 4 × 500,000 đ


def test_merit_has_its_own_cycle_and_a_person_can_be_in_both(pay):
    pay.add(2)
    enrol(pay, "BN1000001", "merit", "merit_martyr_family_1", date(2024, 8, 1))
    pay.at(2024, 8, 1)
    started = payouts.start_cycles(pay.ctx(), "2024:62", "2024-08")
    keys = sorted(s.business_key for s in started)
    assert keys == ["PAY-2024:608-2024-08", "PAY-2024:608-2024-08-NCC"]
    merit = pay.cycle(next(s.cycle_id for s in started if s.business_key.endswith("NCC")))
    (line,) = pay.lines(merit.id)
    assert (line.beneficiary_code, line.programme, line.amount) == ("BN1000001", "merit", 2_789_000)
    social = pay.cycle(next(s.cycle_id for s in started if not s.business_key.endswith("NCC")))
    assert {line.beneficiary_code for line in pay.lines(social.id)} == {"BN1000001", "BN1000002"}


def test_a_roll_of_war_invalids_is_paid_by_the_annexes_injury_rates_with_arrears_over_july_2024(pay):
    """A roll names the war invalid's rate (Decree 77/2024 Annex II; Annex III for class B) and the months
    paid; the merit list pays the months since at each month's annex figure, the allowance from 81 %."""
    from tests.workflows.test_roster import roll
    from workflows.roster import import_roll

    rows = [
        ["Đinh Văn Thương", "01/01/1950", "Nam", "062050000123", "23311", "Thôn 1", "merit_war_invalid_85",
         "", "01/2020", "05/2024", "Tài khoản", "VCB", "01234560001", ""],
        ["A Văn Bình", "02/03/1952", "Nam", "062052000124", "23311", "Thôn 2", "merit_war_invalid_b_45",
         "", "01/2020", "06/2024", "Tiền mặt", "", "", ""],
    ]  # fmt: skip
    pay.at(2024, 8, 1)
    assert import_roll(pay.ctx(), "ncc.csv", roll(*rows)).created == 2
    started = payouts.start_cycles(pay.ctx(), "2024:62", "2024-08")
    merit = next(s.cycle_id for s in started if s.business_key.endswith("NCC"))
    paid = {(line.full_name, line.month): line.amount for line in pay.lines(merit)}
    assert paid == {
        ("Đinh Văn Thương", date(2024, 6, 1)): 5_601_000 + 1_031_000,  # Decree 55/2023 Annex II, 85 %
        ("Đinh Văn Thương", date(2024, 7, 1)): 7_601_000 + 1_399_000,  # Decree 77/2024 Annex II + Annex I 6.1
        ("Đinh Văn Thương", date(2024, 8, 1)): 9_000_000,
        ("A Văn Bình", date(2024, 7, 1)): 3_304_000,  # Decree 77/2024 Annex III, 45 %
        ("A Văn Bình", date(2024, 8, 1)): 3_304_000,
    }


def test_an_exit_pays_through_the_month_of_the_event(pay):
    pay.add(2)
    july = date(2024, 7, 1)
    enrol(pay, "BN1000001", "social_assistance", "disabled_severe", july, ends_after=july)
    set_record(pay, "BN1000001", status="deceased", closed_reason="death")
    pay.at(2024, 8, 1)
    cycle = pay.cycle(pay.start(month="2024-08"))
    owed = {(line.beneficiary_code, line.month) for line in pay.lines(cycle.id)}
    assert ("BN1000001", date(2024, 7, 1)) in owed and ("BN1000001", date(2024, 8, 1)) not in owed


def test_payouts_show_json_gives_one_line_per_person_and_programme(pay, capsys, monkeypatch):
    pay.add(2)
    enrol(pay, "BN1000002", "social_assistance", "disabled_particularly_severe", date(2024, 7, 1))
    cycle_id = pay.start(month="2024-08")
    monkeypatch.setenv("DATABASE_URL", pay.province.database_url)
    assert main(["payouts", "show", str(cycle_id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    lines = {line["full_name"]: line for line in shown["lines"]}
    second = lines["Người Hưởng 2"]
    assert (second["programme"], second["amount"], second["method"]) == (
        "social_assistance",
        2_000_000,
        "account",
    )
    assert second["months"] == ["2024-07", "2024-08"]
    assert second["basis"] == "2,0 × 500.000 đ; truy lĩnh 07/2024 (2,0 × 500.000 đ)"
    assert len(second["cccd"]) == 12


def test_ansinh_enrolments_children_records_a_count_from_a_month(pay, capsys, monkeypatch):
    pay.add(2)
    set_record(pay, "BN1000001", category_code="single_parent_poor")
    enrol(pay, "BN1000001", "social_assistance", "single_parent_poor", date(2024, 7, 1), children_count=1)
    monkeypatch.setenv("DATABASE_URL", pay.province.database_url)
    argv = ["enrolments", "children", "BN1000001", "2", "--from", "2024-08", "--source", "giấy khai sinh 12"]
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["latest_count"] == 2
    by_month = {line.month: line.amount for line in pay.lines(pay.start(month="2024-08"))}
    assert by_month == {date(2024, 7, 1): 500_000, date(2024, 8, 1): 1_000_000}
    assert main(["enrolments", "children", "BN1000002", "2", "--from", "2024-08", "--source", "x"]) == 1
    assert "no social_assistance enrolment" in capsys.readouterr().err
    enrol(pay, "BN1000002", "social_assistance", "disabled_severe", date(2024, 7, 1))
    assert main(["enrolments", "children", "BN1000002", "2", "--from", "2024-08", "--source", "x"]) == 1
    assert "not paid per child" in capsys.readouterr().err
    assert main(["enrolments", "children", "BN1000001", "2", "--from", "08/2024", "--source", "x"]) == 2
