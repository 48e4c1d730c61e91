"""Dashboard page server time with a province's people, cases and a year of payouts, in both structures.

Fills a temporary SQLite database with N beneficiaries (default 100,000), half in Kon Tum's 2024 communes
(province → district → commune) and half in Quảng Ngãi's 2025 communes (province → commune): most are
being paid (by account or in cash), the rest have an open step of their case (some for months). Each
person has a payout line in each of the last 12 months (2024: one cycle per district and month, 2025:
per commune); the 11 past months' cycles are closed, this month's is being paid. Then it times
/dashboard through the Flask app: a province user at the province, at a district and at a commune, a
district user at their district, for each structure where it has that level. The first request after the
load adds up the closed cycles once (reported apart as ``first_request_ms``). Prints one JSON object on
its last line: p50/p95 in milliseconds per page.

Usage: python bench/dashboard.py [--n 100000] [--requests 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from engine import deploy_paths  # noqa: E402
from engine.models import Instance, OpenTask  # noqa: E402
from web import create_app  # noqa: E402
from workflows.accounts import create_user  # noqa: E402
from workflows.beneficiaries.models import Beneficiary  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.demo.organisation import build_demo_organisation  # noqa: E402
from workflows.org import load_area_file, load_current_units  # noqa: E402
from workflows.payouts.common import add_months  # noqa: E402
from workflows.payouts.models import PayoutCycle, PayoutLine  # noqa: E402

PASSWORD = "Bench-pass-2024"
NOW = datetime(2025, 2, 14, 2, 0, tzinfo=UTC)  # both structures' demo offices at work (bench only)
THIS_MONTH = date(2025, 2, 1)
STEPS = [("commune", "outreach"), ("commune", "register"), ("district_labour", "review"),
         ("police", "police_check"), ("provider", "open_account"), ("provider", "issue_card")]  # fmt: skip
DONE = ["paid", "paid", "paid", "cash_paid", "cash_paid", "returned"]
PERSON = {"full_name": "Người Thử", "name_folded": "nguoi thu", "category_code": "elderly_80_plus_no_pension",
          "consent_given": True, "created_at": NOW, "updated_at": NOW}  # fmt: skip
INSTANCE = {"process_key": "beneficiary_case", "status": "running", "state": b"{}", "serializer_version": "1",
            "version": 1}  # fmt: skip
LINE = {"entitlement": "monthly", "category_code": "elderly_80_plus_no_pension", "full_name": "Người Thử",
        "recipient_kind": "beneficiary", "recipient_name": "Người Thử", "amount": 500_000}  # fmt: skip
NOW_STATUSES = ["paid", "pending", "cash_paid", "cash_pending", "failed", "not_collected"]


def fill(app, n: int, seed: int = 11) -> dict[str, str]:
    ctx = app.extensions["ansinh"]
    rng = random.Random(seed)
    both = (date(2024, 1, 1), None)  # both structures' offices at work on the same day, for the bench
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024", dates=both)
        load_current_units(session, "51")
        build_demo_organisation(session, "2025", dates=both)
        areas = session.execute(text("SELECT code, level, parent_code FROM areas")).all()
        create_user(session, "tinh", PASSWORD, "2024:62/so-ldtbxh", NOW)
        create_user(session, "huyen", PASSWORD, "2024:608/ubnd", NOW)
        create_user(session, "tinh25", PASSWORD, "2025:51/so-nv", NOW, is_admin=True)  # sees both trees
    parent = {code: up for code, _level, up in areas}
    communes = {
        s: sorted(c for c, level, _ in areas if level == "commune" and c.startswith(s))
        for s in ("2024", "2025")
    }
    (case,) = [p for p in deploy_paths(ctx, [ROOT / "bpmn"]) if p.key == "beneficiary_case"]
    people, instances, tasks, lines, cycles = [], [], [], [], {}
    for i in range(n):
        structure = "2024" if i % 2 == 0 else "2025"
        commune = communes[structure][(i // 2) % len(communes[structure])]
        code = f"BN-{i:07d}"
        roll = rng.random()
        status = (
            "active_cashless"
            if roll < 0.6
            else "cash"
            if roll < 0.85
            else "exited"
            if roll < 0.87
            else "outreach"
        )
        people.append(dict(PERSON, code=code, area_code=commune, status=status))
        if status == "outreach":
            role, step = rng.choice(STEPS)
            created = NOW - timedelta(days=rng.randint(0, 200))
            instances.append(dict(INSTANCE, id=i + 1, process_version_id=case.version_id, business_key=code,
                                  area_code=commune, started_at=created, updated_at=created))  # fmt: skip
            tasks.append({"id": f"t-{i:07d}", "instance_id": i + 1, "bpmn_id": step, "name": step,
                          "role": role, "area_code": commune, "properties": {}, "created_at": created,
                          "due_at": created + timedelta(days=10)})  # fmt: skip
            continue
        if status == "exited":
            continue
        method = "account" if status == "active_cashless" else "cash_pay_point"
        cycle_area = parent[commune] if structure == "2024" else commune
        for back in range(12):
            month = add_months(THIS_MONTH, -back)
            key = (cycle_area, month)
            if key not in cycles:
                cycles[key] = len(cycles) + 1
            line_status = rng.choice(NOW_STATUSES if back == 0 else DONE)
            if method == "account" and line_status in ("cash_paid", "cash_pending"):
                fallback = "cash_pay_point"
            elif method != "account" and line_status in ("paid", "failed"):
                line_status, fallback = "cash_paid", None
            else:
                fallback = None
            reason = "not_collected" if line_status == "returned" else None
            lines.append(
                dict(
                    LINE,
                    cycle_id=cycles[key],
                    beneficiary_code=code,
                    month=month,
                    commune_code=commune,
                    method=method,
                    status=line_status,
                    fallback_method=fallback,
                    return_reason=reason,
                )
            )
    cycle_rows = [
        {"id": cid, "business_key": f"PAY-{area}-{month:%Y-%m}", "area_code": area, "month": month,
         "status": "funded" if month == THIS_MONTH else "closed", "line_count": 0, "total_amount": 0,
         "created_at": NOW, "updated_at": NOW}
        for (area, month), cid in cycles.items()
    ]  # fmt: skip
    with ctx.db.engine.begin() as conn:
        for table, rows in ((Beneficiary.__table__, people), (Instance.__table__, instances),
                            (OpenTask.__table__, tasks), (PayoutCycle.__table__, cycle_rows),
                            (PayoutLine.__table__, lines)):  # fmt: skip
            for start in range(0, len(rows), 50_000):
                conn.execute(insert(table), rows[start : start + 50_000])
        conn.exec_driver_sql("ANALYZE")
    return {
        "district": "2024:608",
        "commune_2024": communes["2024"][0],
        "commune_2025": communes["2025"][0],
        "lines": str(len(lines)),
        "open_tasks": str(len(tasks)),
    }


def login(app, username: str):
    client = app.test_client()
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def timed(client, path: str, requests: int) -> dict[str, float]:
    """Wall time, and the process's CPU time (the same figure without the other processes sharing the
    machine's cores)."""
    wall, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code, client is not None)
    return {"p50_ms": _pct(wall, 0.5), "p95_ms": _pct(wall, 0.95), "cpu_p50_ms": _pct(cpu, 0.5),
            "cpu_p95_ms": _pct(cpu, 0.95)}  # fmt: skip


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[round(share * (len(ordered) - 1))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        bootstrap(url, upgrade=True).db.dispose()  # what `ansinh db upgrade` does
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        app.extensions["ansinh"].clock = lambda: NOW
        started = time.perf_counter()
        facts = fill(app, args.n)
        load_s = time.perf_counter() - started
        tinh, huyen, tinh25 = login(app, "tinh"), login(app, "huyen"), login(app, "tinh25")
        started = time.perf_counter()
        first = tinh.get("/dashboard/")
        assert first.status_code == 200, first.get_data(as_text=True)[-2000:]
        first_ms = (time.perf_counter() - started) * 1000
        pages = {
            "province_2024": (tinh, "/dashboard/"),
            "district_2024_by_province": (tinh, f"/dashboard/?area={facts['district']}"),
            "district_2024_own": (huyen, "/dashboard/"),
            "commune_2024": (tinh, f"/dashboard/?area={facts['commune_2024']}"),
            "province_2025": (tinh25, "/dashboard/?area=2025:51"),
            "commune_2025": (tinh25, f"/dashboard/?area={facts['commune_2025']}"),
        }
        result = {name: timed(client, path, args.requests) for name, (client, path) in pages.items()}
        app.extensions["ansinh"].db.dispose()
    worst = max(r["p95_ms"] for r in result.values())
    worst_cpu = max(r["cpu_p95_ms"] for r in result.values())
    print(json.dumps({"beneficiaries": args.n, "payout_lines": int(facts["lines"]),
                      "open_tasks": int(facts["open_tasks"]), "load_s": round(load_s, 1),
                      "first_request_ms": round(first_ms, 1), "pages": result, "worst_p95_ms": worst,
                      "worst_cpu_p95_ms": worst_cpu, "load_average": round(os.getloadavg()[0], 1),
                      "p95_target_ms": 300, "database": "sqlite"}))  # fmt: skip


if __name__ == "__main__":
    main()
