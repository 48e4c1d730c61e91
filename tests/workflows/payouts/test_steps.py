"""A cycle step by step: who gets each step, the treasury's amount and the reconciliation enforced (by the
form and by the process itself), failed transfers paid in cash with the case told, a beneficiary who
exits during the cycle held, the report due before the 12th — in both administrative structures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import engine
from tests.workflows.test_case_paths import to_active
from workflows import payouts
from workflows.deadlines import VIETNAM
from workflows.forms import FormInvalid
from workflows.org.models import Area
from workflows.tasks import route, submit_task

from .conftest import CITY, reconcile_form

AGENCIES_2024 = {
    "approve_list": f"{CITY}/ldtbxh",
    "confirm_transfer": f"{CITY}/kbnn",
    "pay": f"{CITY}/bd",
    "pay_fallback_cash": f"{CITY}/bd",
    "reconcile": f"{CITY}/ldtbxh",
    "report_provider": f"{CITY}/bd",
    "report_district_pc": f"{CITY}/ubnd",
}


def routed(pay, cycle_id) -> dict[str, str]:
    ctx = pay.ctx()
    instance = pay.cycle(cycle_id).instance_id
    return {r.task.bpmn_id: r.agency_code for r in route(ctx, engine.get_instance(ctx, instance).open_tasks)}


def local_day(moment) -> date:
    return moment.astimezone(VIETNAM).date()


def test_a_whole_cycle_goes_to_the_right_agencies_and_closes_balanced(pay):
    pay.add(20)
    cycle_id = pay.start()
    seen = routed(pay, cycle_id)
    pay.do(cycle_id, "approve_list", {"decision": "approve"})
    seen |= routed(pay, cycle_id)
    total = pay.cycle(cycle_id).total_amount
    typed = f"{total:,}".replace(",", ".") + " ₫"  # as people type it: 7.500.000 ₫
    pay.do(
        cycle_id,
        "confirm_transfer",
        {"transfer_reference": "KB-1", "transfer_date": "2024-08-02", "transfer_amount": typed},
    )
    seen |= routed(pay, cycle_id)
    account = pay.lines(cycle_id, method="account")
    pay.import_account(cycle_id, fail={account[0].id, account[1].id})
    pay.pay_cash(cycle_id)
    pay.do(cycle_id, "pay", {"results_recorded": True})
    seen |= routed(pay, cycle_id)
    assert pay.waiting(cycle_id) == ["pay_fallback_cash"]
    pay.pay_cash(cycle_id, not_collected={account[1].id}, status="cash_pending")
    pay.do(cycle_id, "pay_fallback_cash", {"results_recorded": True})
    seen |= routed(pay, cycle_id)
    books = pay.cycle(cycle_id).books
    assert books.to_return == account[1].amount and books.fallback_lines == 2
    pay.do(cycle_id, "reconcile", reconcile_form(books.to_return))
    seen |= routed(pay, cycle_id)
    assert seen == AGENCIES_2024
    pay.close(cycle_id)
    cycle = pay.cycle(cycle_id)
    assert cycle.status == "closed" and pay.waiting(cycle_id) == []
    books = cycle.books
    assert books.paid + books.returned == books.transferred == total
    assert (books.returned_lines, books.unresolved_lines) == (1, 0)
    assert {line.status for line in pay.lines(cycle_id)} == {"paid", "cash_paid", "returned"}


def test_the_treasury_must_transfer_exactly_the_list_total(pay):
    pay.add(5)
    cycle_id = pay.start()
    pay.do(cycle_id, "approve_list", {"decision": "approve"})
    total = pay.cycle(cycle_id).total_amount
    form = {"transfer_reference": "KB-1", "transfer_date": "2024-08-02", "transfer_amount": total - 1}
    with pytest.raises(FormInvalid) as refused:
        pay.do(cycle_id, "confirm_transfer", form)
    assert refused.value.errors == {
        "transfer_amount": ["Số tiền chuyển (3.749.999 ₫) phải bằng tổng danh sách đã duyệt (3.750.000 ₫)."]
    }
    with pytest.raises(FormInvalid):  # the inbox's generic submit checks the books as well
        submit_task(pay.ctx(), payouts.open_step(pay.ctx(), cycle_id, "confirm_transfer").id, form)
    # Completed through the bare engine API, without the form's check: the process itself refuses it.
    task = payouts.open_step(pay.ctx(), cycle_id, "confirm_transfer")
    engine.complete_task(pay.ctx(), task.id, form)
    assert pay.waiting(cycle_id) == ["confirm_transfer"]
    assert pay.cycle(cycle_id).status == "approved" and pay.cycle(cycle_id).transfer_amount is None
    pay.do(cycle_id, "confirm_transfer", {**form, "transfer_amount": total})
    assert pay.waiting(cycle_id) == ["pay"] and pay.cycle(cycle_id).status == "funded"


def test_payments_cannot_be_closed_while_a_line_has_no_result(pay):
    pay.add(10)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    pay.import_account(cycle_id)  # the cash line (n = 10) is not recorded yet
    with pytest.raises(FormInvalid) as refused:
        pay.do(cycle_id, "pay", {"results_recorded": True})
    assert refused.value.errors == {"_schema": ["Còn 1 dòng chưa có kết quả chi trả (500.000 ₫)."]}
    task = payouts.open_step(pay.ctx(), cycle_id, "pay")
    engine.complete_task(pay.ctx(), task.id, {"results_recorded": True})
    assert pay.waiting(cycle_id) == ["pay"]  # the process loops back
    pay.pay_cash(cycle_id)
    pay.do(cycle_id, "pay", {"results_recorded": True})
    assert pay.waiting(cycle_id) == ["reconcile"]  # no failed transfer: straight to reconciliation


def test_reconciliation_must_balance_to_the_dong(pay):
    pay.add(10)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    cash_line = next(line for line in pay.lines(cycle_id) if line.method != "account")
    pay.import_account(cycle_id)
    pay.pay_cash(cycle_id, not_collected={cash_line.id})
    pay.do(cycle_id, "pay", {"results_recorded": True})
    with pytest.raises(FormInvalid) as refused:
        pay.do(cycle_id, "reconcile", reconcile_form(cash_line.amount - 1))
    assert refused.value.errors == {
        "returned_amount": ["Số tiền hoàn trả phải bằng số chưa chi trả: 500.000 ₫ (đã nhập 499.999 ₫)."]
    }
    task = payouts.open_step(pay.ctx(), cycle_id, "reconcile")
    engine.complete_task(pay.ctx(), task.id, reconcile_form(cash_line.amount - 1))
    assert pay.waiting(cycle_id) == ["reconcile"] and pay.cycle(cycle_id).status == "paid"
    pay.do(cycle_id, "reconcile", reconcile_form(cash_line.amount))
    cycle = pay.cycle(cycle_id)
    assert cycle.status == "reconciled" and cycle.return_reference == "HT-0820"
    assert cycle.books.paid + cycle.books.returned == cycle.books.transferred
    assert pay.waiting(cycle_id) == ["report_district_pc", "report_provider"]


def test_reports_are_due_before_the_twelfth_and_pay_within_working_days(pay):
    pay.add(3)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)  # funds received on Thursday 1 August 2024
    pay_task = payouts.open_step(pay.ctx(), cycle_id, "pay")
    assert pay_task.properties["due"] == "P5WD"
    assert local_day(pay_task.due_at) == date(2024, 8, 8)  # five working days later
    pay.pay_all(cycle_id)
    for bpmn_id in ("report_provider", "report_district_pc"):
        task = payouts.open_step(pay.ctx(), cycle_id, bpmn_id)
        assert task.properties["due"] == "before-day:12 month=month"
        assert local_day(task.due_at) == date(2024, 8, 9)  # Friday: 10 and 11 August are a weekend
    pay.close(cycle_id)
    cycle = pay.cycle(cycle_id)
    with pay.ctx().db.read() as session:
        row = session.execute(
            select(payouts.models.PayoutCycle).where(payouts.models.PayoutCycle.id == cycle_id)
        ).scalar_one()
        assert row.provider_reported_at is not None and row.district_reported_at is not None
    assert cycle.closed_at is not None


def test_a_failed_transfer_is_paid_in_cash_and_the_case_opens_an_account_repair(pay):
    case = pay.province.case()
    to_active(case)
    pay.add(4)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    (failed,) = [line for line in pay.lines(cycle_id) if line.beneficiary_code == case.code]
    pay.import_account(cycle_id, fail={failed.id})
    pay.pay_cash(cycle_id)
    done = pay.do(cycle_id, "pay", {"results_recorded": True})
    assert (done.notices.delivered, done.notices.unmatched) == (1, 0)
    assert case.waiting() == "repair_account"
    data = engine.get_instance(pay.ctx(), case.instance_id).data["payout_failure"]
    assert data == {"cycle": "PAY-2024:608-2024-08", "month": "2024-08", "lines": [failed.id],
                    "amount": failed.amount, "reason": "Tài khoản bị khoá"}  # fmt: skip
    again = payouts.deliver_notices(pay.ctx())
    assert (again.delivered, again.duplicates) == (0, 0)  # nothing left to send
    assert [k for k, _ in case.history()].count("message_delivered") == 1
    line = pay.lines(cycle_id, status="cash_pending")
    assert [(x.id, x.fallback_method) for x in line] == [(failed.id, "cash_pay_point")]
    # The failed line cannot now be paid by account, only in cash.
    with pytest.raises(payouts.ImportRefused, match="không nhận thêm kết quả chuyển khoản"):
        pay.import_account(cycle_id, name="ket-qua-bo-sung.csv", lines=line)
    pay.pay_cash(cycle_id, status="cash_pending")
    pay.do(cycle_id, "pay_fallback_cash", {"results_recorded": True})
    (paid,) = [x for x in pay.lines(cycle_id) if x.id == failed.id]
    assert paid.status == "cash_paid"
    case.do("repair_account", {"repair_outcome": "fixed", "bank_code": "VCB", "account_number": "0987654321"})
    assert case.record().account_number == "0987654321"


def test_a_beneficiary_who_exits_during_the_cycle_is_held_not_paid(pay):
    case = pay.province.case()
    to_active(case)
    pay.add(4)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    # Reported late: the death was in July, so the last month owed is July and August's line is held.
    case.message("beneficiary_exit", {"reason": "death", "date": "2024-07-20"})
    assert case.record().status == "deceased"
    report = pay.import_account(cycle_id)
    assert report.refused == 1
    refused = payouts.import_rows(pay.ctx(), report.import_id, outcomes=["refused"])
    assert [message for *_, message in refused] == [
        "Người hưởng đã thôi hưởng: dòng bị tạm giữ, không chi trả."
    ]
    (held,) = pay.lines(cycle_id, status="held")
    assert held.beneficiary_code == case.code
    pay.pay_cash(cycle_id)
    pay.do(cycle_id, "pay", {"results_recorded": True})
    pay.do(cycle_id, "reconcile", reconcile_form(held.amount))
    (returned,) = pay.lines(cycle_id, status="returned")
    assert (returned.id, returned.return_reason) == (held.id, "held")


def test_the_two_tier_structure_runs_one_cycle_per_commune_on_the_same_process(pay_2025):
    pay = pay_2025
    with pay.ctx().db.read() as session:
        communes = list(
            session.scalars(
                select(Area.code).where(Area.parent_code == "2025:51").order_by(Area.code).limit(2)
            )
        )
    pay.add(6, communes=communes)
    started = payouts.start_cycles(pay.ctx(), "2025:51", "2025-08")
    assert [s.business_key for s in started] == [f"PAY-{code}-2025-08" for code in communes]
    # Started together: the second cycle's instance is copied from the first's start (engine.batch).
    assert len({s.instance_id for s in started}) == 2 and None not in {s.instance_id for s in started}
    assert [pay.cycle(s.cycle_id).instance_id for s in started] == [s.instance_id for s in started]
    cycle_id = started[1].cycle_id
    assert pay.cycle(cycle_id).line_count == 3
    pay.do(cycle_id, "approve_list", {"decision": "regenerate", "note": "Kiểm tra lại"})
    assert pay.cycle(cycle_id).line_count == 3 and pay.waiting(cycle_id) == ["approve_list"]
    province = "2025:51"
    expected = {
        "approve_list": f"{province}/so-yt",
        "confirm_transfer": f"{province}/kbnn",
        "pay": f"{province}/bd",
        "reconcile": f"{province}/so-yt",
        "report_provider": f"{province}/bd",
        "report_district_pc": f"{communes[1]}/ubnd",
    }
    seen = routed(pay, cycle_id)
    pay.do(cycle_id, "approve_list", {"decision": "approve"})
    seen |= routed(pay, cycle_id)
    total = pay.cycle(cycle_id).total_amount
    form = {"transfer_reference": "KB-0815", "transfer_date": "2025-08-04", "transfer_amount": total}
    pay.do(cycle_id, "confirm_transfer", form)
    seen |= routed(pay, cycle_id)
    pay.import_account(cycle_id)
    pay.pay_cash(cycle_id)
    pay.do(cycle_id, "pay", {"results_recorded": True})
    seen |= routed(pay, cycle_id)
    pay.do(cycle_id, "reconcile", reconcile_form(0))
    seen |= routed(pay, cycle_id)
    pay.close(cycle_id)
    assert seen == expected
    assert pay.cycle(cycle_id).status == "closed"
    assert payouts.start_cycles(pay.ctx(), "2025:51", "2025-08")[0].created is False
