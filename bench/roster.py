"""Importing a province's existing roll: N people (default 50,000) from one xlsx file, each becoming a record,
an enrolment and a case at its step (three in four already paid by account, waiting as active cashless;
the rest paid in cash, at outreach), on SQLite in a temporary folder, with the 2024 organisation loaded.

Prints one JSON object on its last line: the import's seconds and rows per second, the largest resident
memory of the process during the import, and the same file imported again (which creates nothing).

Usage: python bench/roster.py [--n 50000]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from engine import deploy_paths  # noqa: E402
from engine.models import Instance, OpenTask  # noqa: E402
from workflows.beneficiaries.models import Beneficiary, Enrolment  # noqa: E402
from workflows.bootstrap import bootstrap  # noqa: E402
from workflows.org.models import Area  # noqa: E402
from workflows.org.setup import load_organisation  # noqa: E402
from workflows.roster import import_roll  # noqa: E402
from workflows.roster.rows import COLUMNS  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Y", "A", "Đinh", "Hồ", "Võ", "Rơ Châm"]
MIDDLE = ["Thị", "Văn", "Đức", "Ngọc", "Minh"]
GIVEN = ["Hoa", "Lan", "Bình", "Dũng", "Blông", "Nhung", "Hùng", "Mai", "Thơ", "Kim"]
CATEGORIES = [
    "elderly_80_plus_no_pension",
    "disabled_severe",
    "disabled_particularly_severe",
    "orphan_4_plus",
]


def roll_file(n: int, communes: list[str], seed: int = 9) -> bytes:
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append([header for _, header, _ in COLUMNS])
    for i in range(n):
        gender = rng.choice(["Nam", "Nữ"])
        born = date(rng.randint(1930, 1999), rng.randint(1, 12), rng.randint(1, 28))
        cccd = f"062{0 if gender == 'Nam' else 1}{born.year % 100:02d}{i:06d}"
        by_account = rng.random() < 0.75
        sheet.append([
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", born.strftime("%d/%m/%Y"),
            gender, cccd, rng.choice(communes), f"Thôn {rng.randint(1, 12)}", rng.choice(CATEGORIES), "",
            f"{rng.randint(1, 12):02d}/{rng.randint(2018, 2023)}", "06/2024",
            "Tài khoản" if by_account else "Tiền mặt", "VBA" if by_account else "",
            f"51002{i:08d}" if by_account else "", "",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ctx = bootstrap(f"sqlite:///{folder}/bench.db", upgrade=True)
        deploy_paths(ctx, [ROOT / "bpmn"])
        with ctx.db.write() as session:
            load_organisation(session, "2024")
            communes = list(session.scalars(select(Area.official_code).where(Area.level == "commune")))
        started = time.perf_counter()
        content = roll_file(args.n, communes)
        made_s = time.perf_counter() - started
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        report = import_roll(ctx, "roll.xlsx", content)
        seconds = time.perf_counter() - started
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        again = import_roll(ctx, "roll.xlsx", content)
        again_s = time.perf_counter() - started
        with ctx.db.read() as session:
            counts = {
                "records": session.scalar(select(func.count()).select_from(Beneficiary)),
                "enrolments": session.scalar(select(func.count()).select_from(Enrolment)),
                "cases": session.scalar(select(func.count()).select_from(Instance)),
                "outreach_tasks": session.scalar(select(func.count()).select_from(OpenTask)),
            }
        ctx.db.dispose()
    assert report.created == args.n and not report.rejected, report.as_json()["rejected"][:3]
    assert again.created == 0 and again.unchanged == args.n
    assert counts["records"] == counts["cases"] == counts["enrolments"] == args.n, counts
    print(json.dumps({
        "rows": args.n, "file_mb": round(len(content) / 1e6, 1), "file_build_s": round(made_s, 1),
        "import_s": round(seconds, 1), "import_rows_per_s": round(args.n / seconds),
        "peak_rss_mb": round(rss_peak / 1024), "rss_before_import_mb": round(rss_before / 1024),
        "reimport_s": round(again_s, 1), **counts,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
