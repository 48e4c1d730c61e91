"""Moving running cases to a new process version: preview, bulk move with history, the rest stay."""

from __future__ import annotations

import json

import workflows.bootstrap
from engine import deploy, get_instance, instance_history, start_instance
from engine.migration import migrate_instances, preview_migration
from engine.services import ServiceRegistry
from tests.conftest import FIXTURES
from tests.integration.conftest import EchoService
from web.cli import main

FILES = ["engine_fixture.bpmn", "engine_subprocess.bpmn", "classify_amount.dmn"]


def _files(**replace: tuple[bytes, bytes]) -> dict[str, bytes]:
    files = {name: (FIXTURES / name).read_bytes() for name in FILES}
    for old, new in replace.values():
        files["engine_fixture.bpmn"] = files["engine_fixture.bpmn"].replace(old, new)
    return files


def test_preview_then_move_renames_open_tasks_and_records_the_move(ctx):
    deploy(ctx, _files())
    old = start_instance(ctx, "engine_fixture", "BK-1", "62001")
    deploy(ctx, _files(name=(b'name="Register application"', b'name="Register the application"')))
    (check,) = preview_migration(ctx, "engine_fixture")
    assert check.instance_id == old.instance_id and check.from_version == 1 and check.can_move
    assert check.waiting_at == [old.open_tasks[0].bpmn_id]
    result = migrate_instances(ctx, "engine_fixture", [old.instance_id], None, actor="admin")
    assert (result.to_version, result.moved, result.refused) == (2, [old.instance_id], {})
    view = get_instance(ctx, old.instance_id)
    assert view.process_version == 2
    assert [t.name for t in view.open_tasks] == ["Register the application"]
    assert view.open_tasks[0].id == old.open_tasks[0].id  # the same task: its claim and due time stay
    moved = [e for e in instance_history(ctx, old.instance_id) if e.kind == "instance_migrated"]
    assert moved and moved[0].actor == "admin" and moved[0].data["to_version"] == 2
    assert preview_migration(ctx, "engine_fixture") == []


def test_a_case_standing_at_a_removed_step_stays_on_its_version(ctx):
    deploy(ctx, _files())
    old = start_instance(ctx, "engine_fixture", "BK-1", "62001")
    waiting = old.open_tasks[0].bpmn_id
    files = _files(
        start=(b'<bpmn:userTask id="register"', b'<bpmn:manualTask id="register"'),
        end=(
            b'</bpmn:userTask>\n    <bpmn:scriptTask id="compute"',
            b'</bpmn:manualTask>\n    <bpmn:scriptTask id="compute"',
        ),
    )
    deploy(ctx, files)
    (check,) = preview_migration(ctx, "engine_fixture")
    assert not check.can_move and waiting in check.blockers[0]
    result = migrate_instances(ctx, "engine_fixture", [old.instance_id], 2, actor="admin")
    assert result.moved == [] and waiting in result.refused[old.instance_id][0]
    assert get_instance(ctx, old.instance_id).process_version == 1


def test_the_command_line_previews_then_migrates(database_url, monkeypatch, capsys, tmp_path):
    registry = ServiceRegistry()
    registry.handler("echo")(EchoService())
    monkeypatch.setattr(workflows.bootstrap, "registry", registry)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name, content in _files().items():
        (tmp_path / name).write_bytes(content)
    assert main(["db", "upgrade"]) == 0
    assert main(["deploy", str(tmp_path)]) == 0
    assert main(["instances", "start", "engine_fixture", "--business-key", "BK-1", "--area", "62001"]) == 0
    changed = _files(name=(b'name="Register application"', b'name="Register it"'))
    (tmp_path / "engine_fixture.bpmn").write_bytes(changed["engine_fixture.bpmn"])
    assert main(["deploy", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["instances", "migrate", "--to", "engine_fixture:2", "--dry-run", "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert [(c["business_key"], c["blockers"]) for c in preview["checks"]] == [("BK-1", [])]
    assert preview["result"] is None
    assert main(["instances", "migrate", "--to", "engine_fixture", "--user", "admin"]) == 0
    assert "moved 1 to v2; 0 stay" in capsys.readouterr().out
