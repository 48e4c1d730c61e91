"""The product's scheduler jobs: timers and deadlines every tick, and each month's payout cycles
started once, on the first tick after the rule's moment, even if the scheduler was down then."""

from __future__ import annotations

from datetime import date

import pytest

from engine.scheduler import Scheduler
from tests.workflows.deadline_helpers import vn
from workflows.bootstrap import bootstrap
from workflows.scheduler import MonthlyRule, monthly_job, product_jobs


@pytest.fixture
def ctx(database_url, clock):
    context = bootstrap(database_url, clock=clock, upgrade=True)
    yield context
    context.db.dispose()


class Starter:
    def __init__(self, failures: int = 0) -> None:
        self.months: list[date] = []
        self.failures = failures

    def __call__(self, ctx, month: date) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the treasury file is not there yet")
        self.months.append(month)


def test_the_product_jobs(ctx):
    assert [job.name for job in product_jobs(30)] == ["timers", "deadlines", "area_successions"]
    jobs = product_jobs(30, Starter())
    assert [(job.name, job.every_s) for job in jobs] == [
        ("timers", 30),
        ("deadlines", 30),
        ("area_successions", 60),
        ("monthly_cycles", 60),
    ]
    assert jobs[1].run(ctx) is None  # nothing due in an empty database
    assert jobs[2].run(ctx) is None


def test_each_month_starts_once_on_the_first_tick_after_the_rule(ctx, clock):
    starter = Starter()
    job = monthly_job(starter, MonthlyRule(day=1))
    clock.now = vn(2026, 2, 28, 23)  # a first start late in a month: that month is caught up
    assert job.run(ctx) == "started the cycles of 02/2026"
    clock.now = vn(2026, 3, 1, 5, 59)
    assert job.run(ctx) is None
    clock.now = vn(2026, 3, 1, 6, 0)
    assert job.run(ctx) == "started the cycles of 03/2026"
    clock.now = vn(2026, 3, 1, 6, 1)
    assert job.run(ctx) is None
    clock.now = vn(2026, 5, 14, 10)  # the scheduler was down from March to mid-May
    assert job.run(ctx) == "started the cycles of 05/2026"
    assert job.run(ctx) is None
    assert starter.months == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 5, 1)]


def test_a_failed_start_is_tried_again_on_the_next_tick(ctx, clock):
    starter = Starter(failures=1)
    scheduler = Scheduler(ctx, [monthly_job(starter)], holder="me")
    clock.now = vn(2026, 4, 1, 8)
    assert scheduler.tick(scheduler.jobs[0]) is False  # logged, not raised
    clock.advance(minutes=1)
    assert scheduler.tick(scheduler.jobs[0])
    assert starter.months == [date(2026, 4, 1)]
