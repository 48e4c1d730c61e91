"""Inbox page server time with a province full of open tasks.

Fills a temporary SQLite database with N open tasks (default 1,000,000) spread over the communes of
Quảng Ngãi (two-tier structure: a commune People's Committee, and province-level police, provider and
labour offices that own every commune), then times the inbox page through the Flask app for a commune
user and a province user: the first page, a filter (overdue), and a search by name. Prints one JSON
object on its last line: p50/p95 in milliseconds per (user, query).

Usage: python bench/inbox.py [--n 1000000] [--requests 40]
With DATABASE_URL set (an empty PostgreSQL database or schema), it runs there instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"
]  # bench/http.py

from sqlalchemy import text  # noqa: E402

from engine import deploy_paths  # noqa: E402
from engine.fastsql import copy_rows  # noqa: E402
from engine.models import Instance, OpenTask  # noqa: E402
from web import create_app  # noqa: E402
from workflows.accounts import create_user  # noqa: E402
from workflows.beneficiaries.models import Beneficiary  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.demo.organisation import build_demo_organisation  # noqa: E402
from workflows.inbox_names import FILL  # noqa: E402
from workflows.org import load_current_units  # noqa: E402
from workflows.validators import fold_diacritics  # noqa: E402

ROLES = [
    ("commune", "outreach", "Tuyên truyền, vận động"),
    ("commune", "register", "Đăng ký phương thức chi trả"),
    ("district_labour", "review", "Rà soát, phân loại"),
    ("police", "police_check", "Làm sạch dữ liệu"),
    ("provider", "open_account", "Mở tài khoản"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Y", "A", "Đinh", "Hồ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", ""]
GIVEN = ["An", "Bình", "Hoa", "Lan", "Nam", "Tuấn", "Hùng", "Mai", "Blưh", "Nhôn", "Thủy", "Khánh"]
PASSWORD = "Bench-pass-2024"
NOW = datetime(2025, 9, 15, 2, 0, tzinfo=UTC)


def fill(app, n: int, seed: int = 7) -> dict[str, str]:
    ctx = app.extensions["ansinh"]
    with ctx.db.write() as session:
        load_current_units(session, "51")
        build_demo_organisation(session, "2025")
        communes = sorted(session.execute(text("SELECT code FROM areas WHERE level = 'commune'")).scalars())
        create_user(session, "xa", PASSWORD, f"{communes[0]}/ubnd", NOW)
        create_user(session, "tinh", PASSWORD, "2025:51/ca", NOW)
    (deployed,) = [p for p in deploy_paths(ctx, [ROOT / "bpmn"]) if p.key == "beneficiary_case"]
    if ctx.db.dialect == "postgresql":
        _fill_postgresql(ctx.db.engine, n, communes, deployed.version_id, seed)
    else:
        _fill_rows(ctx.db.engine, n, communes, deployed.version_id, seed)
    return {"commune_area": communes[0]}


def _fill_rows(engine, n: int, communes: list[str], version_id: int, seed: int) -> None:
    """Rows built in Python and inserted in committed batches (SQLite: multi-row INSERTs)."""
    rng = random.Random(seed)
    batch = 20_000
    for start in range(0, n, batch):  # one transaction per batch: the WAL stays small, the fill linear
        rows = [
            _rows(i, communes[i % len(communes)], rng, version_id)
            for i in range(start, min(start + batch, n))
        ]
        with engine.begin() as conn:
            for table, index in (
                (Beneficiary.__table__, 0),
                (Instance.__table__, 1),
                (OpenTask.__table__, 2),
            ):
                copy_rows(conn, table, [r[index] for r in rows])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


FILLED = ("beneficiaries", "instances", "open_tasks", "case_task_names")
# The filled tables' secondary indexes (not those behind a primary key or unique constraint): dropped
# before the fill and built again after it from their own definitions, so the schema is the app's.
SECONDARY_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = to_regnamespace(i.schemaname)
WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
"""
# One batch of rows generated in the server: the same spread as ``_rows`` (names with diacritics from
# the lists below, every commune in turn, five roles in turn, 1 % overdue, 5 % claimed).
PG_BATCH = """
WITH a AS (
  SELECT CAST(:family AS text[]) AS family, CAST(:middle AS text[]) AS middle,
         CAST(:given AS text[]) AS given, CAST(:family_folded AS text[]) AS family_folded,
         CAST(:middle_folded AS text[]) AS middle_folded, CAST(:given_folded AS text[]) AS given_folded,
         CAST(:communes AS text[]) AS communes, CAST(:roles AS text[]) AS roles,
         CAST(:steps AS text[]) AS steps, CAST(:step_names AS text[]) AS step_names
), g AS (
  SELECT i, 'BN-' || lpad(i::text, 7, '0') AS code,
         1 + floor(random() * :families)::int AS f, 1 + floor(random() * :middles)::int AS m,
         1 + floor(random() * :givens)::int AS g_, a.communes[1 + i % :ncommunes] AS area,
         1 + i % 5 AS r,
         :now - make_interval(days => floor(random() * 61)::int, mins => floor(random() * 1441)::int)
             AS created,
         CASE WHEN random() < 0.01 THEN :now - interval '1 day'
              ELSE :now + make_interval(days => 1 + floor(random() * 20)::int) END AS due,
         random() < 0.05 AS claimed
  FROM a, generate_series(:start, :stop - 1) AS i
), people AS (
  INSERT INTO beneficiaries (code, full_name, name_folded, area_code, status, cccd, category_code,
                             consent_given, created_at, updated_at)
  SELECT code,
         concat_ws(' ', a.family[f], nullif(a.middle[m], ''), a.given[g_]),
         concat_ws(' ', a.family_folded[f], nullif(a.middle_folded[m], ''), a.given_folded[g_]),
         area, 'registered',
         '0' || (10 + floor(random() * 87)::int) || floor(random() * 2)::int
             || (10000000 + floor(random() * 90000000)::int),
         'elderly_80_plus_no_pension', true, :now, :now
  FROM g, a
), cases AS (
  INSERT INTO instances (id, process_version_id, process_key, business_key, area_code, status, state,
                         serializer_version, version, started_at, updated_at)
  SELECT i + 1, :version_id, 'beneficiary_case', code, area, 'running', '', '1.5', 1, created, created
  FROM g
)
INSERT INTO open_tasks (id, instance_id, bpmn_id, name, role, area_code, form_key, properties, created_at,
                        due_at, claimed_by, claimed_at)
SELECT '00000000-0000-4000-8000-' || lpad(i::text, 12, '0'), i + 1, a.steps[r], a.step_names[r],
       a.roles[r], area, a.steps[r], '{}', created, due,
       CASE WHEN claimed THEN 'canbo.' || (i % 97) END, CASE WHEN claimed THEN created END
FROM g, a
"""


