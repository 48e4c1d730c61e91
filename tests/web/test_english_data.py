"""A page in English says the data's own words in English too: the dashboard's steps, a case's timeline
and diagram, the reports of the police's and the roll's uploads, and a conflict (on a page and in the
API's 409 body). People, places, codes and what an officer typed stay as recorded."""

from __future__ import annotations

import io
import re
import time

from lxml import etree
from openpyxl import load_workbook

import engine
from tests.web.conftest import Browser, csrf_token
from tests.web.test_roster_pages import GOOD, csv_file, finished, upload
from tests.workflows.conftest import REGISTRATION
from web.conflicts import say_conflict
from workflows.tasks import submit_task

LETTER = r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]"
# A Vietnamese word in lower case: a sentence or a label left untranslated (names of people and places are
# capitalised, and a test names the ones that are not).
VIETNAMESE_WORD = re.compile(rf"(?<!\w)(?=[a-z]|{LETTER})\w*{LETTER}\w*")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def vietnamese(text: str, *kept: str) -> list[str]:
    """The Vietnamese words of ``text`` (markup, «quoted values» and the ``kept`` names taken out)."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"«[^»]*»", " ", text)
    for words in (*kept, "Tiếng Việt", "(đồng)"):  # the way back to Vietnamese; the currency
        text = text.replace(words, " ")
    return VIETNAMESE_WORD.findall(text)


def english(app, username: str) -> Browser:
    person = Browser(app)
    person.post("/language", {"lang": "en", "next": "/login"}, from_page="/login")
    person.login(username)
    return person


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_case_timeline_and_diagram_in_english(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    submit_task(ctx, case_at_registration.id, {**REGISTRATION, "consent": True})
    an = english(app, "an")
    page = an.get("/cases/BN-0001").get_data(as_text=True)
    history = page.split('<ol class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Step completed" in history and "Register the payment method" in history
    assert vietnamese(history, "Y Thị Hoa", "Xã Đắk Cấm", "Thôn Kon Hra Chót") == [], history
    assert "Contact" in history or "Channel" in history or ": " in history  # the entered values, labelled

    diagram = an.get("/cases/BN-0001/diagram.bpmn")
    names = {e.get("name") for e in etree.fromstring(diagram.data).iter() if e.get("name")}
    lanes = {e.get("name") for e in etree.fromstring(diagram.data).iter(f"{BPMN}lane")}
    said = " ".join(sorted(names - lanes))
    assert "Register the payment method" in said and "Outcome of the review?" in said
    assert vietnamese(said) == [], said
    assert any("Đắk Cấm" in lane for lane in lanes)  # lanes are the agencies, named as they are

    vietnamese_page = Browser(app, "an").get("/cases/BN-0001/diagram.bpmn").get_data(as_text=True)
    assert 'name="Đăng ký phương thức chi trả"' in vietnamese_page  # Vietnamese stays the default


def test_the_dashboard_names_steps_in_english(app, case_at_registration, active_case):
    html = _main(english(app, "hung").get("/dashboard/").get_data(as_text=True))
    assert "Register the payment method" in html and "Receiving by account" in html
    assert vietnamese(html, "UBND xã", "hành phố Kon Tum") == [], html


def _to_police(app, *cases):
    ctx = app.extensions["ansinh"]
    for task in cases:
        submit_task(ctx, task.id, {**REGISTRATION, "consent": True})
    for review in engine.list_tasks(ctx, role="district_labour"):
        submit_task(ctx, review.id, {"decision": "approve"})


def test_the_police_upload_report_in_english(app, case_at_registration):
    _to_police(app, case_at_registration)
    police = english(app, "em")
    page = police.get("/police/bulk").get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(police.get("/police/pending.xlsx").data))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("Kết quả") + 1, "Trùng với người hưởng khác")  # no case named: refused
    third = [None] * len(headers)
    third[headers.index("Số CCCD")] = "062150999999"
    third[headers.index("Kết quả")] = "Khớp đúng với CSDL dân cư"  # nobody waits with this CCCD: refused
    sheet.append(third)
    fourth = [None] * len(headers)
    fourth[headers.index("Số CCCD")] = "062150888888"
    fourth[headers.index("Kết quả")] = "không rõ"  # not a result
    sheet.append(fourth)
    filled = io.BytesIO()
    workbook.save(filled)
    response = police.client.post(
        "/police/bulk",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(filled.getvalue()), "results.xlsx")},
        content_type="multipart/form-data",
    )
    html = _main(response.get_data(as_text=True))
    assert response.status_code == 200 and "Error: 3 rows" in html, html
    assert "No case awaiting the data check" in html and "is not in the list; choose one of" in html
    assert "Duplicate of case: This field is required." in html or "Duplicate of case" in html
    assert vietnamese(html) == [], html


def test_a_roll_report_in_english(app):
    dung = english(app, "dung")
    wrong_gender = [*GOOD[:2], "Không", *GOOD[3:]]
    wrong_month = [*GOOD[:8], "13/2022", *GOOD[9:]]
    no_bank = [*GOOD[:11], "", *GOOD[12:]]
    same_cccd = [GOOD[0] + " B", *GOOD[1:]]
    response = upload(dung, csv_file(GOOD, wrong_gender, wrong_month, no_bank, same_cccd))
    html = finished(dung, response.headers["Location"])
    report = html.split('<table class="inbox refused">', 1)[1].split("</table>", 1)[0]
    assert "Gender «Không» is not valid" in report and "is not in the form mm/yyyy" in report
    assert "Paid by account: no bank" in report and "as on row 2 of the file" in report
    assert "Entitled from (month)" in report and "Gender" in report  # the columns, in English
    assert vietnamese(report) == [], report

    again = finished(dung, upload(dung, csv_file([*GOOD[:5], "Thôn 9", *GOOD[6:]])).headers["Location"])
    differing = again.split("<caption>", 2)[-1].split("</table>", 1)[0]
    assert "exists with different details (not overwritten)" in differing, again
    assert vietnamese(differing) == [], differing
    _jobs_finished(app)


def _jobs_finished(app) -> None:
    """Wait for the import's job to be marked done (its report is shown a moment before), so that no job
    thread writes after the test's database is gone."""
    from sqlalchemy import func, select

    from engine.models import BackgroundJob

    ctx = app.extensions["ansinh"]
    for _ in range(200):
        with ctx.db.read() as session:
            left = session.scalar(select(func.count()).where(BackgroundJob.status.in_(("queued", "running"))))
        if not left:
            return
        time.sleep(0.05)
    raise AssertionError("the roll's job is still running")


