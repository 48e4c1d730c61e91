"""Imports running at the same moment in separate processes (the same file twice, and an overlapping
file) still pay each line once: chunks of one cycle are applied one at a time, under the cycle's lock."""

from __future__ import annotations

import multiprocessing
from collections import Counter

from sqlalchemy import select

from workflows.payouts.models import PayoutImportRow

from . import crash_workers
from .conftest import results_csv

SPAWN = multiprocessing.get_context("spawn")


def test_three_imports_at_once_pay_each_line_once(pay):
    pay.add(40, cash_every=1000, home_every=1000)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    lines = pay.lines(cycle_id, method="account")
    full = results_csv(lines)
    overlapping = results_csv(lines[20:] + lines[:5])
    for context in pay.province.opened:
        context.db.dispose()
    barrier, queue = SPAWN.Barrier(3), SPAWN.Queue()
    jobs = [("full.csv", full), ("full-again.csv", full), ("overlap.csv", overlapping)]
    processes = [
        SPAWN.Process(
            target=crash_workers.import_together,
            args=(pay.province.database_url, pay.clock(), barrier, queue, cycle_id, name, content),
        )
        for name, content in jobs
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert all(r[1] != "error" for r in results), results
    batches = {r[1]: r[2:] for r in results}  # the same content is one import, whoever ran it
    assert len(batches) == 2
    assert sum(applied for applied, _, _ in batches.values()) == 40
    with pay.ctx().db.read() as session:
        touched = session.execute(
            select(PayoutImportRow.line_ids).where(PayoutImportRow.outcome == "applied")
        ).scalars()
        applied_to = Counter(int(i) for ids in touched for i in ids.split(","))
    assert sorted(applied_to) == sorted(line.id for line in lines) and set(applied_to.values()) == {1}
    assert len(pay.lines(cycle_id, status="paid")) == 40
    assert pay.cycle(cycle_id).books.paid_account == sum(line.amount for line in lines)