def _fill_postgresql(engine, n: int, communes: list[str], version_id: int, seed: int) -> None:
    """Rows generated in the server (INSERT … SELECT … generate_series) in committed batches of
    ``PG_BATCH_ROWS``, with triggers off (foreign keys', and those that keep case_task_names: each batch
    fills its rows there as migration w1551 does) and the secondary indexes built after the fill, then
    VACUUM ANALYZE."""
    params = {
        "families": len(FAMILY), "middles": len(MIDDLE), "givens": len(GIVEN), "family": FAMILY,
        "middle": MIDDLE, "given": GIVEN, "family_folded": [fold_diacritics(x) for x in FAMILY],
        "middle_folded": [fold_diacritics(x) for x in MIDDLE],
        "given_folded": [fold_diacritics(x) for x in GIVEN],
        "communes": communes, "ncommunes": len(communes), "now": NOW, "version_id": version_id,
        "roles": [r[0] for r in ROLES], "steps": [r[1] for r in ROLES], "step_names": [r[2] for r in ROLES],
    }  # fmt: skip
    with engine.begin() as conn:
        indexes = conn.execute(text(SECONDARY_INDEXES), {"tables": list(FILLED)}).all()
        for name, _ in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    for start in range(0, n, PG_BATCH_ROWS):
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no FK trigger per row
            conn.execute(text("SELECT setseed(:s)"), {"s": (seed * 7919 + start) % 1000 / 1000})
            stop = min(start + PG_BATCH_ROWS, n)
            conn.execute(text(PG_BATCH), {**params, "start": start, "stop": stop})
            batch = {"first": start + 1, "last": stop}  # the batch's instance ids
            conn.execute(text(f"{FILL} AND i.id BETWEEN :first AND :last"), batch)
    for name, definition in indexes:
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
            conn.exec_driver_sql(definition)
        print(f"  index {name}: {time.perf_counter() - started:.1f} s", flush=True)
    # VACUUM as autovacuum would soon after: the visibility map lets index-only scans skip the rows.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in FILLED:
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


