"""The previous release's database upgrades in place and its cases go on.

The code of v0.1 (commit ``PREVIOUS``, checked out with ``git worktree`` into a temporary folder and run
in a child process ahead of this checkout on ``sys.path``) builds a database: the schema, the BPMN, the
Kon Tum demo with cases at every step, and the month's payout cycles, one of them approved and funded.
Today's code then refuses it until ``ansinh db upgrade``, upgrades it, and completes every open task of
the demo's cases and every cycle to its end.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from sqlalchemy import select

import engine
from engine.schema import SchemaNotCurrent
from tests.conftest import ROOT
from tests.workflows.payouts.conftest import results_csv
from workflows import payouts
from workflows.beneficiaries.models import Beneficiary
from workflows.bootstrap import bootstrap
from workflows.case import service as cases
from workflows.tasks import submit_task

PREVIOUS = "55bbac2"  # v0.1

BUILD = textwrap.dedent(
    """
    import json, sys
    from datetime import date
    from pathlib import Path
    import engine
    from workflows import payouts
    from workflows.bootstrap import bootstrap
    from workflows.demo import load_demo

    ctx = bootstrap(sys.argv[1], upgrade=True)
    engine.deploy_paths(ctx, [Path("bpmn")])
    load_demo(ctx, beneficiaries=int(sys.argv[2]))
    today = ctx.now().date()
    ids = [s.cycle_id for s in payouts.start_monthly_cycles(ctx, date(today.year, today.month, 1))]
    payouts.do_step(ctx, ids[0], "approve_list", {"decision": "approve"}, user="v01")
    total = payouts.get_cycle(ctx, ids[0]).total_amount
    payouts.do_step(ctx, ids[0], "confirm_transfer", {"transfer_reference": "KB-1",
                    "transfer_date": today.isoformat(), "transfer_amount": total}, user="v01")
    tasks = engine.list_tasks(ctx, limit=100000)
    print(json.dumps({"cycles": ids, "open": sorted({t.bpmn_id for t in tasks})}))
    """
)


@pytest.fixture
def previous_release(tmp_path):
    """The previous release's source, checked out beside this one and removed after."""
    folder = tmp_path / "v01"
    git = ["git", "-C", str(ROOT)]
    subprocess.run(
        [*git, "worktree", "add", "--detach", str(folder), PREVIOUS], check=True, capture_output=True
    )
    try:
        yield folder
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=True, capture_output=True)
        subprocess.run([*git, "worktree", "prune"], check=True, capture_output=True)


