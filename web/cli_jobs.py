"""``ansinh jobs …``: the background jobs kept in the database (imports, exports, long reports).

ansinh jobs list [--status queued|running|done|failed] [--json]
ansinh jobs work [--poll 2]      a worker alone, until Ctrl-C or SIGTERM (hands its job back)
ansinh jobs run                  run every due job now, then exit
ansinh jobs retry ID             run a failed job again
"""

from __future__ import annotations

import signal
import threading


def register(sub, command, show) -> None:
    def lines(jobs):
        for j in jobs:
            total = f"/{j.total}" if j.total is not None else ""
            yield (f"{j.id}\t{j.kind}\t{j.status}\t{j.done}{total}\tattempt {j.attempts}\t"
                   f"{j.created_at:%Y-%m-%d %H:%M}\t{j.note or ''}").rstrip()  # fmt: skip
        if not jobs:
            yield "no job"

    def list_(args) -> None:
        from workflows.jobs import list_jobs

        show(list_jobs(args.ctx(), status=args.status, limit=args.limit), args.json, lines)

    def work(args) -> None:
        from workflows.jobs import start_worker, stop_worker

        stopped = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        worker = start_worker(args.ctx(), poll_s=args.poll)
        print(f"job worker {worker.holder} started")
        try:
            while not stopped.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        stop_worker(args.ctx())
        print(f"job worker {worker.holder} stopped")

    def run(args) -> None:
        from workflows.jobs import run_pending

        print(f"{run_pending(args.ctx())} job(s) run")

    def retry(args) -> None:
        from workflows.jobs import requeue, run_pending

        job = requeue(args.ctx(), args.id)
        print(f"job {job.id} queued again; {run_pending(args.ctx())} job(s) run")

    jobs = sub.add_parser("jobs", help="background jobs (imports, exports, reports)").add_subparsers(
        metavar="ACTION"
    )
    p = command(jobs, "list", list_, "list the newest jobs", json_flag=True)
    p.add_argument("--status", choices=["queued", "running", "done", "failed"])
    p.add_argument("--limit", type=int, default=50)
    p = command(jobs, "work", work, "run jobs as they come, until stopped")
    p.add_argument("--poll", type=float, default=2.0, help="seconds between looks at the queue")
    p.set_defaults(log_level="INFO")
    command(jobs, "run", run, "run every due job now, then exit")
    p = command(jobs, "retry", retry, "run a failed job again")
    p.add_argument("id", type=int)