PG_BATCH_ROWS = 500_000


def _rows(i: int, area: str, rng: random.Random, version_id: int) -> tuple[dict, dict, dict]:
    """One beneficiary, their case and its open task."""
    code = f"BN-{i:07d}"
    name = " ".join(p for p in (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)) if p)
    role, step, step_name = ROLES[i % len(ROLES)]
    created = NOW - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
    due = NOW - timedelta(days=1) if rng.random() < 0.01 else NOW + timedelta(days=rng.randint(1, 20))
    claimed = f"canbo.{i % 97}" if rng.random() < 0.05 else None
    person = {c.name: None for c in Beneficiary.__table__.columns}
    person.update(
        code=code, full_name=name, name_folded=fold_diacritics(name), area_code=area, status="registered",
        cccd=f"0{rng.randint(10, 96):02d}{rng.randint(0, 1)}{rng.randint(10**7, 10**8 - 1)}",
        category_code="elderly_80_plus_no_pension", consent_given=True, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    instance = {
        "id": i + 1, "process_version_id": version_id, "process_key": "beneficiary_case",
        "business_key": code,
        "area_code": area, "status": "running", "state": b"", "serializer_version": "1.5", "version": 1,
        "next_timer_at": None, "started_at": created, "updated_at": created, "ended_at": None,
    }  # fmt: skip
    task = {
        "id": f"00000000-0000-4000-8000-{i:012d}", "instance_id": i + 1, "bpmn_id": step, "name": step_name,
        "role": role, "area_code": area, "form_key": step, "properties": {}, "created_at": created,
        "due_at": due, "claimed_by": claimed, "claimed_at": created if claimed else None,
    }  # fmt: skip
    return person, instance, task


def login(client, username: str) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code


def timings(client, path: str, requests: int) -> dict[str, float]:
    """Wall p50/p95 of the page, and the median CPU this process spent on it (the database's own work
    is not in it: wall minus CPU is mostly the database and waiting for a core)."""
    client.get(path)  # warm
    samples, cpu = [], []
    for _ in range(requests):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(path)
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="open tasks")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per query")
    parser.add_argument(
        "--reuse", action="store_true", help="time a DATABASE_URL database an earlier run filled (no fill)"
    )
    parser.add_argument("--users", default="xa,tinh", help="whose pages: xa (a commune), tinh (the province)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/inbox.db"
        bootstrap(url, upgrade=True).db.dispose()  # what `ansinh db upgrade` does
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        app.extensions["ansinh"].clock = lambda: NOW
        result: dict[str, object] = {"database": app.extensions["ansinh"].db.dialect, "open_tasks": args.n}
        if not args.reuse:
            started = time.perf_counter()
            fill(app, args.n)
            result["fill_s"] = round(time.perf_counter() - started, 1)
            cpu = os.times()
            print(
                f"filled {args.n} open tasks in {result['fill_s']} s (this process: {cpu.user:.0f} s user, "
                f"{cpu.system:.0f} s system; load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        result["load_before"] = round(os.getloadavg()[0], 1)
        for user in args.users.split(","):
            client = app.test_client()
            login(client, user)
            for label, path in (
                ("first_page", "/"),
                ("overdue", "/?status=overdue"),
                ("search", "/?q=nguyen+van+an"),
                ("search_diacritics", "/?q=Nguy%E1%BB%85n+V%C4%83n+An"),
            ):
                for key, value in timings(client, path, args.requests).items():
                    result[f"{user}_{label}_{key}"] = value
        app.extensions["ansinh"].db.dispose()
    result["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
