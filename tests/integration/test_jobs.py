"""Durable background jobs: run once by whichever process claims them, resumed when their process died,
retried after a passing failure, failed at once on bad input, handed back when their process stops."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from engine.errors import EngineError
from engine.jobs import JobFailed, JobKinds, RunningJob, claim, enqueue, get_job, list_jobs, requeue, run_one
from tests.integration import workers
from tests.integration.test_concurrency import errors, run_workers


@pytest.fixture
def kinds():
    return JobKinds()


def test_a_job_runs_once_with_its_progress_and_result_and_a_key_queues_it_once(ctx, kinds):
    seen = []

    @kinds.register("rows")
    def rows(ctx, job):
        for done in range(0, 30, 10):
            job.progress(done + 10, 30, note=f"{done + 10} rows")
            seen.append(get_job(ctx, job.id).progress)
        return {"rows": 30, "content": len(job.content), "actor": job.actor}

    job = enqueue(ctx, kinds, "rows", {"file": "a.csv"}, actor="an", content=b"abc", key="rows:a")
    assert enqueue(ctx, kinds, "rows", {"file": "a.csv"}, key="rows:a").id == job.id
    assert job.status == "queued" and job.progress == 0.0

    finished = run_one(ctx, kinds)
    assert seen == [pytest.approx(1 / 3), pytest.approx(2 / 3), 1.0]
    assert finished.status == "done" and finished.result == {"rows": 30, "content": 3, "actor": "an"}
    assert finished.note == "30 rows" and finished.attempts == 1 and finished.finished_at is not None
    assert run_one(ctx, kinds) is None  # nothing left
    with pytest.raises(EngineError):
        enqueue(ctx, kinds, "unknown", {})
    assert [j.id for j in list_jobs(ctx)] == [job.id]


def test_a_job_whose_process_died_is_resumed_by_another_once_its_lease_lapses(ctx, kinds, clock):
    calls = []

    @kinds.register("resumable")
    def resumable(ctx, job):
        calls.append(job.attempt)
        start = get_job(ctx, job.id).done  # what the dead process had committed
        for done in range(start + 1, 6):
            job.progress(done, 5)
        return {"resumed_at": start}

    job = enqueue(ctx, kinds, "resumable", {})
    dead = claim(ctx, kinds, "dead-process", ttl=timedelta(minutes=2))  # claimed, then the process died
    assert dead.id == job.id

    RunningJob(ctx, dead, "dead-process", timedelta(minutes=2), threading.Event()).progress(2, 5)
    assert run_one(ctx, kinds) is None  # its lease still holds: nobody else touches it
    clock.advance(minutes=3)
    resumed = run_one(ctx, kinds)
    assert resumed.status == "done" and resumed.result == {"resumed_at": 2} and resumed.attempts == 2
    assert calls == [2]


def test_a_passing_failure_is_retried_later_and_bad_input_fails_at_once(ctx, kinds, clock):
    failures = {"left": 1}

    @kinds.register("flaky", max_attempts=2)
    def flaky(ctx, job):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("the bank's server did not answer")
        return {"ok": True}

    @kinds.register("refused", permanent=(ValueError,))
    def refused(ctx, job):
        raise ValueError("Dòng 3: số CCCD không hợp lệ")

    @kinds.register("broken", max_attempts=1)
    def broken(ctx, job):
        raise JobFailed("Tệp không còn")

    flaky_job = enqueue(ctx, kinds, "flaky", {})
    after = run_one(ctx, kinds)
    assert after.status == "queued" and "did not answer" in after.note
    assert run_one(ctx, kinds) is None  # not before its retry time
    clock.advance(minutes=1)
    assert run_one(ctx, kinds).status == "done"

    bad = enqueue(ctx, kinds, "refused", {})
    failed = run_one(ctx, kinds)
    assert failed.id == bad.id and failed.status == "failed" and failed.note == "Dòng 3: số CCCD không hợp lệ"
    assert failed.attempts == 1
    gone = enqueue(ctx, kinds, "broken", {})
    assert run_one(ctx, kinds).note == "Tệp không còn"
    again = requeue(ctx, gone.id)
    assert again.status == "queued" and again.attempts == 0
    with pytest.raises(EngineError):
        requeue(ctx, flaky_job.id)  # done, not failed


def test_a_stopping_process_hands_its_job_back_without_counting_the_attempt(ctx, kinds):
    @kinds.register("long")
    def long(ctx, job):
        for done in range(1, 100):
            job.progress(done, 99)
        return {}

    job = enqueue(ctx, kinds, "long", {})
    stopping = threading.Event()
    stopping.set()
    handed_back = run_one(ctx, kinds, stop=stopping)
    assert handed_back.status == "queued" and handed_back.attempts == 0 and handed_back.done == 1
    assert run_one(ctx, kinds).status == "done" and get_job(ctx, job.id).attempts == 1


def test_four_processes_share_the_queue_and_run_every_job_exactly_once(ctx, database_url, clock):
    kinds = JobKinds()
    kinds.register("count")(workers.count_job)
    ids = [enqueue(ctx, kinds, "count", {"n": n}).id for n in range(24)]
    ctx.db.dispose()
    outcomes = run_workers(workers.run_jobs, database_url, clock.now, [()] * 4)
    assert not errors(outcomes)
    assert sum(int(detail) for _, detail in outcomes) == len(ids)  # a job run twice would count twice
    jobs = [get_job(ctx, i) for i in ids]
    assert all(j.status == "done" and j.attempts == 1 and j.done == 1 for j in jobs)
