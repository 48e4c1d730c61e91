"""The rest of the API: rolls imported as a background job, process files checked without deploying,
the dashboard's figures and the monthly report, giving tasks back or to a colleague, and old idempotency
answers purged."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from engine import list_processes
from tests.integration.hostile_models import user_loop
from tests.web.demo_app import CITY, open_case_at_registration
from tests.web.test_roster_pages import BAD, GOOD, csv_file
from workflows.apiaccess import IdempotentRequest
from workflows.roster.models import RollImport


def roll_upload(client, content: bytes, name: str = "ds.csv"):
    return client.client.post(
        "/api/v1/rolls",
        data={"file": (io.BytesIO(content), name)},
        headers=client.headers(),
        content_type="multipart/form-data",
    )


def test_a_district_imports_a_roll_and_reads_its_problems(api):
    dung = api("dung")
    started = roll_upload(dung, csv_file(GOOD, BAD))
    assert started.status_code == 202, started.get_json()
    import_id = started.get_json()["id"]
    for _ in range(200):
        report = dung.get(f"/api/v1/rolls/{import_id}").get_json()
        if report["status"] != "running":
            break
        time.sleep(0.05)
    assert (report["status"], report["created"], report["rejected"]) == ("done", 1, 1), report
    (problem,) = report["problems"]
    assert problem["kind"] == "rejected" and problem["row"] == 3 and "nobody" in problem["reason"]
    assert [i["id"] for i in dung.get("/api/v1/rolls").get_json()][0] == import_id
    assert api("an").get(f"/api/v1/rolls/{import_id}").status_code == 404  # another office's import
    assert api("em").get("/api/v1/rolls").status_code == 403  # the police do not import rolls
    refused = roll_upload(dung, b"not,a,roll\n1,2,3\n")
    assert refused.status_code == 422 and refused.get_json()["errors"], refused.get_json()


def test_process_files_are_checked_without_deploying_and_deployed_only_when_clean(app, api, token_for):
    ctx = app.extensions["ansinh"]
    admin = api("admin")
    before = list_processes(ctx)

    def send(path: str, files: dict[str, bytes]):
        data = {"files": [(io.BytesIO(content), name) for name, content in files.items()]}
        return admin.client.post(path, data=data, headers=admin.headers(), content_type="multipart/form-data")

    checked = send("/api/v1/processes/validate", {"loop.bpmn": user_loop()})
    assert checked.status_code == 200
    problems = checked.get_json()["problems"]
    assert problems and problems[0]["file"] == "loop.bpmn" and problems[0]["element"] == "check"
    assert send("/api/v1/processes", {"loop.bpmn": user_loop()}).status_code == 422  # the same rules
    assert list_processes(ctx) == before
    clean = {name: Path(f"bpmn/{name}").read_bytes() for name in ("beneficiary_case.bpmn", "cash_method.dmn")}
    assert send("/api/v1/processes/validate", clean).get_json() == {"problems": []}
    assert api("an").post("/api/v1/processes/validate").status_code == 403  # administrators only


def test_the_dashboard_figures_and_the_monthly_report_for_those_who_watch_an_area(api):
    hung = api("hung")  # the city's People's Committee
    figures = hung.get("/api/v1/reports/dashboard")
    assert figures.status_code == 200, figures.get_json()
    body = figures.get_json()
    assert body["area"]["code"] == CITY and body["rows"] and body["funnel"]["steps"]
    assert {"months", "progress"} <= set(body["payouts"]) and "rows" in body["work"]
    assert sum(row["active"] for row in body["coverage"]) >= 0
    report = hung.get("/api/v1/reports/monthly?month=2024-02")
    assert report.status_code == 200 and report.get_json()["month"] == "2024-02-01"
    assert report.get_json()["total"]["name"] == "Tổng cộng"
    assert api("an").get("/api/v1/reports/dashboard").status_code == 404  # a commune works, not watches
    assert hung.get("/api/v1/reports/dashboard?area=2024:610").status_code == 404  # not the city's
    wrong = hung.get("/api/v1/reports/monthly?month=2024-13", headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["field"] == "month"


def test_a_task_is_given_back_or_given_to_a_colleague(app, api):
    task = open_case_at_registration(app, "BN-API-HOLD")
    an, binh = api("an"), api("binh")
    assert an.post(f"/api/v1/tasks/{task.id}/claim").status_code == 200
    assert binh.post(f"/api/v1/tasks/{task.id}/unclaim").status_code == 409  # not binh's to give back
    given = an.post(f"/api/v1/tasks/{task.id}/assign", json={"assignee": "binh"})
    assert given.status_code == 200 and given.get_json()["claimed_by"] == "binh"
    stranger = an.post(f"/api/v1/tasks/{task.id}/assign", json={"assignee": "dung"})  # another agency
    assert stranger.status_code == 422 and stranger.get_json()["errors"][0]["field"] == "assignee"
    back = binh.post(f"/api/v1/tasks/{task.id}/unclaim")
    assert back.status_code == 200 and back.get_json()["claimed_by"] is None
    assert api("cuong").post(f"/api/v1/tasks/{task.id}/unclaim").status_code == 404  # another commune


def test_answers_older_than_thirty_days_are_purged_by_the_next_keyed_post(app, api):
    ctx = app.extensions["ansinh"]
    an = api("an")
    task = open_case_at_registration(app, "BN-API-PURGE")
    assert an.post(f"/api/v1/tasks/{task.id}/claim", key="old-key").status_code == 200
    assert an.post(f"/api/v1/tasks/{task.id}/claim", key="recent-key").status_code == 200
    keys = select(IdempotentRequest.key).where(IdempotentRequest.key.in_(["old-key", "recent-key"]))
    with ctx.db.write() as db:  # the first answer, 31 days on
        old = db.scalar(select(IdempotentRequest).where(IdempotentRequest.key == "old-key"))
        old.created_at -= timedelta(days=31)
    assert an.post(f"/api/v1/tasks/{task.id}/unclaim", key="new-key").status_code == 200
    with ctx.db.read() as db:
        assert set(db.scalars(keys)) == {"recent-key"}


def test_a_key_whose_first_request_died_is_free_again_after_ten_minutes(app, api):
    ctx = app.extensions["ansinh"]
    an = api("an")
    task = open_case_at_registration(app, "BN-API-DIED")
    assert an.post(f"/api/v1/tasks/{task.id}/claim", key="died").status_code == 200
    with ctx.db.write() as db:  # as if its process had died before answering
        claim = db.scalar(select(IdempotentRequest).where(IdempotentRequest.key == "died"))
        claim.status, claim.body = None, None
    assert an.post(f"/api/v1/tasks/{task.id}/claim", key="died").status_code == 409  # still running?
    with ctx.db.write() as db:
        claim = db.scalar(select(IdempotentRequest).where(IdempotentRequest.key == "died"))
        claim.created_at -= timedelta(minutes=11)
    again = an.post(f"/api/v1/tasks/{task.id}/claim", key="died")
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers


def _broken_xlsx() -> bytes:
    """A valid xlsx whose sheet's XML is cut in half."""
    from openpyxl import Workbook

    from tests.web.test_roster_pages import HEADERS

    workbook, original, damaged = Workbook(), io.BytesIO(), io.BytesIO()
    workbook.active.append(HEADERS)
    workbook.active.append(GOOD)
    workbook.save(original)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if "worksheets/sheet" in item.filename else data)
    return damaged.getvalue()


def test_a_damaged_roll_is_refused_in_one_sentence_and_nothing_is_stored(app, api):
    dung = api("dung", language="en")
    ctx = app.extensions["ansinh"]
    with ctx.db.read() as db:
        before = db.scalar(select(func.count()).select_from(RollImport))
    huge_field = csv_file(GOOD)[:-2] + b',"' + b"x" * 200_000 + b'"\r\n'
    for name, content, reason in [
        ("ds.csv", huge_field, "Row 2 of the CSV file cannot be read"),
        ("ds.xlsx", _broken_xlsx(), "not a readable Excel workbook"),
    ]:
        refused = roll_upload(dung, content, name)
        assert refused.status_code == 422, (name, refused.status_code)
        assert reason in refused.get_json()["errors"][0]["message"], refused.get_json()
    with ctx.db.read() as db:
        assert db.scalar(select(func.count()).select_from(RollImport)) == before
