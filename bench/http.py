"""Task work through HTTP against the raw SpiffWorkflow step, with a few hundred real cases.

Opens N real cases of bpmn/beneficiary_case.bpmn (default 300) in one commune and takes each through
outreach, so each waits at registration; then, through the Flask app in this process, times a commune
officer's inbox page, a registration task page and a completed registration (each on another case), and
in the same run the raw SpiffWorkflow step of the same BPMN (restore the case's stored state, complete
the registration with the same form data, run to the next wait, serialize). Reports p50/p95 in ms, CPU
ms per request, the SQL statements each request issues, and ``complete_over_raw`` = HTTP completion
p50 / raw step p50 (and the same in CPU time, steadier on a busy machine).

It runs on a temporary SQLite file; when DATABASE_URL names PostgreSQL it runs there too (in a fresh
database it creates beside the one named, and drops after) and reports ``pg_over_sqlite`` per measure.
The last line is one JSON object.

Usage: python bench/http.py [--cases 300] [--requests 50]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on the path, and its name would hide the standard
# library's ``http`` from everything below: the project's root replaces it.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import engine  # noqa: E402
from engine.fastsql import FastStatement  # noqa: E402
from engine.models import Instance  # noqa: E402
from engine.serialization import unpack_state  # noqa: E402
from web import create_app  # noqa: E402
from workflows.accounts import create_user  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.case.service import open_case  # noqa: E402
from workflows.demo.organisation import build_demo_organisation  # noqa: E402
from workflows.forms import load_form  # noqa: E402
from workflows.org import area_code, load_area_file  # noqa: E402
from workflows.tasks import submit_task  # noqa: E402

COMMUNE = area_code("2024", "23311")  # Xã Đắk Cấm, thành phố Kon Tum
PASSWORD = "Bench-pass-2024"
NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # a Monday morning in Vietnam
OUTREACH = {"contact_date": "2024-03-01", "channel": "home_visit", "outcome": "agrees"}


def registration(i: int) -> dict:
    """A valid registration form for case ``i`` (its own CCCD: a woman born in 1950 in Kon Tum)."""
    return {
        "full_name": "Y Thị Hoa", "date_of_birth": "1950-05-01", "gender": "female", "has_cccd": "on",
        "cccd": f"062150{i:06d}", "phone": "0912345678", "village": "Thôn Kon Hra Chót",
        "category_code": "elderly_80_plus_no_pension", "method": "existing_account", "bank_code": "VCB",
        "account_number": f"0123{i:06d}", "mobility": "mobile", "account_holder": "beneficiary",
        "representative_kind": "none", "consent": "on",
    }  # fmt: skip


class RawEngine(PythonScriptEngine):
    """SpiffWorkflow's own script engine; a service task answers at once (no handler, no database)."""

    def call_service(self, task, operation_name, operation_params, **_):
        return "{}"


def fill(app, cases: int) -> list[str]:
    """``cases`` real cases waiting at registration; their registration task ids."""
    ctx = app.extensions["ansinh"]
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
        create_user(session, "xa", PASSWORD, f"{COMMUNE}/ubnd", ctx.now())
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    tasks = []
    for i in range(cases):
        step = open_case(ctx, f"BN-{i:06d}", COMMUNE, "Y Thị Hoa", "elderly_80_plus_no_pension")
        tasks.append(submit_task(ctx, step.open_tasks[0].id, OUTREACH, user="xa").step.open_tasks[0].id)
    return tasks


class Statements:
    """Counts the SQL statements the app sends: SQLAlchemy's, and the engine's hot ones that go straight
    to the DBAPI cursor (``engine.fastsql``; an ``executemany`` counts once)."""

    def __init__(self, sql_engine) -> None:
        self.count = 0
        event.listen(sql_engine, "before_cursor_execute", self._seen)
        for name in ("run", "run_many", "one_or_none"):
            method = getattr(FastStatement, name)
            setattr(FastStatement, name, self._counting(method))

    def _seen(self, *_) -> None:
        self.count += 1

    def _counting(self, method):
        def counted(*args, **kwargs):
            self.count += 1
            return method(*args, **kwargs)

        return counted


def measure(run, samples: int, statements: Statements, after=None) -> dict[str, float]:
    """``run(i)`` timed ``samples`` times; ``after()``, untimed, between samples."""
    wall, cpu, counts = [], [], []
    for i in range(samples):
        before, c0, t0 = statements.count, time.process_time(), time.perf_counter()
        run(i)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        counts.append(statements.count - before)
        if after is not None:
            after()
    wall.sort()
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(wall[max(int(len(wall) * 0.95) - 1, 0)], 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "statements": round(statistics.mean(counts), 1),
    }


