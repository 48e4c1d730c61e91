"""A day at the office under load: ``--web-workers`` gunicorn workers and ``--schedulers`` scheduler
processes on the database ``DATABASE_URL`` names (an empty PostgreSQL database or schema), ``--users``
simulated officers (locust, bench/locustfile.py) logging in, working their inboxes and completing steps
for ``--minutes``, and one provider importing the month's results file meanwhile.

Setup (not timed): schema, bpmn/, the Kon Tum demo (``--cases`` cases at every step, a user per
agency), the month's payout cycles started, approved and funded, and the results file of the largest
cycle written for the provider.

Prints one JSON object (the last line): requests, errors, races (a task completed by someone else
first: a clear 409/404, not an error), p50/p95 per page, whether the import finished, and the history
check: every step completed under load is in the history exactly once. Beside them, what the run cost:
CPU seconds of the web workers, the schedulers, locust and this database's PostgreSQL backends, CPU
per request, and the load average (the machine may be shared); and per route, from the servers' own
request lines, the time inside the app and the CPU each request took.

``--pacing office`` (the default) paces the officers as people (think and typing times of the TPC
benchmarks, logging in over the first minute); ``--pacing clicks`` is the old 1-3 s stress pace with all
logged in within 10 s. See bench/locustfile.py; say which pace a figure is.

Usage: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/load \
       python bench/load_test.py [--users 100] [--minutes 3] [--web-workers 4] [--schedulers 2] \
       [--pacing office|clicks] [--server-log PATH]
(needs the ``load`` extra: pip install -e '.[load]')
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ comes first on the path, and bench/http.py would hide the standard library's
# ``http`` (urllib, gunicorn and locust need it): the project's root replaces it.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from datetime import date  # noqa: E402

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.pool import StaticPool  # noqa: E402

BIN = Path(sys.executable).parent

import engine  # noqa: E402
from engine.models import HistoryEvent  # noqa: E402
from workflows import payouts  # noqa: E402
from workflows.accounts.models import User  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.demo import load_demo  # noqa: E402
from workflows.demo.users import DEMO_PASSWORD, username_for  # noqa: E402
from workflows.payouts.models import PayoutLine  # noqa: E402


def prepare(url: str, cases: int, folder: Path) -> dict:
    ctx = bootstrap(url, upgrade=True)
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    load_demo(ctx, beneficiaries=cases)
    today = ctx.now().date()
    started = payouts.start_monthly_cycles(ctx, date(today.year, today.month, 1))
    for s in started:
        if payouts.open_step(ctx, s.cycle_id, "approve_list") is None:
            continue
        payouts.do_step(ctx, s.cycle_id, "approve_list", {"decision": "approve"}, user="load-setup")
        total = payouts.get_cycle(ctx, s.cycle_id).total_amount
        form = {"transfer_reference": f"KB-{s.cycle_id}", "transfer_date": today.isoformat(),
                "transfer_amount": total}  # fmt: skip
        payouts.do_step(ctx, s.cycle_id, "confirm_transfer", form, user="load-setup")
    cycle = max((payouts.get_cycle(ctx, s.cycle_id) for s in started), key=lambda c: c.line_count)
    with ctx.db.read() as session:
        lines = session.scalars(
            select(PayoutLine.id).where(PayoutLine.cycle_id == cycle.id, PayoutLine.method == "account")
        ).all()
        users = session.scalars(select(User.username).where(User.username != "admin")).all()
        # Officers with work first: the communes with open tasks, and the offices of their districts.
        busy = session.execute(
            text(
                "SELECT DISTINCT t.area_code, a.parent_code FROM open_tasks t"
                " JOIN areas a ON a.code = t.area_code"
            )
        ).all()
    official = {code.rpartition(":")[2] for row in busy for code in row if code}
    preferred = {u for u in users if u.partition(".")[2] in official}
    users = sorted(set(users) - preferred) + sorted(preferred)  # the locustfile takes from the end
    results = folder / "ket-qua.csv"
    with results.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["Mã dòng", "Kết quả", "Lý do", "Mã giao dịch"])
        writer.writerows([i, "Đã chi", "", f"FT{i:09d}"] for i in lines)
    with ctx.db.read() as session:
        area = session.execute(
            text("SELECT area_code FROM payout_cycles WHERE id = :i"), {"i": cycle.id}
        ).scalar()
        history_before = session.scalar(select(func.max(HistoryEvent.id))) or 0
    ctx.db.dispose()
    return {
        "users": users, "password": DEMO_PASSWORD, "provider": username_for(f"{area}/bd"),
        "cycle_id": cycle.id, "results_file": str(results), "results_rows": len(lines),
        "today": today.isoformat(), "history_before": history_before,
    }  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start within 120 s")


class CpuMeter:
    """CPU seconds spent while locust runs, by part: the web workers, the schedulers, locust, and the
    PostgreSQL backends serving this database, read from /proc (Linux) once a second. With that, the
    CPU cost per request says what the run needs whatever else the machine is doing; the wall times
    alone do not."""

    def __init__(self, url: str, parts: dict[str, int]) -> None:
        self.parts = parts  # part → pid of its top process (its children count with it)
        self.url = url
        self.base: dict[int, float] = {}  # pid → its CPU seconds when first seen (0 if born during the run)
        self.last: dict[int, tuple[str, float]] = {}
        self.loads: list[float] = []
        self._watch = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuMeter:
        self._sample(first=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        if self._watch is not None:
            self._watch.close()

    def _run(self) -> None:
        while not self._stop.wait(1):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        self.loads.append(os.getloadavg()[0])
        owners = {}
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    children.setdefault(stat[0], []).append(int(entry.name))
        for part, top in self.parts.items():
            todo = [top]
            while todo:
                pid = todo.pop()
                owners[pid] = part
                todo += children.get(pid, [])
        for pid in self._backends():
            owners[pid] = "postgres"
        for pid, part in owners.items():
            stat = _stat(pid)
            if stat is None:
                continue
            self.base.setdefault(pid, stat[1] if first else 0.0)
            self.last[pid] = (part, stat[1])

    def _backends(self) -> list[int]:
        """The PostgreSQL server processes serving this database (on this machine), asked on one kept
        connection; none this time if the server refuses one more (its max_connections is shared)."""
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        try:
            if self._watch is None:
                self._watch = create_engine(
                    self.url, poolclass=StaticPool, isolation_level="AUTOCOMMIT"
                ).connect()
            return list(self._watch.execute(text(query)).scalars())
        except OperationalError:
            self._watch = None
            return []

    def seconds(self) -> dict[str, float]:
        spent: dict[str, float] = dict.fromkeys([*self.parts, "postgres"], 0.0)
        for pid, (part, cpu) in self.last.items():
            spent[part] += cpu - self.base[pid]
        return {part: round(value, 1) for part, value in spent.items()}


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


_REQUEST_LINE = re.compile(r"ansinh\.request \S+ (GET|POST) (\S+) \d{3} (\d+)ms cpu (\d+)ms")


def server_times(log: str) -> dict[str, dict]:
    """Per route, from the server's own request lines: how many, the time inside the app (p50, p95:
    the client's time less this is the wait for a free worker) and the CPU each took (mean, p95)."""
    seen: dict[str, list[tuple[int, int]]] = {}
    for method, rule, ms, cpu in _REQUEST_LINE.findall(log):
        seen.setdefault(f"{method} {rule}", []).append((int(ms), int(cpu)))

    def p(values: list[int], q: float) -> int:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))]

    return {
        route: {"n": len(times), "app_p50_ms": p([t for t, _ in times], 0.5),
                "app_p95_ms": p([t for t, _ in times], 0.95),
                "cpu_mean_ms": round(sum(c for _, c in times) / len(times), 1),
                "cpu_p95_ms": p([c for _, c in times], 0.95)}
        for route, times in sorted(seen.items())
    }  # fmt: skip


