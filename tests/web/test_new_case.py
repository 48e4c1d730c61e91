"""A commune officer opens a newly approved person's case on screen, with registration's checks; the
registration form then shows what the record already holds."""

from __future__ import annotations

from sqlalchemy import select

import engine
from workflows.beneficiaries.models import Beneficiary, Enrolment
from workflows.case.summary import instance_of
from workflows.tasks import submit_task

PERSON = {
    "decision_number": "125/QĐ-UBND", "decision_date": "2024-02-20", "category_code": "disabled_severe",
    "entitled_from": "2024-03-01", "full_name": "đinh thị  lan", "date_of_birth": "1960-07-09",
    "gender": "female", "has_cccd": "on", "cccd": "062160000777", "phone": "0912 345 678",
    "village": "Thôn 4",
}  # fmt: skip


def test_a_commune_officer_opens_a_case_then_registration_shows_the_record(app, browser):
    an = browser("an")
    assert "Số quyết định hưởng trợ cấp" in an.get("/cases/new").get_data(as_text=True)
    wrong = an.post("/cases/new", {**PERSON, "cccd": "062060000777"}, from_page="/cases/new")
    assert wrong.status_code == 422 and "giới tính" in wrong.get_data(as_text=True)
    single = an.post("/cases/new", {**PERSON, "category_code": "single_parent_poor"}, from_page="/cases/new")
    assert single.status_code == 422 and "Vui lòng nhập số con đang nuôi" in single.get_data(as_text=True)
    opened = an.post("/cases/new", PERSON, from_page="/cases/new")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/cases/23311-000001")
    ctx = app.extensions["ansinh"]
    with ctx.db.read() as session:
        record = session.get(Beneficiary, "23311-000001")
        enrolment = session.scalar(select(Enrolment))
        assert (record.full_name, record.cccd, record.status) == ("Đinh Thị Lan", "062160000777", "outreach")
        assert (enrolment.entitled_from.isoformat(), enrolment.source) == (
            "2024-03-01", "decision 125/QĐ-UBND of 2024-02-20"
        )  # fmt: skip
    again = an.post("/cases/new", PERSON, from_page="/cases/new")
    assert again.status_code == 422 and "đã có trong một hồ sơ đang mở" in again.get_data(as_text=True)
    instance_id = instance_of(ctx, "23311-000001")
    assert engine.instance_history(ctx, instance_id)[0].data["origin"]["decision"] == "125/QĐ-UBND"
    (outreach,) = engine.get_instance(ctx, instance_id).open_tasks
    submit_task(
        ctx, outreach.id, {"contact_date": "2024-03-04", "channel": "home_visit", "outcome": "agrees"}
    )
    (register,) = engine.get_instance(ctx, instance_id).open_tasks
    form = an.get(f"/tasks/{register.id}").get_data(as_text=True)
    assert 'value="Đinh Thị Lan"' in form and 'value="062160000777"' in form and 'value="1960-07-09"' in form


def test_only_commune_officers_open_cases(browser):
    assert browser("em").get("/cases/new").status_code == 404
