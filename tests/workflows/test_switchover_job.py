"""The 1/7/2025 reorganisation carried out by the scheduler on its date: an open case of a 2024 commune
moves to its 2025 commune with its open task and that task's deadline, each in the history."""

from __future__ import annotations

from datetime import UTC, datetime

import engine
from tests.workflows.conftest import COMMUNE_2024
from workflows.demo.organisation import build_demo_organisation
from workflows.org import load_current_units
from workflows.org.switchover import load_successions
from workflows.scheduler import switchover_job

DAK_CAM_2025 = "2025:23284"  # Xã Đăk Cấm (2024) is part of Phường Đăk Cấm (2025)


def test_an_open_case_its_task_and_deadline_move_on_the_date_by_the_scheduler(province):
    with province.fresh().db.write() as session:
        load_current_units(session, "51")
        build_demo_organisation(session, "2025")
        load_successions(session)
    case = province.case()
    assert case.waiting() == "outreach"
    (task,) = engine.list_tasks(province.fresh(), area_codes=[COMMUNE_2024])
    job = switchover_job()
    province.clock.now = datetime(2025, 6, 30, 16, 0, tzinfo=UTC)
    assert job.run(province.fresh()) is None  # 23:00 on 30 June in Vietnam: not yet
    province.clock.now = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
    assert job.run(province.fresh()).startswith("reorganisation of 01/07/2025: 102 areas, 1 records")
    assert job.run(province.fresh()) is None  # once
    assert case.record().area_code == DAK_CAM_2025
    (moved,) = engine.list_tasks(province.fresh(), area_codes=[DAK_CAM_2025])
    assert (moved.id, moved.due_at) == (task.id, task.due_at)
    assert engine.list_tasks(province.fresh(), area_codes=[COMMUNE_2024]) == []
    (entry,) = [
        h for h in engine.instance_history(province.fresh(), case.instance_id) if h.kind == "area_moved"
    ]
    assert entry.actor == "scheduler"
    assert entry.data == {
        "from": COMMUNE_2024,
        "to": DAK_CAM_2025,
        "tasks": [
            {
                "task": task.id,
                "step": "outreach",
                "role": "commune",
                "due_at": task.due_at.isoformat() if task.due_at else None,
            }
        ],
    }