def check_history(url: str, since: int) -> dict:
    ctx = bootstrap(url)
    with ctx.db.read() as session:
        completed = session.execute(
            select(HistoryEvent.task_id, func.count())
            .where(HistoryEvent.id > since, HistoryEvent.kind == "task_completed")
            .group_by(HistoryEvent.task_id)
        ).all()
    ctx.db.dispose()
    return {
        "steps_completed": len(completed),
        "steps_in_history_twice": sum(1 for _, n in completed if n > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)  # as `ansinh serve` (web/server.py says why)
    parser.add_argument("--schedulers", type=int, default=2)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--server-log", type=Path, help="keep the servers' log there (it goes with the run)")
    parser.add_argument(
        "--pacing", choices=("office", "clicks"), default="office",
        help="office: people's think and typing times (TPC-W, TPC-C; see bench/locustfile.py); "
        "clicks: 1-3 s between actions, the old stress pace",
    )  # fmt: skip
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("set DATABASE_URL to an empty PostgreSQL database (the load test runs there)")
    with tempfile.TemporaryDirectory(prefix="ansinh-load-") as name:
        folder = Path(name)
        began = time.perf_counter()
        setup = prepare(url, args.cases, folder)
        print(f"setup in {time.perf_counter() - began:.0f} s: {len(setup['users'])} users, results file of "
              f"{setup['results_rows']} rows for cycle {setup['cycle_id']}", flush=True)  # fmt: skip
        (folder / "setup.json").write_text(json.dumps(setup))
        env = dict(os.environ, DATABASE_URL=url, ANSINH_INSTANCE_DIR=str(folder), SECRET_KEY="load-test",
                   ANSINH_LOAD_SETUP=str(folder / "setup.json"), ANSINH_LOAD_PACING=args.pacing)  # fmt: skip
        port = _port()
        logs = (folder / "server.log").open("w")
        serve = [BIN / "ansinh", "serve", "--port", str(port), "--workers", str(args.web_workers),
                 "--threads", str(args.threads), "--no-scheduler"]  # fmt: skip
        processes = [subprocess.Popen(serve, env=env, stdout=logs, stderr=subprocess.STDOUT)]
        processes += [
            subprocess.Popen(
                [BIN / "ansinh", "scheduler", "--interval", "10"],
                env=env,
                stdout=logs,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            for _ in range(args.schedulers)
        ]
        try:
            _wait(f"http://127.0.0.1:{port}")
            # People reach the office over the first minute, not ten a second: at the office pace the
            # officers log in over 60 s (a login's argon2id alone is ~30 ms of CPU, by design); the
            # clicks pace keeps the old storm, all logged in within 10 s.
            spawn_rate = args.users / 60 if args.pacing == "office" else 10
            locust = subprocess.Popen(
                [BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless", "-u", str(args.users),
                 "-r", str(spawn_rate), "-t", f"{int(args.minutes * 60)}s", "--host", f"http://127.0.0.1:{port}",
                 "--csv", folder / "load", "--only-summary", "--loglevel", "WARNING"],
                env=env,
            )  # fmt: skip
            parts = {"web": processes[0].pid, "locust": locust.pid}
            parts |= {f"scheduler_{i}": p.pid for i, p in enumerate(processes[1:], 1)}
            with CpuMeter(url, parts) as meter:
                locust.wait(timeout=args.minutes * 60 + 300)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=90)
            logs.close()
        stats = list(csv.DictReader((folder / "load_stats.csv").open(encoding="utf-8")))
        failures = list(csv.DictReader((folder / "load_failures.csv").open(encoding="utf-8")))
        server_log = (folder / "server.log").read_text()
        if args.server_log:
            args.server_log.write_text(server_log)
    pages = {
        f"{row['Type']} {row['Name']}": {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0), "p95_ms": float(row["95%"] or 0),
        }
        for row in stats if row["Name"] != "Aggregated" and row["Type"] not in ("RACE", "IMPORT")
    }  # fmt: skip
    total = next(row for row in stats if row["Name"] == "Aggregated")
    races = sum(int(row["Request Count"]) for row in stats if row["Type"] == "RACE")
    imported = any(row["Type"] == "IMPORT" for row in stats)
    history = check_history(url, setup["history_before"])
    posted = pages.get("POST POST /tasks/[id]", {}).get("requests", 0) - races
    requests = int(total["Request Count"]) - races
    cpu = meter.seconds()
    print(json.dumps({
        "users": args.users, "minutes": args.minutes, "pacing": args.pacing,
        "logins_per_s": round(spawn_rate, 2), "web_workers": args.web_workers,
        "threads": args.threads,
        "schedulers": args.schedulers, "requests": requests,
        "errors": int(total["Failure Count"]), "races_lost": races,
        "worst_page_p95_ms": max((p["p95_ms"] for p in pages.values()), default=0),
        "results_import_finished": imported, "results_rows": setup["results_rows"],
        "steps_posted_ok": posted, **history,
        "server_errors_logged": server_log.count(" 500 ") + server_log.count("Traceback"),
        "load_average_1min": {"min": min(meter.loads), "mean": round(sum(meter.loads) / len(meter.loads), 1),
                              "max": max(meter.loads)},
        "cpu_s": cpu, "cpu_ms_per_request": round(sum(cpu.values()) * 1000 / max(requests, 1), 1),
        "failure_samples": [f"{f['Method']} {f['Name']}: {f['Error'][:200]} (x{f['Occurrences']})"
                            for f in failures[:5]],
        "pages": pages, "server": server_times(server_log),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
