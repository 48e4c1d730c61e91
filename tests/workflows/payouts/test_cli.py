"""``ansinh payouts …`` in-process: start, show, import (with refused rows listed), export, notices."""

from __future__ import annotations

import json

import pytest

from web.cli import main

from .conftest import results_csv


@pytest.fixture
def cli(pay, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", pay.province.database_url)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_cycle_from_the_command_line(pay, cli, tmp_path):
    pay.add(10)
    code, out, _ = cli("payouts", "start", "2024-08")
    assert (code, out) == (0, "PAY-2024:608-2024-08\tcycle 1\tstarted\n")
    assert (
        cli("payouts", "start", "2024-08", "--area", "2024:608")[1]
        == "PAY-2024:608-2024-08\tcycle 1\talready started\n"
    )
    code, out, _ = cli("payouts", "show", "PAY-2024:608-2024-08")
    assert "list: 10 lines, 7.500.000 ₫" in out and "waiting for: approve_list (district_labour)" in out
    pay.approve_and_fund(1)
    results = tmp_path / "ket-qua.csv"
    lines = pay.lines(1, method="account")
    results.write_bytes(results_csv(lines) + b"999,\xc4\x90\xc3\xa3 chi,,X\r\n")
    code, out, _ = cli("payouts", "import", 1, results)
    assert code == 0
    assert out.splitlines() == [
        "import 1: 10 rows, 9 applied, 0 already recorded, 1 refused",
        "  row 11: Không có dòng số 999 trong danh sách kỳ này.",
    ]
    assert "nothing changed" in cli("payouts", "import", 1, results)[1]
    code, _, err = cli("payouts", "import", 1, results, "--kind", "cash")
    assert code == 0
    for what, suffix in (("list", "csv"), ("returned", "xlsx"), ("report", "xlsx")):
        out_file = tmp_path / f"{what}.{suffix}"
        code, out, err = cli("payouts", "export", 1, what, "--format", suffix, "--out", out_file)
        assert err == ""
        assert code == 0 and out.startswith(f"wrote {out_file}") and out_file.stat().st_size > 0
    code, out, _ = cli("payouts", "notices", "--json")
    assert json.loads(out) == {"delivered": 0, "unmatched": 0, "duplicates": 0, "conflicts": 0}


def test_an_import_refused_whole_is_one_error_line(pay, cli, tmp_path):
    pay.add(3)
    cli("payouts", "start", "2024-08")
    results = tmp_path / "sớm.csv"
    results.write_bytes(b"Ma dong,Ket qua\n1,paid\n")
    code, _, err = cli("payouts", "import", "PAY-2024:608-2024-08", results)
    assert code == 1 and err == "error: Kho bạc chưa chuyển kinh phí cho kỳ này: chưa nhận kết quả chi trả.\n"
