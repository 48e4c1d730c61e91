"""The ``ansinh`` command line, run in-process through ``main(argv)``, and once as the real console script.

The product's service registry (``workflows.services``) does not know the fixture's ``echo`` operator,
so these tests hand the CLI a registry that does, the way the integration conftest wires the engine.
The CLI builds a fresh engine context per command and leaves its connections open (harmless in a
one-shot process); in-process, the fixture disposes each one after the command, or psycopg's
ResourceWarning for a collected open connection fails a later test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import workflows.bootstrap
from engine.services import ServiceRegistry
from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import EchoService
from web.cli import main

START = ("instances", "start", "engine_fixture", "--business-key", "BK", "--area", "62001")
FIXTURE_PATHS = [
    str(FIXTURES / name) for name in ("engine_fixture.bpmn", "engine_subprocess.bpmn", "classify_amount.dmn")
]


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    """``cli(*argv) -> (exit code, stdout, stderr)`` against a fresh database."""
    registry = ServiceRegistry()
    registry.handler("echo")(EchoService())
    monkeypatch.setattr(workflows.bootstrap, "registry", registry)
    monkeypatch.setenv("DATABASE_URL", database_url)
    workflows.bootstrap.bootstrap(database_url, upgrade=True).db.dispose()  # `ansinh db upgrade` first

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def error_line(err: str) -> str:
    """The one line a failing command prints on stderr."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def test_deploy_start_complete_and_show(cli):
    assert cli("db", "upgrade") == (0, "database is up to date\n", "")

    code, out, err = cli("deploy", *FIXTURE_PATHS)
    assert (code, err) == (0, "")
    assert "engine_fixture v1 (new)" in out.splitlines()
    assert "engine_subprocess v1 (new)" in out.splitlines()
    code, out, _ = cli("deploy", *FIXTURE_PATHS)
    assert code == 0
    assert "engine_fixture v1 (unchanged)" in out.splitlines()
    assert "new" not in out

    code, out, _ = cli("processes", "--json")
    assert code == 0
    processes = {p["key"]: p for p in json.loads(out)}
    assert processes["engine_fixture"]["version"] == 1

    code, out, _ = cli(*START, "--data", "{}", "--json")
    assert code == 0
    started = json.loads(out)
    instance_id = started["instance_id"]
    assert isinstance(instance_id, int)
    assert started["status"] == "running"
    (register,) = started["open_tasks"]
    assert (register["bpmn_id"], register["role"], register["business_key"]) == ("register", "commune", "BK")

    code, out, _ = cli("tasks", "list", "--role", "commune", "--json")
    assert code == 0
    assert [(t["id"], t["bpmn_id"], t["instance_id"]) for t in json.loads(out)] == [
        (register["id"], "register", instance_id)
    ]
    code, out, _ = cli("tasks", "list", "--role", "district_labour", "--json")
    assert (code, json.loads(out)) == (0, [])

    code, out, err = cli(
        "tasks", "complete", register["id"], "--data", '{"amount": 30, "route": "slow"}', "--user", "alice"
    )
    assert (code, err) == (0, "")
    assert out.startswith(f"instance {instance_id}: running")
    assert " approve (district_labour)" in out

    code, out, _ = cli("instances", "show", str(instance_id), "--json")
    assert code == 0
    shown = json.loads(out)
    assert (shown["id"], shown["status"], shown["business_key"]) == (instance_id, "running", "BK")
    assert [t["bpmn_id"] for t in shown["open_tasks"]] == ["approve"]
    assert shown["data"]["total"] == 60
    assert shown["next_timer_at"] is not None

    # The same task again: it is no longer open.
    code, _, err = cli("tasks", "complete", register["id"], "--data", "{}")
    assert code == 1
    assert "no longer open" in error_line(err)


def test_completing_a_missing_task_is_one_error_line(cli):
    code, out, err = cli("tasks", "complete", "00000000-0000-0000-0000-000000000000", "--data", "{}")
    assert (code, out) == (1, "")
    assert "does not exist" in error_line(err)


def test_data_that_is_not_json_is_one_clear_error_line(cli):
    assert cli("db", "upgrade")[0] == 0
    code, out, err = cli(*START, "--data", "not json")
    assert code != 0
    assert out == ""
    assert "--data is not valid JSON" in error_line(err)


def test_data_that_is_not_an_object_is_refused(cli):
    code, out, err = cli("tasks", "complete", "some-task", "--data", "[1, 2]")
    assert code != 0
    assert out == ""
    assert "JSON object" in error_line(err)