def raw_step(ctx, task_ids: list[str], samples: int) -> dict[str, float]:
    """Restore a case waiting at registration, complete it, run to the next wait, serialize."""
    task_id = task_ids[-1]
    with ctx.db.read() as session:
        instance_id = engine.get_task(ctx, task_id).instance_id
        row = session.execute(
            select(Instance.state, Instance.process_version_id).where(Instance.id == instance_id)
        ).one()
        spec, subprocess_specs = ctx.specs.get(session.connection(), row.process_version_id)
    state, data = unpack_state(row.state), load_form("registration", registration(10**5))
    wall, cpu = [], []
    for _ in range(samples):
        c0, t0 = time.process_time(), time.perf_counter()
        workflow = ctx.serializer.load_workflow(state, spec, subprocess_specs)
        workflow.script_engine = RawEngine()
        (task,) = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == "register"]
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
        ctx.serializer.dump_workflow(workflow)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(wall[max(int(len(wall) * 0.95) - 1, 0)], 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
    }


def run(url: str, cases: int, requests: int) -> dict[str, object]:
    bootstrap(url, upgrade=True).db.dispose()  # what `ansinh db upgrade` does
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    ctx = app.extensions["ansinh"]
    ctx.clock = lambda: NOW  # the demo organisation's 2024 structure holds then
    started = time.perf_counter()
    task_ids = fill(app, max(cases, 2 * requests + 2))
    result: dict[str, object] = {"database": ctx.db.dialect, "cases": len(task_ids),
                                 "fill_s": round(time.perf_counter() - started, 1)}  # fmt: skip
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert (
        client.post("/login", data={"username": "xa", "password": PASSWORD, "csrf_token": token}).status_code
        == 302
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    statements = Statements(ctx.db.engine)

    def inbox(_: int) -> None:
        assert client.get("/").status_code == 200

    def task_page(i: int) -> None:
        response = client.get(f"/tasks/{task_ids[i]}")
        assert response.status_code == 200, (i, response.status_code)

    def complete(i: int) -> None:
        index = requests + i if i >= 0 else len(task_ids) - 1  # other cases than the pages'
        form = {**registration(index), "csrf_token": token}
        response = client.post(f"/tasks/{task_ids[index]}", data=form)
        assert response.status_code == 302, re.findall(
            r"(?:error[^>]*>)([^<]+)", response.get_data(as_text=True)
        )

    def read_flash() -> None:
        """What the page a browser follows the redirect to does: show the flash, and so drop it from the
        session (this client never follows, so otherwise every completion's cookie grows by one)."""
        with client.session_transaction() as session:
            session.pop("_flashes", None)

    for warm in (inbox, task_page):
        warm(0)
    complete(-1)  # warm: the last case (not timed)
    read_flash()
    for name, action in (("inbox", inbox), ("task_page", task_page), ("complete", complete)):
        after = read_flash if action is complete else None
        for key, value in measure(action, requests, statements, after).items():
            result[f"{name}_{key}"] = value
    for key, value in raw_step(ctx, task_ids[:-1], requests).items():
        result[f"raw_step_{key}"] = value
    result["complete_over_raw"] = round(result["complete_p50_ms"] / result["raw_step_p50_ms"], 1)
    # on a busy machine wall time waits for the CPU; the same ratio in CPU time is the steadier figure
    result["complete_over_raw_cpu"] = round(result["complete_cpu_p50_ms"] / result["raw_step_cpu_p50_ms"], 1)
    ctx.db.dispose()
    return result


@contextmanager
def fresh_postgres(url: str):
    """A new empty database beside the one ``url`` names, dropped afterwards."""
    name = f"bench_http_{os.getpid()}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=300, help="real cases waiting at registration")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = {"sqlite": run(f"sqlite:///{folder}/http.db", args.cases, args.requests)}
    print(json.dumps(result["sqlite"], ensure_ascii=False), flush=True)
    pg = os.environ.get("DATABASE_URL", "")
    if pg.startswith("postgresql"):
        with fresh_postgres(pg) as url:
            result["postgresql"] = run(url, args.cases, args.requests)
        print(json.dumps(result["postgresql"], ensure_ascii=False), flush=True)
        result["pg_over_sqlite"] = {
            key: round(result["postgresql"][key] / result["sqlite"][key], 2)
            for key in ("inbox_p50_ms", "task_page_p50_ms", "complete_p50_ms", "inbox_statements",
                        "task_page_statements", "complete_statements")
            if result["sqlite"][key]
        }  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
