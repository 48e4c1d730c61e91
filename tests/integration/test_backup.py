"""``ansinh backup`` copies the SQLite database while it is being written to; ``ansinh restore`` puts
the copy back, and the cases go on from where they stood when it was taken. (SQLite only: PostgreSQL is
backed up with pg_dump, which the command names.)"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import engine
from engine.jobs import JobKinds, enqueue, list_jobs
from tests.conftest import ROOT
from web.cli import main
from workflows.bootstrap import bootstrap
from workflows.case import service as cases
from workflows.demo.organisation import build_demo_organisation
from workflows.org import area_code, load_area_file
from workflows.tasks import submit_task

COMMUNE = area_code("2024", "23311")
OUTREACH = {"contact_date": "2024-03-01", "channel": "home_visit", "outcome": "agrees"}


def test_a_backup_taken_while_writing_restores_the_database_as_it_was(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'ansinh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    ctx = bootstrap(url, upgrade=True)
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024", dates=(date(2024, 1, 1), None))  # routes on today's date
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    case = cases.open_case(ctx, "BN-0001", COMMUNE, "Y Thị Hoa", "elderly_80_plus_no_pension")
    kinds = JobKinds()
    kinds.register("noop")(lambda ctx, job: None)

    writing = threading.Event()

    def writer() -> None:  # the app goes on writing while the copy is taken
        while not writing.is_set():
            enqueue(ctx, kinds, "noop", {})

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copy = tmp_path / "backups" / "ansinh-1.db"
        assert main(["backup", str(copy)]) == 0
    finally:
        writing.set()
        thread.join()
    assert "backup written to" in capsys.readouterr().out and copy.exists()
    assert main(["backup", str(copy)]) == 1  # never over an earlier backup
    assert "already exists" in capsys.readouterr().err

    (outreach,) = engine.get_instance(ctx, case.instance_id).open_tasks
    submit_task(ctx, outreach.id, OUTREACH, user="an")  # done after the backup: lost by the restore
    jobs_before = len(list_jobs(ctx, limit=100_000))
    ctx.db.dispose()

    assert main(["restore", str(copy)]) == 0
    restored = bootstrap(url)  # the schema is current: a backup of this release
    try:
        (waiting,) = engine.get_instance(restored, case.instance_id).open_tasks
        assert waiting.bpmn_id == "outreach" and waiting.id == outreach.id
        assert 0 < len(list_jobs(restored, limit=100_000)) <= jobs_before
        step = submit_task(restored, waiting.id, OUTREACH, user="an")  # and the case goes on
        assert [t.bpmn_id for t in step.step.open_tasks] == ["register"]
    finally:
        restored.db.dispose()

    not_ours = tmp_path / "other.db"
    not_ours.write_bytes(b"")
    assert main(["restore", str(not_ours)]) == 1
    assert "not an An Sinh database" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert main(["backup", str(tmp_path / "pg.dump")]) == 1
    assert "pg_dump --format=custom" in capsys.readouterr().err
    assert not Path(tmp_path / "pg.dump").exists()