def test_the_previous_releases_database_upgrades_and_its_cases_and_cycles_go_on(
    previous_release, database_url
):
    env = dict(os.environ, PYTHONPATH=str(previous_release))  # its packages ahead of this checkout's
    env.pop("DATABASE_URL", None)
    built = subprocess.run(
        [sys.executable, "-c", BUILD, database_url, "30"], cwd=previous_release, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    before = json.loads(built.stdout.strip().splitlines()[-1])
    assert {"outreach", "register", "review", "police_check", "open_account", "pay"} <= set(before["open"])

    with pytest.raises(SchemaNotCurrent, match="ansinh db upgrade"):
        bootstrap(database_url)
    bootstrap(database_url, upgrade=True).db.dispose()  # `ansinh db upgrade`
    ctx = bootstrap(database_url)
    try:
        done = _complete_case_tasks(ctx)
        assert {"outreach", "register", "review", "police_check", "open_account", "issue_card"} <= done
        for cycle_id in before["cycles"]:
            _complete_cycle(ctx, cycle_id)
            cycle = payouts.get_cycle(ctx, cycle_id)
            assert cycle.books.unresolved_lines == 0 and payouts.open_step(ctx, cycle_id) is None
            assert engine.get_instance(ctx, cycle.instance_id).status == "completed"
    finally:
        ctx.db.dispose()


def _complete_case_tasks(ctx) -> set[str]:
    """Every open task of the cases, each moved forward, until none is left (cases then wait on timers
    or on a payout, as the BPMN says)."""
    rng, done = random.Random(15), set()
    for _round in range(12):
        tasks = [t for t in engine.list_tasks(ctx, limit=100_000) if t.process_key == cases.PROCESS]
        if not tasks:
            return done
        for task in tasks:
            submit_task(ctx, task.id, _forward(ctx, task, rng), user="after-upgrade")
            done.add(task.bpmn_id)
    raise AssertionError(f"tasks still open: {[t.bpmn_id for t in tasks]}")


def _forward(ctx, task, rng: random.Random) -> dict:
    today = ctx.now().date().isoformat()
    with ctx.db.read() as session:
        B = Beneficiary
        person = session.execute(
            select(B.full_name, B.date_of_birth, B.gender, B.cccd, B.category_code).where(
                B.code == task.business_key
            )
        ).one()
    born, gender = person.date_of_birth or date(1950, 5, 1), person.gender or "female"
    century = (born.year // 100 - 19) * 2 + (gender == "female")
    cccd = f"062{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
    account = {"bank_code": "VCB", "account_number": f"{rng.randrange(10**9, 10**10)}"}
    forms = {
        "outreach": {"contact_date": today, "channel": "home_visit", "outcome": "agrees"},
        "register": {
            "full_name": person.full_name, "date_of_birth": born.isoformat(), "gender": gender,
            "has_cccd": True, "cccd": person.cccd or cccd, "phone": "0912345678", "village": "Thôn 1",
            "method": "new_account",
            "category_code": person.category_code, "mobility": "mobile", "consent": True,
        },
        "review": {"decision": "approve"},
        "issue_cccd": {"cccd": cccd, "issued_on": today},
        "police_check": {"result": "matched"},
        "open_account": {"account_outcome": "opened", **account},
        "issue_card": {"card_issued_on": today, "guidance_given": True},
        "repair_account": {"repair_outcome": "fixed", **account},
        "offer_cashless": {"contact_date": today, "accepts_cashless": False},
    }  # fmt: skip
    return forms[task.bpmn_id]


def _complete_cycle(ctx, cycle_id: int) -> None:
    """From wherever the cycle stands to its reports: approve, fund, every result, reconcile, report."""
    today = ctx.now().date().isoformat()

    def waiting() -> str | None:
        step = payouts.open_step(ctx, cycle_id)
        return step.bpmn_id if step else None

    if waiting() == "approve_list":
        payouts.do_step(ctx, cycle_id, "approve_list", {"decision": "approve"})
    if waiting() == "confirm_transfer":
        total = payouts.get_cycle(ctx, cycle_id).total_amount
        form = {"transfer_reference": "KB-2", "transfer_date": today, "transfer_amount": total}
        payouts.do_step(ctx, cycle_id, "confirm_transfer", form)
    lines = payouts.list_lines(ctx, cycle_id, limit=100_000)
    account = [line for line in lines if line.method == "account"]
    if account:
        payouts.import_results(ctx, cycle_id, "ket-qua.csv", results_csv(account, fail={account[0].id}))
    payouts.record_cash(ctx, cycle_id, [(line.id, "paid") for line in lines if line.method != "account"])
    payouts.do_step(ctx, cycle_id, "pay", {"results_recorded": True})
    if waiting() == "pay_fallback_cash":
        fallback = payouts.list_lines(ctx, cycle_id, status="cash_pending", limit=100_000)
        payouts.record_cash(ctx, cycle_id, [(line.id, "not_collected") for line in fallback])
        payouts.do_step(ctx, cycle_id, "pay_fallback_cash", {"results_recorded": True})
    returned = payouts.get_cycle(ctx, cycle_id).books.to_return
    form = {"returned_amount": returned}
    if returned:
        form |= {"return_reference": "HT-1", "return_date": today}
    payouts.do_step(ctx, cycle_id, "reconcile", form)
    for bpmn_id in ("report_provider", "report_district_pc"):
        payouts.do_step(ctx, cycle_id, bpmn_id, {"report_sent_on": today})
