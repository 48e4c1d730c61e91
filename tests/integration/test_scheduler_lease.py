"""The scheduler's lease and run claims: one active scheduler, taken over when it stops renewing; a
job's run once per period, retried after a failure, taken over from a holder that died."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from engine.leases import acquire_lease, claim_run, finish_run, lease_holder, release_lease, run_finished
from engine.scheduler import LEASE, Job, Scheduler

TTL = timedelta(seconds=90)


def test_one_holder_at_a_time_until_the_lease_expires_or_is_released(ctx, clock):
    db = ctx.db
    assert acquire_lease(db, "scheduler", "a", TTL, clock.now)
    assert not acquire_lease(db, "scheduler", "b", TTL, clock.now)
    clock.advance(seconds=60)
    assert acquire_lease(db, "scheduler", "a", TTL, clock.now)  # renewed: until now + 90 s
    clock.advance(seconds=89)
    assert not acquire_lease(db, "scheduler", "b", TTL, clock.now)
    clock.advance(seconds=1)
    assert acquire_lease(db, "scheduler", "b", TTL, clock.now)  # a stopped renewing: b takes over
    assert not acquire_lease(db, "scheduler", "a", TTL, clock.now)
    assert lease_holder(db, "scheduler", clock.now) == "b"
    release_lease(db, "scheduler", "a", clock.now)  # not a's to release: nothing happens
    assert lease_holder(db, "scheduler", clock.now) == "b"
    release_lease(db, "scheduler", "b", clock.now)
    assert lease_holder(db, "scheduler", clock.now) is None
    assert acquire_lease(db, "scheduler", "a", TTL, clock.now)
    assert acquire_lease(db, "other-lease", "b", TTL, clock.now)  # leases are independent


def test_only_the_lease_holder_runs_jobs_and_another_takes_over(ctx, clock):
    runs = []
    job = Job("count", lambda c: runs.append(c.now()) or "counted", 30)
    first, second = Scheduler(ctx, [job], holder="first"), Scheduler(ctx, [job], holder="second")
    assert first.lease_ttl == timedelta(seconds=90)
    assert first.tick(job) and not second.tick(job)
    clock.advance(seconds=30)
    assert first.tick(job) and not second.tick(job)
    clock.advance(seconds=91)  # first died after its last tick
    assert second.tick(job) and not first.tick(job)
    second.shutdown()  # lets the lease go at once
    assert first.tick(job)
    assert len(runs) == 4
    assert lease_holder(ctx.db, LEASE, clock.now) == "first"


def test_a_failing_job_is_logged_and_does_not_stop_the_scheduler(ctx, caplog):
    def broken(_):
        raise RuntimeError("database went away")

    scheduler = Scheduler(ctx, [Job("broken", broken, 30)], holder="me")
    with caplog.at_level(logging.INFO, logger="ansinh.scheduler"):
        assert scheduler.tick(scheduler.jobs[0]) is False
        assert scheduler.tick(Job("ok", lambda _: "2 due, 2 fired", 30))
    assert "broken: sweep failed" in caplog.text
    assert "ok: 2 due, 2 fired" in caplog.text


def test_the_background_scheduler_ticks_at_once_on_start(ctx):
    ticked = threading.Event()
    scheduler = Scheduler(ctx, [Job("flag", lambda _: ticked.set(), 3600)], holder="bg")
    scheduler.start_background()
    try:
        assert ticked.wait(20), "the first tick should run as soon as the scheduler starts"
    finally:
        scheduler.shutdown()
    assert lease_holder(ctx.db, LEASE, ctx.now()) is None


def test_a_run_happens_once_per_period_is_retried_after_failure_and_taken_over_when_stale(ctx, clock):
    db, stale = ctx.db, timedelta(hours=1)
    assert claim_run(db, "monthly", "2026-03", "a", clock.now, stale)
    assert not claim_run(db, "monthly", "2026-03", "b", clock.now, stale)
    finish_run(db, "monthly", "2026-03", "a", clock.now, ok=False)  # failed: the claim is dropped
    assert claim_run(db, "monthly", "2026-03", "b", clock.now, stale)
    clock.advance(minutes=59)
    assert not claim_run(db, "monthly", "2026-03", "c", clock.now, stale)
    clock.advance(minutes=2)  # b died while running
    assert claim_run(db, "monthly", "2026-03", "c", clock.now, stale)
    finish_run(db, "monthly", "2026-03", "b", clock.now, ok=True)  # b's late word counts for nothing
    assert not run_finished(db, "monthly", "2026-03")
    finish_run(db, "monthly", "2026-03", "c", clock.now, ok=True)
    assert run_finished(db, "monthly", "2026-03")
    clock.advance(hours=5)
    assert not claim_run(db, "monthly", "2026-03", "d", clock.now, stale)  # finished runs stay done
    assert claim_run(db, "monthly", "2026-04", "d", clock.now, stale)
