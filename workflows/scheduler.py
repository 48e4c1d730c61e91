"""The product's scheduler: the engine's BPMN timers, the deadlines' reminders and escalations, and the
start of each month's payout cycles. ``ansinh scheduler`` runs it alone; the development server runs
it in-process. The engine's ``Scheduler`` holds the lease; every job here is safe to run twice anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine import EngineContext
from engine.leases import claim_run, finish_run, new_holder, run_finished
from engine.scheduler import Job, Scheduler, timer_job

from .deadlines import VIETNAM, sweep_deadlines
from .org.switchover import apply_successions, successions_due

log = logging.getLogger("ansinh.scheduler")

# start_monthly_cycles(ctx, month) with month the first day of the month: the payout cycles' entry point.
MonthlyStarter = Callable[[EngineContext, date], object]
MONTHLY_JOB = "monthly_cycles"
# start_years(ctx, year): the province department's yearly process (workflows/dashboard/yearly.py).
YearlyStarter = Callable[[EngineContext, int], object]
YEARLY_JOB = "province_year"
SWITCHOVER_JOB = "area_successions"


@dataclass(frozen=True)
class MonthlyRule:
    """When a month's cycles start: on ``day`` at ``at``, Vietnam time."""

    day: int = 1
    at: time = time(6, 0)

    def starts(self, month: date) -> datetime:
        return datetime.combine(date(month.year, month.month, self.day), self.at, tzinfo=VIETNAM)


def deadline_job(interval_s: float) -> Job:
    return Job("deadlines", lambda ctx: sweep_deadlines(ctx).summary(), interval_s)


def switchover_job(every_s: float = 300) -> Job:
    """Reorganisations carried out on their date by themselves (``area_successions``): the first tick on
    or after the day moves each old commune's open records, cases, tasks and deadlines to the new one,
    each move in the history. Done successions are marked, so later ticks find nothing to do."""

    def run(ctx: EngineContext) -> str | None:
        today = ctx.now().astimezone(VIETNAM).date()
        if not successions_due(ctx, today):
            return None
        report = apply_successions(ctx, today, actor="scheduler")
        return (
            f"reorganisation of {today:%d/%m/%Y}: {report.areas} areas, {report.beneficiaries} records, "
            f"{report.instances} running instances moved"
        )

    return Job(SWITCHOVER_JOB, run, every_s)


def monthly_job(
    start: MonthlyStarter,
    rule: MonthlyRule = MonthlyRule(),  # noqa: B008  (frozen, so one shared default is fine)
    every_s: float = 60,
    stale_after: timedelta = timedelta(hours=1),
) -> Job:
    """Checked on every tick rather than fired once by a cron trigger (which forgets a run missed while
    the scheduler was down): the first tick at or after the rule's moment starts the month, once, by
    claiming (job, month) in the database. A failed start drops its claim and is tried on the next tick."""

    def run(ctx: EngineContext) -> str | None:
        now = ctx.now()
        local = now.astimezone(VIETNAM)
        month = date(local.year, local.month, 1)
        period = f"{month:%Y-%m}"
        if now < rule.starts(month) or run_finished(ctx.db, MONTHLY_JOB, period):
            return None
        holder = new_holder()
        if not claim_run(ctx.db, MONTHLY_JOB, period, holder, now, stale_after):
            return None
        try:
            start(ctx, month)
        except Exception:
            finish_run(ctx.db, MONTHLY_JOB, period, holder, ctx.now(), ok=False)
            raise
        finish_run(ctx.db, MONTHLY_JOB, period, holder, ctx.now(), ok=True)
        return f"started the cycles of {month:%m/%Y}"

    return Job(MONTHLY_JOB, run, every_s)


def yearly_job(
    start: YearlyStarter, every_s: float = 300, stale_after: timedelta = timedelta(hours=1)
) -> Job:
    """Each year's processes start on the first tick of the year (Vietnam time), once, claimed like the
    months' cycles; a year whose start failed is tried again on the next tick."""

    def run(ctx: EngineContext) -> str | None:
        now = ctx.now()
        period = str(now.astimezone(VIETNAM).year)
        if run_finished(ctx.db, YEARLY_JOB, period):
            return None
        holder = new_holder()
        if not claim_run(ctx.db, YEARLY_JOB, period, holder, now, stale_after):
            return None
        try:
            start(ctx, int(period))
        except Exception:
            finish_run(ctx.db, YEARLY_JOB, period, holder, ctx.now(), ok=False)
            raise
        finish_run(ctx.db, YEARLY_JOB, period, holder, ctx.now(), ok=True)
        return f"started the provinces' year {period}"

    return Job(YEARLY_JOB, run, every_s)


def product_jobs(
    interval_s: float = 30,
    start_monthly_cycles: MonthlyStarter | None = None,
    rule: MonthlyRule | None = None,
    start_years: YearlyStarter | None = None,
) -> list[Job]:
    jobs = [timer_job(interval_s), deadline_job(interval_s), switchover_job(max(interval_s, 60))]
    if start_monthly_cycles is not None:
        jobs.append(monthly_job(start_monthly_cycles, rule or MonthlyRule(), every_s=max(interval_s, 60)))
    if start_years is not None:
        jobs.append(yearly_job(start_years, every_s=max(interval_s, 60)))
    return jobs


def product_scheduler(
    ctx: EngineContext,
    interval_s: float = 30,
    start_monthly_cycles: MonthlyStarter | None = None,
    start_years: YearlyStarter | None = None,
) -> Scheduler:
    return Scheduler(ctx, product_jobs(interval_s, start_monthly_cycles, start_years=start_years))


def start_background(
    ctx: EngineContext,
    interval_s: float = 30,
    start_monthly_cycles: MonthlyStarter | None = None,
    start_years: YearlyStarter | None = None,
) -> Scheduler:
    """In-process, for the development server (``make run``)."""
    scheduler = product_scheduler(ctx, interval_s, start_monthly_cycles, start_years)
    scheduler.start_background()
    return scheduler


def run_blocking(
    ctx: EngineContext,
    interval_s: float = 30,
    start_monthly_cycles: MonthlyStarter | None = None,
    start_years: YearlyStarter | None = None,
) -> None:
    """``ansinh scheduler``: until interrupted."""
    product_scheduler(ctx, interval_s, start_monthly_cycles, start_years).run_blocking()
