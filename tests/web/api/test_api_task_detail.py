"""A task through the API carries what its page shows beside the form: the reason it was sent back, the
case's record (masked as on the page) or the payout cycle, who holds it; a conflict's 409 body says who
holds it in the caller's language; a completion says where the case went."""

from __future__ import annotations

import unicodedata

import engine
from tests.web.demo_app import open_case_at_registration
from tests.workflows.conftest import REGISTRATION
from workflows import payouts
from workflows.case.summary import instance_of
from workflows.tasks import submit_task

REASON = "Ảnh CCCD bị mờ, đề nghị chụp lại"


def _open(ctx, code: str, step: str):
    (task,) = [t for t in engine.get_instance(ctx, instance_of(ctx, code)).open_tasks if t.bpmn_id == step]
    return task


def test_a_returned_registration_carries_the_reason_and_the_case(app, api):
    ctx = app.extensions["ansinh"]
    task = open_case_at_registration(app, "BN-API-D1")
    done = api("an").post(
        f"/api/v1/tasks/{task.id}/complete", json={"data": {**REGISTRATION, "cccd": "062150123461"}}
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["waiting"] == [] and done.get_json()["until"] is None  # a task is open instead
    review = _open(ctx, "BN-API-D1", "review")
    submit_task(ctx, review.id, {"decision": "supplement", "note": REASON}, user="dung")

    returned = _open(ctx, "BN-API-D1", "register")
    detail = api("an").get(f"/api/v1/tasks/{returned.id}").get_json()
    (said,) = detail["said"]
    assert said == {**said, "kind": "note", "text": REASON, "who": "dung", "step": "Rà soát, phân loại"}
    beside = detail["beside"]
    assert beside["kind"] == "case" and beside["case"]["code"] == "BN-API-D1"
    assert beside["case"]["full_name"] == "Y Thị Hoa" and beside["case"]["status"]
    assert detail["held_by"] is None and detail["due"] in ("on_time", "due_soon", "overdue")
    assert "cycle" not in beside and "year" not in beside


def test_a_held_task_says_who_holds_it_and_the_conflict_speaks_the_callers_language(app, api):
    task = open_case_at_registration(app, "BN-API-D2")
    assert api("an").post(f"/api/v1/tasks/{task.id}/claim").status_code == 200
    assert api("binh").get(f"/api/v1/tasks/{task.id}").get_json()["held_by"] == "an"
    assert api("an").get(f"/api/v1/tasks/{task.id}").get_json()["held_by"] is None  # the holder's own

    in_vietnamese = api("binh").post(f"/api/v1/tasks/{task.id}/claim")
    in_english = api("binh", language="en").post(f"/api/v1/tasks/{task.id}/claim")
    assert in_vietnamese.status_code == in_english.status_code == 409
    assert in_vietnamese.get_json()["message"].startswith("Việc này đang do an xử lý")
    assert in_english.get_json()["message"].startswith("an holds this task")
    assert "claimed by" not in in_english.get_json()["message"]  # never the engine's raw sentence


def test_a_payout_step_carries_its_cycle(app, api, funded_cycle):
    ctx = app.extensions["ansinh"]
    cycle = payouts.get_cycle(ctx, funded_cycle)
    (step,) = [t for t in engine.get_instance(ctx, cycle.instance_id).open_tasks if t.form_key]
    detail = api("giang").get(f"/api/v1/tasks/{step.id}").get_json()
    assert detail["beside"]["kind"] == "payout"
    assert detail["beside"]["cycle"]["id"] == funded_cycle
    assert detail["beside"]["cycle"]["total_amount"] == cycle.total_amount


def test_a_supervisor_moves_a_held_task_through_the_api(app, api):
    task = open_case_at_registration(app, "BN-API-D3")
    assert api("an").post(f"/api/v1/tasks/{task.id}/claim").status_code == 200
    assert api("binh").post(f"/api/v1/tasks/{task.id}/unclaim").status_code == 409  # a colleague cannot
    refused = api("hung").post(f"/api/v1/tasks/{task.id}/assign", json={"assignee": "hung"})
    assert refused.status_code == 422  # only to an officer of the commune
    moved = api("hung").post(f"/api/v1/tasks/{task.id}/assign", json={"assignee": "binh"})
    assert moved.status_code == 200 and moved.get_json()["claimed_by"] == "binh"
    taken = api("hung").post(f"/api/v1/tasks/{task.id}/unclaim")
    assert taken.status_code == 200 and taken.get_json()["claimed_by"] is None
    assert api("dung").post(f"/api/v1/tasks/{task.id}/unclaim").status_code == 404  # not above the commune


def test_the_domain_words_follow_the_callers_language(app, api):
    """Step names, form labels and options, the record's labels and the timeline's words: in English for
    a caller asking for English, as the pages say them; names and free text as written."""
    ctx = app.extensions["ansinh"]
    task = open_case_at_registration(app, "BN-API-D4")
    api("an").post(
        f"/api/v1/tasks/{task.id}/complete", json={"data": {**REGISTRATION, "cccd": "062150123462"}}
    )
    review = _open(ctx, "BN-API-D4", "review")
    submit_task(ctx, review.id, {"decision": "supplement", "note": REASON}, user="dung")
    returned = _open(ctx, "BN-API-D4", "register")

    vi = api("an").get(f"/api/v1/tasks/{returned.id}").get_json()
    en = api("an", language="en").get(f"/api/v1/tasks/{returned.id}").get_json()
    assert vi["said"][0]["step"] == "Rà soát, phân loại" and en["said"][0]["step"] == "Review and classify"
    assert en["said"][0]["text"] == REASON  # an officer's words are data
    assert en["name"] != vi["name"] and not _vietnamese(en["name"])
    labels = {f["name"]: f["label"] for f in en["form"]}
    assert labels["full_name"] != {f["name"]: f["label"] for f in vi["form"]}["full_name"]
    assert [label for label in labels.values() if _vietnamese(label)] == []
    options = [text for f in en["form"] for text in (f.get("choices") or {}).values()]
    assert options and [t for t in options if _vietnamese(t)] == []
    assert en["beside"]["case"]["full_name"] == "Y Thị Hoa"  # a person's name as written

    inbox = api("an", language="en").get("/api/v1/tasks").get_json()["tasks"]
    assert inbox and [t["step_name"] for t in inbox if _vietnamese(t["step_name"] or "")] == []

    case_vi = api("an").get("/api/v1/cases/BN-API-D4").get_json()
    case_en = api("an", language="en").get("/api/v1/cases/BN-API-D4").get_json()
    assert case_en["record"]["status"] != case_vi["record"]["status"] and not _vietnamese(
        case_en["record"]["status"]
    )
    steps = [e for e in case_en["timeline"] if e["kind"] == "task_completed"]
    assert steps and [e for e in steps if _vietnamese(e["label"] + (e["step"] or ""))] == []
    review_en = next(e for e in steps if e["step"] == "Review and classify")
    assert REASON in review_en["detail"] and review_en["detail"] != next(
        e["detail"] for e in case_vi["timeline"] if e["step"] == "Rà soát, phân loại"
    )


def _vietnamese(text: str) -> bool:
    """Vietnamese letters in ``text``: a diacritic (the English text's curly quotes are not) or đ."""
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text)) or "đ" in text.lower()