def test_deploying_an_unsafe_script_names_the_element(cli):
    code, out, err = cli("deploy", str(FIXTURES / "unsafe_script.bpmn"))
    assert (code, out) == (1, "")
    line = error_line(err)
    assert "evil_script" in line
    assert "unsafe_script.bpmn" in line
    code, out, _ = cli("processes", "--json")
    assert (code, json.loads(out)) == (0, [])  # nothing was stored


def test_a_message_nobody_waits_for_exits_1(cli):
    code, _, err = cli("messages", "send", "payment_received", "--key", "NOPE")
    assert code == 1
    line = error_line(err)
    assert "no instance waits" in line
    assert "NOPE" in line


def _console_script() -> str:
    beside = Path(sys.executable).parent / "ansinh"
    found = str(beside) if beside.exists() else shutil.which("ansinh")
    assert found, "the ansinh console script is not installed (pip install -e .)"
    return found


def test_the_console_script_refuses_a_stale_schema_then_lists_processes_once_upgraded(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", ANSINH_INSTANCE_DIR=str(tmp_path))

    def ansinh(*argv: str) -> subprocess.CompletedProcess:
        command = [_console_script(), *argv]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    refused = ansinh("processes", "--json")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines()[-1].endswith("run `ansinh db upgrade` first")
    assert ansinh("db", "upgrade").stdout == "database is up to date\n"
    done = ansinh("processes", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert (tmp_path / "cli.db").exists()


def test_the_console_script_deploys_the_products_bpmn(tmp_path):
    """A fresh process must know every service operator the product's BPMN names."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", ANSINH_INSTANCE_DIR=str(tmp_path))
    upgrade = [_console_script(), "db", "upgrade"]
    subprocess.run(upgrade, env=env, capture_output=True, timeout=120, check=True)
    done = subprocess.run(
        [_console_script(), "deploy", str(ROOT / "bpmn"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    deployed = [p["key"] for p in json.loads(done.stdout)]
    assert deployed == ["beneficiary_case", "monthly_payout", "province_year"]


def test_users_are_created_from_the_command_line_with_the_password_on_stdin(cli, database_url, monkeypatch):
    import io

    from workflows.accounts import authenticate
    from workflows.bootstrap import bootstrap
    from workflows.demo.organisation import build_demo_organisation
    from workflows.org import load_area_file

    ctx = bootstrap(database_url, upgrade=True)
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
    code, out, _ = cli("agencies", "list", "--json")
    agencies = {a["code"]: a for a in json.loads(out)}
    assert code == 0 and agencies["2024:608/ldtbxh"]["name"] == "Phòng LĐTBXH thành phố Kon Tum"

    monkeypatch.setattr("sys.stdin", io.StringIO("Mat-khau-2024\n"))
    code, out, err = cli(
        "users", "create", "lan", "--agency", "2024:608/ldtbxh", "--full-name", "Trần Thị Lan"
    )
    assert (code, err) == (0, "") and "lan" in out
    with ctx.db.write() as session:
        assert (
            authenticate(session, "lan", "Mat-khau-2024", None, ctx.now()).account.full_name == "Trần Thị Lan"
        )

    monkeypatch.setattr("sys.stdin", io.StringIO("Mat-khau-2024\n"))
    code, _, err = cli("users", "create", "lan", "--agency", "2024:608/ldtbxh")
    assert code == 1 and "already exists" in error_line(err)
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    code, _, err = cli("users", "create", "tuan", "--agency", "2024:608/ldtbxh")
    assert code == 1 and "at least 10" in error_line(err)
    ctx.db.dispose()


def test_completing_a_case_step_goes_through_its_form(database_url, monkeypatch, capsys):
    """``tasks complete`` on a step of the product's case checks the step's form like the page does:
    a wrong value is refused with the field named, and nothing moves."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    workflows.bootstrap.bootstrap(database_url, upgrade=True).db.dispose()
    assert main(["deploy", str(ROOT / "bpmn")]) == 0
    data = '{"beneficiary": "BN-1", "category_code": "elderly_80_plus_no_pension", "start_at": "outreach"}'
    capsys.readouterr()
    assert main(["instances", "start", "beneficiary_case", "--business-key", "BN-1", "--area", "62001",
                 "--data", data, "--json"]) == 0  # fmt: skip
    (outreach,) = json.loads(capsys.readouterr().out)["open_tasks"]
    code = main(["tasks", "complete", outreach["id"], "--data", '{"channel": "pigeon"}', "--json"])
    err = capsys.readouterr().err
    assert code == 1 and "error: channel:" in err and "contact_date" in err
    assert main(["instances", "show", str(outreach["instance_id"]), "--json"]) == 0
    assert [t["bpmn_id"] for t in json.loads(capsys.readouterr().out)["open_tasks"]] == ["outreach"]
