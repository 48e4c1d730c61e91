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
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from engine import deploy_paths  # noqa: E402
from engine.fastsql import copy_rows  # noqa: E402
from engine.models import Instance, OpenTask  # noqa: E402
from web import create_app  # noqa: E402
from workflows.accounts import create_user  # noqa: E402
from workflows.beneficiaries.models import Beneficiary  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.demo.organisation import build_demo_organisation  # noqa: E402
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
    rng = random.Random(seed)
    with ctx.db.write() as session:
        load_current_units(session, "51")
        build_demo_organisation(session, "2025")
        communes = sorted(session.execute(text("SELECT code FROM areas WHERE level = 'commune'")).scalars())
        create_user(session, "xa", PASSWORD, f"{communes[0]}/ubnd", NOW)
        create_user(session, "tinh", PASSWORD, "2025:51/ca", NOW)
    (deployed,) = [p for p in deploy_paths(ctx, [ROOT / "bpmn"]) if p.key == "beneficiary_case"]
    batch = 20_000
    for start in range(0, n, batch):  # one transaction per batch: the WAL stays small, the fill linear
        rows = [
            _rows(i, communes[i % len(communes)], rng, deployed.version_id)
            for i in range(start, min(start + batch, n))
        ]
        with ctx.db.engine.begin() as conn:  # COPY on PostgreSQL, multi-row INSERTs on SQLite
            for table, index in (
                (Beneficiary.__table__, 0),
                (Instance.__table__, 1),
                (OpenTask.__table__, 2),
            ):
                copy_rows(conn, table, [r[index] for r in rows])
    with ctx.db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return {"commune_area": communes[0]}


def _rows(i: int, area: str, rng: random.Random, version_id: int) -> tuple[dict, dict, dict]:
    """One beneficiary, their case and its open task."""
    code = f"BN-{i:07d}"
    name = " ".join(p for p in (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)) if p)
    role, step, step_name = ROLES[i % len(ROLES)]
    created = NOW - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
    due = NOW - timedelta(days=1) if rng.random() < 0.01 else NOW + timedelta(days=rng.randint(1, 20))
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
        "due_at": due, "claimed_by": None, "claimed_at": None,
    }  # fmt: skip
    return person, instance, task


def login(client, username: str) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code


def timings(client, path: str, requests: int) -> dict[str, float]:
    client.get(path)  # warm
    samples = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="open tasks")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per query")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/inbox.db"
        bootstrap(url, upgrade=True).db.dispose()  # what `ansinh db upgrade` does
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        app.extensions["ansinh"].clock = lambda: NOW
        started = time.perf_counter()
        fill(app, args.n)
        fill_s = time.perf_counter() - started
        cpu = os.times()
        print(f"filled {args.n} open tasks in {fill_s:.1f} s (this process: {cpu.user:.0f} s user, "
              f"{cpu.system:.0f} s system; load average {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
        result: dict[str, object] = {"database": app.extensions["ansinh"].db.dialect, "open_tasks": args.n,
                                     "fill_s": round(fill_s, 1)}  # fmt: skip
        for user in ("xa", "tinh"):
            client = app.test_client()
            login(client, user)
            for label, path in (
                ("first_page", "/"),
                ("overdue", "/?status=overdue"),
                ("search", "/?q=nguyen+van+an"),
            ):
                for key, value in timings(client, path, args.requests).items():
                    result[f"{user}_{label}_{key}"] = value
        app.extensions["ansinh"].db.dispose()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
