"""Exactly once through a crash: a real child process is killed (SIGKILL, as ``kill -9``) at points inside
list generation, a results import and the delivery of notices; after a restart no line is lost or
doubled, nobody is paid twice, and each case is told once."""

from __future__ import annotations

import multiprocessing
import signal

import pytest
from sqlalchemy import func, select

from engine.models import Instance
from tests.workflows.conftest import REGISTRATION
from tests.workflows.test_case_paths import CARD, MATCHED, VERIFIED, to_police
from workflows import payouts
from workflows.payouts.models import PayoutCycle, PayoutImport, PayoutImportRow, PayoutLine, PayoutNotice

from . import crash_workers
from .conftest import CITY, results_csv

SPAWN = multiprocessing.get_context("spawn")


def killed(pay, target, *args) -> None:
    """Run ``target`` in a fresh process; it must die of SIGKILL at its armed point."""
    for context in pay.province.opened:
        context.db.dispose()  # no connection of ours is shared with the child
    process = SPAWN.Process(target=target, args=(pay.province.database_url, pay.clock(), *args))
    process.start()
    process.join(120)
    assert process.exitcode == -signal.SIGKILL, f"the child was not killed at its point: {process.exitcode}"
    process.close()


def count(pay, *what, where=()) -> int:
    with pay.ctx().db.read() as session:
        return session.execute(select(func.count()).select_from(*what).where(*where)).scalar_one()


@pytest.mark.parametrize("point", ["generate.after_monthly", "generate.after_arrears"])
def test_a_crash_while_drawing_up_the_list_leaves_nothing_then_a_restart_lists_everyone_once(pay, point):
    pay.add(40)
    killed(pay, crash_workers.start_cycle, point, 0, CITY, "2024-08")
    assert count(pay, PayoutCycle) == count(pay, PayoutLine) == 0
    assert count(pay, Instance, where=[Instance.process_key == "monthly_payout"]) == 0
    started = payouts.start_cycle(pay.ctx(), CITY, "2024-08")
    assert started.created and count(pay, PayoutLine) == 40
    assert pay.cycle(started.cycle_id).total_amount == sum(
        line.amount for line in pay.lines(started.cycle_id)
    )


def test_a_crash_just_after_the_list_is_stored_keeps_it_and_a_restart_adds_nothing(pay):
    pay.add(40)
    killed(pay, crash_workers.start_cycle, "start.after_commit", 0, CITY, "2024-08")
    again = payouts.start_cycle(pay.ctx(), CITY, "2024-08")
    assert not again.created
    assert count(pay, PayoutLine) == 40
    assert count(pay, Instance, where=[Instance.process_key == "monthly_payout"]) == 1


@pytest.mark.parametrize(
    ("point", "after", "committed"),
    [
        ("import.before_commit", 0, 0),  # dies inside the first chunk
        ("import.before_commit", 1, 10),  # the first chunk is in, the second dies
        ("import.after_commit", 1, 20),  # dies between the second and the third chunk
    ],
)
def test_a_crash_during_an_import_then_the_same_file_again_pays_each_line_once(pay, point, after, committed):
    pay.add(33, cash_every=1000, home_every=1000)  # 33 account lines
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    lines = pay.lines(cycle_id, method="account")
    content = results_csv(lines, fail={lines[0].id})
    killed(pay, crash_workers.import_file, point, after, cycle_id, content, 10)
    with pay.ctx().db.read() as session:
        batches = [
            (b.id, b.status, b.rows_done, b.applied) for b in session.execute(select(PayoutImport)).scalars()
        ]
    # The import is recorded with its first chunk: dying inside that leaves no trace of it.
    assert [b[1:] for b in batches] == ([("processing", committed, committed)] if committed else [])
    assert len(pay.lines(cycle_id, status=["paid", "failed"])) == committed
    resumed = payouts.import_results(pay.ctx(), cycle_id, "ket-qua.csv", content, chunk_rows=10)
    assert (resumed.status, resumed.rows_done) == ("done", 33)
    assert [resumed.import_id] == ([b[0] for b in batches] or [resumed.import_id])
    assert count(pay, PayoutImport) == 1
    assert (resumed.applied, resumed.duplicates, resumed.refused) == (33, 0, 0)
    assert count(pay, PayoutImportRow) == 33
    assert len(pay.lines(cycle_id, status="paid")) == 32 and len(pay.lines(cycle_id, status="failed")) == 1
    assert payouts.import_results(pay.ctx(), cycle_id, "ket-qua.csv", content).already_imported


def test_a_crash_while_telling_the_cases_then_a_sweep_tells_each_case_once(pay):
    people = [active_case(pay, number) for number in range(3)]
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    pay.import_account(cycle_id, fail={line.id for line in pay.lines(cycle_id)})
    killed(pay, crash_workers.close_payments, "notices.after_deliver", 1, cycle_id)
    assert pay.waiting(cycle_id) == ["pay_fallback_cash"]  # the step itself had committed
    assert count(pay, PayoutNotice, where=[PayoutNotice.delivered_at.is_(None)]) == 3
    assert [case.waiting() for case in people] == ["repair_account", "repair_account", None]
    sweep = payouts.deliver_notices(pay.ctx())
    assert (sweep.delivered, sweep.duplicates, sweep.unmatched) == (1, 2, 0)
    assert [case.waiting() for case in people] == ["repair_account"] * 3
    for case in people:
        assert [kind for kind, _ in case.history()].count("message_delivered") == 1
    assert count(pay, PayoutNotice, where=[PayoutNotice.delivered_at.is_(None)]) == 0


def active_case(pay, number: int):
    """A case taken to "active, cashless", with its own CCCD and account."""
    case = pay.province.case(code=f"BN-000{number}")
    to_police(case, {**REGISTRATION, "cccd": f"06215012345{number}"})
    case.do("police_check", MATCHED)
    case.do("open_account", {**VERIFIED, "account_number": f"012345678{number}"})
    case.do("issue_card", CARD)
    return case
