"""The calendar and agencies pages: a day off previewed against open deadlines then saved with the
deadlines moved; a role given to another agency from a date, the open task following it on that date."""

from __future__ import annotations

from datetime import timedelta

import engine
from tests.web.demo_app import COMMUNE_A, COMMUNE_B, open_case_at_registration


def test_a_day_off_shows_and_moves_open_deadlines_and_a_role_moves_with_its_date(app, browser):
    task = open_case_at_registration(app)  # created Monday 04/03/2024, due P5WD: Monday 11/03 17:00
    ctx = app.extensions["ansinh"]
    admin = browser("admin")
    preview = admin.post(
        "/admin/calendar/preview", {"day": "2024-03-06", "kind": "day_off", "note": "QĐ 12/UBND"},
        "/admin/calendar",
    ).get_data(as_text=True)  # fmt: skip
    assert f'data-task="{task.id}"' in preview and "12/03/2024" in preview
    assert engine.get_task(ctx, task.id).due_at == task.due_at  # nothing saved by a preview
    saved = admin.post(
        "/admin/calendar",
        {"day": "2024-03-06", "kind": "day_off", "note": "QĐ 12/UBND", "move_deadlines": "on"},
        "/admin/calendar",
    )
    assert saved.status_code == 302
    assert engine.get_task(ctx, task.id).due_at == task.due_at + timedelta(days=1)
    assert "QĐ 12/UBND" in admin.get("/admin/calendar?year=2024").get_data(as_text=True)

    given = admin.post(
        "/admin/agencies/assignments",
        {"role": "commune", "area_code": COMMUNE_A, "agency_code": f"{COMMUNE_B}/ubnd",
         "effective_from": "2024-03-08"},
        "/admin/agencies",
    )  # fmt: skip
    assert given.status_code == 302
    assert "1 việc đang mở" in admin.get("/admin/agencies").get_data(as_text=True)
    assert "Y Thị Hoa" in browser("an").get("/").get_data(as_text=True)  # before the date: still theirs
    app.clock.now += timedelta(days=5)  # Saturday 09/03
    assert "Y Thị Hoa" not in browser("an").get("/").get_data(as_text=True)
    assert "Y Thị Hoa" in browser("cuong").get("/").get_data(as_text=True)
    history = [e.kind for e in engine.instance_history(ctx, task.instance_id)]
    assert "due_changed" in history