def test_a_conflict_in_english_on_a_page(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    engine.claim_task(ctx, case_at_registration.id, "binh")
    an = english(app, "an")
    claimed = an.post(f"/tasks/{case_at_registration.id}/claim", {"next": "/"}, from_page="/")
    assert claimed.status_code == 302
    flashed = _main(an.get("/").get_data(as_text=True))
    assert "Not done: binh holds this task" in flashed
    assert vietnamese(flashed, "Y Thị Hoa", "Xã Đắk Cấm", "Cán bộ") == [], flashed


def test_every_engine_conflict_is_said_in_people_s_words(app):
    from engine.errors import Conflict

    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            said = [
                say_conflict(Conflict("task 7f3 is already claimed by binh", holder="binh")),
                say_conflict(Conflict("task 7f3 is claimed by binh, not an", holder="binh")),
            ] + [
                say_conflict(Conflict(text))
                for text in (
                    "instance 12 was changed by someone else; reload and try again",
                    "task 7f3 is no longer open (completed or cancelled)",
                    "Tên đăng nhập «an» đã có người dùng; chọn tên khác.",
                    "something nobody foresaw",
                )
            ]
    assert said[0].startswith("binh holds this task") and said[1] == said[0]
    assert said[2].startswith("Someone else has just updated the case")
    assert said[3].startswith("Someone else has just taken or completed")
    assert said[4] == "The username «an» is taken; choose another."
    assert said[5] == "Conflict: someone else has just changed this."
    assert all("task" not in s.split()[0] and "7f3" not in s for s in said)


def test_an_administrators_small_forms_refuse_in_english(app, case_at_registration):
    admin = english(app, "admin")
    path = f"/tasks/{case_at_registration.id}/due"
    flashed = []
    for url, form in (
        ("/cases/BN-0001/reopen", {"reason": ""}),
        ("/cases/BN-0001/reopen", {"reason": "Nhầm"}),
        (path, {"due_date": "2024-03-01", "reason": "Lùi hạn", "case": "BN-0001"}),
    ):
        admin.post(url, form, from_page="/cases/BN-0001")
        page = admin.get("/cases/BN-0001").get_data(as_text=True)
        flashed += re.findall(r'<p class="flash error"[^>]*>([^<]*)</p>', page)
    said = " ".join(flashed)
    assert "Please give a reason." in said and "Case BN-0001 is open" in said, said
    assert "The new deadline must be today (04/03/2024) or later; 01/03/2024 is past." in said
    assert vietnamese(said) == [], said
