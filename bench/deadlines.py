"""The deadline sweep against a large inbox: N open tasks (default 1,000,000), 1% of them overdue.

Builds its own data, set-based, in a temporary SQLite database (a province of 10 districts × 100
communes, each commune's People's Committee supervised by its district's, supervised by the
province's; N/10 instances; tasks spread over the communes), then measures:

  find_due_ms         one sweep's query for its first batch of due work (500 tasks), median of 20
  find_all_due_ms     the same query for every due task at once (about N/100), median of 5
  uses_index          the query plan reads ix_open_tasks_next_alert_at (no scan of open_tasks)
  sweep_s             one sweep applying all of it: claims, alerts, history
  alerts_per_s        overdue notices + escalations written per second by that sweep
  tasks_per_s         overdue tasks brought up to date per second
  idle_sweep_ms       a sweep when nothing is due (what every 30-second tick costs), median of 20

Usage: python bench/deadlines.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.deadlines import sweep_deadlines  # noqa: E402
from workflows.deadlines.sweep import due_tasks  # noqa: E402

NOW = datetime(2025, 3, 20, 3, 0, tzinfo=UTC)  # Thursday 10:00 in Vietnam
DISTRICTS, COMMUNES = 10, 100
TASKS_PER_INSTANCE = 10
CHUNK = 50_000


def sql_time(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite (naive, microseconds)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(raw, n: int, rng: random.Random) -> int:
    raw.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache while loading
    raw.execute("BEGIN")
    now = sql_time(NOW)
    areas = [("2024:99", "2024", "99", "Bench", "Tỉnh", "province", None)]
    agencies = [("2024:99/ubnd", "UBND tỉnh Bench", "2024:99", None)]
    communes = []
    for d in range(DISTRICTS):
        district = f"2024:9{d:02d}"
        areas.append((district, "2024", f"9{d:02d}", f"Huyện {d}", "Huyện", "district", "2024:99"))
        agencies.append((f"{district}/ubnd", f"UBND huyện {d}", district, "2024:99/ubnd"))
        for c in range(COMMUNES):
            commune = f"2024:9{d:02d}{c:03d}"
            areas.append((commune, "2024", f"9{d:02d}{c:03d}", f"Xã {d}-{c}", "Xã", "commune", district))
            agencies.append((f"{commune}/ubnd", f"UBND xã {d}-{c}", commune, f"{district}/ubnd"))
            communes.append(commune)
    raw.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?)", areas)
    raw.executemany(
        "INSERT INTO agencies (code, name, area_code, supervisor_code) VALUES (?, ?, ?, ?)", agencies
    )
    raw.executemany(
        "INSERT INTO role_assignments (role, area_code, agency_code, effective_from) VALUES (?, ?, ?, ?)",
        [("commune", c, f"{c}/ubnd", date(2024, 1, 1).isoformat()) for c in communes],
    )
    raw.execute(
        "INSERT INTO deployments (id, content_hash, files, deployed_at) VALUES (1, 'bench', '{}', ?)", (now,)
    )
    raw.execute(
        "INSERT INTO process_versions (id, process_key, version, content_hash, deployment_id, source_file, "
        "spec_json, deployed_at) VALUES (1, 'bench', 1, 'bench', 1, 'bench.bpmn', '{}', ?)",
        (now,),
    )
    instances = n // TASKS_PER_INSTANCE + 1
    for start in range(0, instances, CHUNK):
        raw.executemany(
            "INSERT INTO instances (id, process_version_id, process_key, business_key, area_code, status, "
            "state, serializer_version, version, started_at, updated_at) "
            "VALUES (?, 1, 'bench', ?, ?, 'running', x'', '1', 1, ?, ?)",
            [
                (i + 1, f"BK-{i}", communes[i % len(communes)], now, now)
                for i in range(start, min(start + CHUNK, instances))
            ],
        )
    overdue = 0
    for start in range(0, n, CHUNK):
        rows = []
        for i in range(start, min(start + CHUNK, n)):
            instance = i // TASKS_PER_INSTANCE
            if rng.random() < 0.01:  # overdue by up to two weeks: due now, one or two levels up
                due = NOW - timedelta(hours=rng.randint(1, 14 * 24))
                next_alert = due
                overdue += 1
            else:  # due within six weeks; the reminder the day before is its next alert
                due = NOW + timedelta(hours=rng.randint(48, 42 * 24))
                next_alert = due - timedelta(days=1)
            created = sql_time(due - timedelta(days=14))
            # Ids in increasing order (random low bits): the primary key b-tree is appended to, not shuffled.
            task_id = str(uuid.UUID(int=(i << 80) | rng.getrandbits(80)))
            rows.append(
                (
                    task_id,
                    instance + 1,
                    communes[instance % len(communes)],
                    created,
                    sql_time(due),
                    sql_time(next_alert),
                )
            )
        raw.executemany(
            "INSERT INTO open_tasks (id, instance_id, bpmn_id, name, role, area_code, form_key, properties, "
            "created_at, due_at, next_alert_at) "
            "VALUES (?, ?, 'outreach', 'Tuyên truyền', 'commune', ?, 'outreach', '{}', ?, ?, ?)",
            rows,
        )
        raw.execute("COMMIT")
        raw.execute("BEGIN")
    raw.execute("COMMIT")
    raw.execute("ANALYZE")
    return overdue


def median_ms(action, times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="open tasks")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ctx = bootstrap(f"sqlite:///{folder}/bench.db", clock=lambda: NOW, upgrade=True)
        started = time.perf_counter()
        with ctx.db.engine.connect() as connection:
            raw = connection.connection.driver_connection
            overdue = build(raw, args.n, random.Random(args.seed))
        build_s = time.perf_counter() - started
        print(f"built {args.n} open tasks ({overdue} overdue) in {build_s:.1f} s", file=sys.stderr)

        with ctx.db.read() as session:
            conn = session.connection()
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM open_tasks WHERE next_alert_at <= :now "
                        "ORDER BY next_alert_at LIMIT 500"
                    ),
                    {"now": sql_time(NOW)},
                )
            )
            first = median_ms(lambda: due_tasks(conn, NOW, 500), 20)
            found = len(due_tasks(conn, NOW, args.n))
            everything = median_ms(lambda: due_tasks(conn, NOW, args.n), 5)

        started = time.perf_counter()
        sweep = sweep_deadlines(ctx, now=NOW)
        sweep_s = time.perf_counter() - started
        idle = median_ms(lambda: sweep_deadlines(ctx, now=NOW), 20)
        ctx.db.dispose()

    alerts = sweep.overdue + sweep.escalations
    print(
        json.dumps(
            {
                "open_tasks": args.n,
                "due_tasks": found,
                "find_due_ms": first,
                "find_all_due_ms": everything,
                "uses_index": "ix_open_tasks_next_alert_at" in plan,
                "query_plan": plan,
                "sweep_s": round(sweep_s, 2),
                "tasks_handled": sweep.handled,
                "overdue_notices": sweep.overdue,
                "escalations": sweep.escalations,
                "alerts_per_s": round(alerts / sweep_s),
                "tasks_per_s": round(sweep.handled / sweep_s),
                "idle_sweep_ms": idle,
                "build_s": round(build_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
