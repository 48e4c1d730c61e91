"""A case that waits for a timer or a message, not a person: its page says what it waits for and when,
and hands the diagram the event to highlight."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

import engine
from tests.web.conftest import Browser
from tests.web.demo_app import COMMUNE_A
from workflows.case import service as cases
from workflows.org import Agency
from workflows.tasks import submit_task


def waiting_case(app) -> int:
    """A case whose officer could not reach the person: it waits 30 days before trying again."""
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, "BN-0009", COMMUNE_A, "Y Thị Hoa", "elderly_80_plus_no_pension")
    outreach = {"contact_date": "2024-03-01", "channel": "home_visit", "outcome": "not_reachable"}
    submit_task(ctx, step.open_tasks[0].id, outreach)
    return step.instance_id


def test_a_case_waiting_for_a_timer_says_for_what_and_until_when(app):
    instance_id = waiting_case(app)
    (wait,) = engine.instance_waits(app.extensions["ansinh"], instance_id)
    assert (wait.bpmn_id, wait.kind, wait.name) == ("retry_wait", "timer", "Chờ 30 ngày rồi vận động lại")
    page = Browser(app, "an").get("/cases/BN-0009").get_data(as_text=True)
    # 30 days after 08:00 on 4 March 2024, Vietnam time, in Vietnamese format
    assert "Hồ sơ đang chờ «Chờ 30 ngày rồi vận động lại» đến 03/04/2024 08:00." in page
    marks = json.loads(re.search(r"data-waiting='([^']*)'", page).group(1))
    assert marks == [{"id": "retry_wait", "label": "Chờ 30 ngày rồi vận động lại · 03/04/2024 08:00"}]
    assert re.search(r"data-current='\[\]'", page)


def test_in_english_the_wait_is_said_in_english(app):
    waiting_case(app)
    person = Browser(app, "an")
    person.post("/language", {"lang": "en", "next": "/"})
    page = person.get("/cases/BN-0009").get_data(as_text=True)
    assert "The case waits for «Wait 30 days, then reach out again» until 03/04/2024 08:00." in page


def test_a_case_at_a_person_s_step_waits_for_no_event(app, case_at_registration):
    page = Browser(app, "an").get("/cases/BN-0001").get_data(as_text=True)
    assert "data-waiting='[]'" in page and "Hồ sơ đang chờ «" not in page


def test_the_diagram_names_its_lanes_by_who_plays_them_for_this_case(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    with ctx.db.read() as session:
        names = dict(session.execute(select(Agency.code, Agency.name)).all())
    xml = Browser(app, "an").get("/cases/BN-0001/diagram.bpmn").get_data(as_text=True)
    lanes = re.findall(r'<bpmn:lane id="lane_(\w+)" name="([^"]*)"', xml)
    assert dict(lanes)["commune"] == names[f"{COMMUNE_A}/ubnd"]
    assert all(name not in ("commune", "district_labour", "police", "provider") for _, name in lanes)
