"""Putting a province into service from the command line, on an empty database: its organisation only
(twice changes nothing), then its roll, whose report is the last line of ``--json``."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from engine.models import Instance, OpenTask
from web.cli import main
from workflows.accounts.models import User
from workflows.beneficiaries.models import Beneficiary
from workflows.bootstrap import bootstrap
from workflows.org.models import Agency, Area, RoleAssignment
from workflows.roster.rows import COLUMNS

OUTSIDE = "Mã xã «99999» không phải một xã trong địa bàn của bạn (mã 5 chữ số hiện hành)."


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def counts(database_url: str) -> dict[str, int]:
    ctx = bootstrap(database_url)
    try:
        with ctx.db.read() as session:
            return {
                model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Area, Agency, RoleAssignment, User, Beneficiary, Instance, OpenTask)
            }
    finally:
        ctx.db.dispose()


def test_organisation_then_roll_on_an_empty_database(cli, database_url, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    code, out, _ = cli("org", "load", "--structure", "2024")
    assert code == 0 and "113 areas (113 new)" in out
    loaded = counts(database_url)
    assert loaded["Agency"] > 150 and loaded["RoleAssignment"] > 150
    assert (loaded["User"], loaded["Beneficiary"], loaded["Instance"]) == (0, 0, 0)
    assert cli("org", "load", "--structure", "2024")[1].endswith("nothing changed\n")
    assert counts(database_url) == loaded

    path = tmp_path / "roll.csv"
    with path.open("w", encoding="utf-8", newline="") as out_file:
        writer = csv.writer(out_file)
        writer.writerow([header for _, header, _ in COLUMNS])
        writer.writerow(
            [
                "Y Thị Hoa",
                "01/05/1942",
                "Nữ",
                "062142000123",
                "23311",
                "Thôn 1",
                "elderly_80_plus_no_pension",
                "",
                "01/2022",
                "",
                "Tài khoản",
                "VBA",
                "5100205123456",
                "",
            ]
        )
        writer.writerow(
            [
                "A Văn Bình",
                "02/03/1950",
                "Nam",
                "",
                "23311",
                "Thôn 2",
                "disabled_severe",
                "",
                "06/2023",
                "",
                "Tiền mặt",
                "",
                "",
                "",
            ]
        )
        writer.writerow(["A Văn Bình", "02/03/1950", "Nam", "", "99999", "Thôn 2", "disabled_severe", "",
                         "06/2023", "", "Tiền mặt", "", "", ""])  # fmt: skip
    code, out, _ = cli("roster", "import", str(path), "--json")
    assert code == 0
    assert json.loads(out.strip().splitlines()[-1]) == {
        "created": 2, "unchanged": 0, "differences": 0, "differing": [],
        "rejected": [{"row": 4, "column": "Mã xã", "reason": OUTSIDE}],
    }  # fmt: skip
    after = counts(database_url)
    assert (after["Beneficiary"], after["Instance"], after["OpenTask"], after["User"]) == (2, 2, 1, 0)
    code, out, _ = cli("roster", "import", str(path))
    assert out.splitlines()[-1] == "0 created, 2 unchanged, 0 differences, 1 rejected"


def test_the_2025_structure_loads_alone(cli, database_url):
    assert cli("db", "upgrade")[0] == 0
    assert cli("org", "load", "--structure", "2025")[0] == 0
    loaded = counts(database_url)
    assert loaded["Area"] > 90 and loaded["Agency"] > loaded["Area"] and loaded["User"] == 0


def test_successions_from_a_csv_all_rows_or_none_each_problem_named(cli, database_url, tmp_path):
    from workflows.org.models import AreaSuccession

    assert cli("db", "upgrade")[0] == 0
    assert cli("org", "load", "--structure", "2024")[0] == 0
    code, out, _ = cli("org", "load", "--structure", "2025", "--json")
    assert code == 0 and json.loads(out)["successions"] == 102  # both structures in: Kon Tum's communes
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "old,new,effective_from,source\n"
        "2024:23311,2025:23284,2025-07-01,Nghị quyết 1677/NQ-UBTVQH15\n"
        "2024:99999,2025:23284,2025-07-01,NQ 1677\n"
        "2024:23314,2025:23284,1/7/2025,\n",
        encoding="utf-8",
    )
    code, _, err = cli("org", "successions", str(bad), "--user", "admin")
    assert code == 1
    assert err.splitlines() == [
        "error: line 3, old: no area '2024:99999' (codes as stored: 2024:23311)",
        "error: line 4, effective_from: '1/7/2025' is not a date (YYYY-MM-DD)",
        "error: line 4, source: name the decision or resolution",
    ]
    ctx = bootstrap(database_url)
    try:
        with ctx.db.read() as session:
            before = session.scalar(select(func.count()).select_from(AreaSuccession))
    finally:
        ctx.db.dispose()
    good = tmp_path / "good.csv"
    good.write_text(  # one pair changed (the shipped file has Xã Kroong → Xã Ngọk Bay), saved by Excel (BOM)
        "\ufeffold,new,effective_from,source\n2024:23314,2025:23284,2025-07-01,Nghị quyết 1677/NQ-UBTVQH15\n",
        encoding="utf-8",
    )
    code, out, _ = cli("org", "successions", str(good))
    assert code == 0
    ctx = bootstrap(database_url)
    try:
        with ctx.db.read() as session:
            after = session.scalar(select(func.count()).select_from(AreaSuccession))
            row = session.scalar(select(AreaSuccession).where(AreaSuccession.old_code == "2024:23314"))
            assert (row.new_code, row.source) == ("2025:23284", "Nghị quyết 1677/NQ-UBTVQH15")
    finally:
        ctx.db.dispose()
    assert before == after == 102 and out.strip() == "0 added, 1 corrected, 0 unchanged"
    assert cli("org", "successions", str(good))[1].strip() == "0 added, 0 corrected, 1 unchanged"
