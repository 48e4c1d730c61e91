"""A held task moves only by its holder, an administrator or a supervisor: an officer of an agency the
task escalates to (the city's People's Committee above the commune's), who may take it back or give it
to another officer of the commune, on the case page or through the API, with their name in the history.
A colleague cannot, nor an agency outside the task's chain."""

from __future__ import annotations

import re

import engine
from tests.web.conftest import Browser

CASE = "/cases/BN-0001"


def _history(app) -> str:
    html = Browser(app, "admin").get(CASE).get_data(as_text=True)
    return html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]


def test_a_supervisor_takes_a_held_task_back_and_gives_it_to_another_officer(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    task_id = case_at_registration.id
    engine.claim_task(ctx, task_id, "an")
    binh = Browser(app, "binh")
    binh.post(f"/tasks/{task_id}/unclaim", {"next": "/"}, from_page="/")
    assert engine.get_task(ctx, task_id).claimed_by == "an"  # a colleague cannot
    assert "Lấy lại việc" not in binh.get(CASE).get_data(as_text=True)

    hung = Browser(app, "hung")
    page = hung.get(CASE).get_data(as_text=True)
    assert "Đang do an giữ" in page and "Lấy lại việc" in page
    officers = re.search(r'<form[^>]*class="inline reassign".*?</form>', page, re.S).group(0)
    assert 'value="binh"' in officers and 'value="an"' in officers and 'value="hung"' not in officers

    taken = hung.post(f"/tasks/{task_id}/unclaim", {"next": CASE}, from_page=CASE)
    assert taken.status_code == 302 and taken.headers["Location"] == CASE
    assert engine.get_task(ctx, task_id).claimed_by is None
    history = _history(app)
    assert re.search(r"Trả lại việc</strong>.*?· hung · Lấy lại từ: an", history, re.S), history

    engine.claim_task(ctx, task_id, "an")
    hung.post(f"/tasks/{task_id}/assign", {"assignee": "binh", "next": CASE}, from_page=CASE)
    assert engine.get_task(ctx, task_id).claimed_by == "binh"
    assert re.search(r"Giao việc</strong>.*?· hung · Giao cho: binh; Lấy lại từ: an", _history(app), re.S)


def test_a_supervisor_gives_only_to_the_communes_officers(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    task_id = case_at_registration.id
    engine.claim_task(ctx, task_id, "an")
    hung = Browser(app, "hung")
    for stranger in ("hung", "cuong", "dung"):  # the supervisor's own office, another commune, another role
        hung.post(f"/tasks/{task_id}/assign", {"assignee": stranger, "next": CASE}, from_page=CASE)
        assert engine.get_task(ctx, task_id).claimed_by == "an"


def test_an_agency_outside_the_chain_cannot_move_it(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    task_id = case_at_registration.id
    engine.claim_task(ctx, task_id, "an")
    dung = Browser(app, "dung")  # the city's labour office: not above the commune's People's Committee
    assert "Lấy lại việc" not in dung.get(CASE).get_data(as_text=True)
    dung.post(f"/tasks/{task_id}/unclaim", {"next": "/"}, from_page="/")
    assert engine.get_task(ctx, task_id).claimed_by == "an"
    other_commune = Browser(app, "cuong")
    assert other_commune.post(f"/tasks/{task_id}/unclaim", {"next": "/"}, from_page="/").status_code == 404
    assert engine.get_task(ctx, task_id).claimed_by == "an"


def test_an_administrator_still_may(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    task_id = case_at_registration.id
    engine.claim_task(ctx, task_id, "an")
    admin = Browser(app, "admin")
    assert "Lấy lại việc" in admin.get(CASE).get_data(as_text=True)
    admin.post(f"/tasks/{task_id}/unclaim", {"next": CASE}, from_page=CASE)
    assert engine.get_task(ctx, task_id).claimed_by is None
