"""The province department's year (bpmn/province_year.bpmn) driven through its tasks with a manual
clock: started once by the scheduler, targets required before it goes on, the one-year review and the
November review each with the year's figures attached, sent back once and then approved."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

import engine
from engine import fire_due_timers
from engine.models import HistoryEvent
from tests.web.dashboard_data import cycle, people
from workflows.dashboard import get_document, set_target, start_year, start_years, year_view
from workflows.dashboard.yearly import moments
from workflows.scheduler import yearly_job
from workflows.scope import scope_for
from workflows.tasks import submit_task

PROVINCE, CITY, COMMUNE = "2024:62", "2024:608", "2024:23311"


def test_the_plan_reviews_its_first_year_in_2025_and_every_year_in_november():
    assert moments(2025) == {
        "review_at": "2025-11-01T08:00:00+07:00",
        "one_year_at": "2025-02-28T08:00:00+07:00",
    }
    assert moments(2026) == {"review_at": "2026-11-01T08:00:00+07:00", "one_year_at": ""}


def open_steps(ctx, instance_id: int) -> list[str]:
    return [t.bpmn_id for t in engine.get_instance(ctx, instance_id).open_tasks]


def submit(province, instance_id: int, bpmn_id: str, form: dict) -> None:
    ctx = province.fresh()  # every step from the database: nothing carried over in memory
    (task,) = [t for t in engine.get_instance(ctx, instance_id).open_tasks if t.bpmn_id == bpmn_id]
    assert task.role == "dolisa" and task.due_at is not None
    routed = submit_task(ctx, task.id, form, user="so")
    assert all(r.agency_code == f"{PROVINCE}/so-ldtbxh" for r in routed.next_tasks)


def test_the_year_runs_through_its_tasks(province):
    clock, ctx = province.clock, province.ctx
    clock.now = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)
    # The plan's real first anniversary is 28/02/2025 (see above); a plan started in May 2023 has its
    # one-year review in 2024, while the 2024 organisation still holds.
    job = yearly_job(lambda c, year: start_year(c, PROVINCE, year, plan_start=date(2023, 5, 15)))
    assert job.run(ctx) == "started the provinces' year 2024"
    assert job.run(ctx) is None  # once a year, whoever ticks
    (year_id,) = {s.instance_id for s in start_years(ctx, 2024)}  # starting again returns the running one
    assert open_steps(ctx, year_id) == ["set_targets"]

    submit(province, year_id, "set_targets", {"confirmed": True})
    assert open_steps(ctx, year_id) == ["set_targets"]  # no target for the year yet: back to the task
    with ctx.db.read() as session:
        scope = scope_for(session, f"{PROVINCE}/so-ldtbxh", date(2024, 1, 2))
    set_target(ctx, scope, False, CITY, "2024-12-31", "70", "Năm 2024", "so")
    submit(province, year_id, "set_targets", {"confirmed": True, "note": "Đã giao cho 10 huyện"})
    assert open_steps(ctx, year_id) == []  # waiting for the one-year review and for November
    people(ctx, COMMUNE, "active_cashless", 3)
    people(ctx, COMMUNE, "cash", 1)

    clock.now = datetime(2024, 5, 15, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam: not yet
    assert fire_due_timers(province.fresh()).due == 0
    clock.now = datetime(2024, 5, 15, 2, 0, tzinfo=UTC)
    assert fire_due_timers(province.fresh()).due == 1
    assert open_steps(ctx, year_id) == ["prepare_one_year"]
    (one_year,) = year_view(ctx, f"YEAR-{PROVINCE}-2024").documents
    assert one_year.kind == "one_year"
    book = load_workbook(io.BytesIO(get_document(ctx, one_year.id)[2]))
    cover = {r[0]: r for r in book.worksheets[1].iter_rows(min_row=5, values_only=True)}
    assert cover["Thành phố Kon Tum"][1:6] == (4, 3, 1, 75.0, 70)  # people, by account, cash, share, target
    assert len(list(book.worksheets[0].iter_rows(min_row=5))) == 12  # twelve months up to May 2024

    report = {"report_number": "45/BC-SLĐTBXH", "summary": "Sơ kết một năm: 75% nhận qua tài khoản."}
    submit(province, year_id, "prepare_one_year", report)
    submit(province, year_id, "approve_one_year", {"decision": "revise", "note": "Bổ sung số liệu xã"})
    assert open_steps(ctx, year_id) == ["prepare_one_year"]
    submit(province, year_id, "prepare_one_year", report)
    submit(province, year_id, "approve_one_year", {"decision": "approve"})
    assert open_steps(ctx, year_id) == []

    (someone,) = people(ctx, COMMUNE, "active_cashless", 1)
    cycle(ctx, CITY, date(2024, 10, 1), "closed", [(someone, COMMUNE, "paid", 500_000, None, None)])
    clock.now = datetime(2024, 11, 1, 2, 0, tzinfo=UTC)
    assert fire_due_timers(province.fresh()).due == 1
    assert open_steps(ctx, year_id) == ["prepare_annual"]
    annual = year_view(ctx, f"YEAR-{PROVINCE}-2024").documents[-1]
    months = load_workbook(io.BytesIO(get_document(ctx, annual.id)[2])).worksheets[0]
    rows = {r[0]: r for r in months.iter_rows(min_row=5, values_only=True)}
    assert list(rows)[::10] == ["01/2024", "11/2024"]  # January to the review's month
    assert rows["10/2024"][1:3] == (1, 500_000)  # October's line, paid by account
    submit(province, year_id, "prepare_annual", {"report_number": "300/BC-SLĐTBXH", "summary": "Năm 2024."})
    submit(province, year_id, "approve_annual", {"decision": "approve"})
    instance = engine.get_instance(ctx, year_id)
    assert instance.status == "completed"
    assert instance.data["annual_sent"]["sent_at"].startswith("2024-11-01")
    assert instance.data["one_year_sent"]["kind"] == "one_year"
    with ctx.db.read() as session:  # the one-year report was drafted twice (sent back once)
        steps = session.scalars(select(HistoryEvent.bpmn_id).where(HistoryEvent.instance_id == year_id)).all()
    assert steps.count("prepare_one_year") == steps.count("approve_one_year") >= 2
