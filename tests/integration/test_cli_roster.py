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
