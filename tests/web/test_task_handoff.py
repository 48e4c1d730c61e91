"""What reaches the next officer and what protects the case (issue 12): a reason sent back, a
supervisor's directive, the values of each step in the timeline, claims that hold, typed values kept
through refusals, closing outcomes checked and confirmed, an administrator's reopen, deadlines moved
only forward, and where the case went said in people's words."""

from __future__ import annotations

import re

import engine
from tests.web.conftest import Browser
from tests.web.demo_app import COMMUNE_A
from tests.workflows.conftest import REGISTRATION
from workflows.case import service as cases
from workflows.case.summary import instance_of
from workflows.tasks import submit_task

REASON = "Ảnh CCCD bị mờ, đề nghị chụp lại"
REGISTERED = {**REGISTRATION, "consent": "on", "has_cccd": "on"}


def _open_task(app, code: str, bpmn_id: str):
    ctx = app.extensions["ansinh"]
    instance = instance_of(ctx, code)
    (task,) = [t for t in engine.get_instance(ctx, instance).open_tasks if t.bpmn_id == bpmn_id]
    return task


def _to_review(app, task) -> None:
    submit_task(app.extensions["ansinh"], task.id, {**REGISTRATION, "consent": True})


def test_the_reviewers_reason_is_on_the_returned_task_and_in_the_timeline(app, case_at_registration):
    _to_review(app, case_at_registration)
    dung = Browser(app, "dung")
    review = _open_task(app, "BN-0001", "review")
    page = f"/tasks/{review.id}"
    assert dung.post(page, {"decision": "supplement", "note": REASON}, from_page=page).status_code == 302
    returned = _open_task(app, "BN-0001", "register")
    html = Browser(app, "an").get(f"/tasks/{returned.id}").get_data(as_text=True)
    assert REASON in html and "Ghi chú từ bước “Rà soát, phân loại”" in html
    timeline = Browser(app, "an").get("/cases/BN-0001").get_data(as_text=True).split("Diễn biến")[1]
    assert f"Lý do / nội dung cần bổ sung: {REASON}" in timeline
    assert "Kết quả rà soát: Trả về xã bổ sung hồ sơ" in timeline
    assert "Hình thức tiếp xúc: Đến tận nhà" in timeline  # the outreach's values, in Vietnamese
    assert "account_holder" not in timeline and "062150123456" not in timeline  # labels; numbers masked


def test_a_steps_note_never_prefills_the_next_steps_note(app, case_at_registration):
    _to_review(app, case_at_registration)
    ctx = app.extensions["ansinh"]
    submit_task(ctx, _open_task(app, "BN-0001", "review").id, {"decision": "supplement", "note": REASON})
    _to_review(app, _open_task(app, "BN-0001", "register"))
    html = (
        Browser(app, "dung").get(f"/tasks/{_open_task(app, 'BN-0001', 'review').id}").get_data(as_text=True)
    )
    assert re.search(r"<textarea[^>]*>\s*</textarea>", html), "the second review's note starts empty"


def test_a_supervisors_directive_reaches_the_communes_task(app, case_at_registration):
    from workflows.deadlines import sweep_deadlines

    app.clock.advance(days=30)
    sweep_deadlines(app.extensions["ansinh"])
    hung = Browser(app, "hung")
    inbox = hung.get("/").get_data(as_text=True)
    assert f"{COMMUNE_A}/ubnd" not in inbox and "cấp 1" not in inbox  # the agency by its name
    alert_id = re.search(r"/alerts/(\d+)/acknowledge", inbox).group(1)
    hung.post(f"/alerts/{alert_id}/acknowledge", {"comment": "Đề nghị xã hoàn thành trước thứ Sáu"})
    html = Browser(app, "an").get(f"/tasks/{case_at_registration.id}").get_data(as_text=True)
    assert "Chỉ đạo của cấp trên" in html and "Đề nghị xã hoàn thành trước thứ Sáu" in html


def test_views_of_personal_data_are_one_line_in_the_timeline(app, active_case):
    police = Browser(app, "em")
    for _ in range(3):
        police.get(f"/cases/{active_case}")
    html = police.get(f"/cases/{active_case}").get_data(as_text=True)
    assert html.count('data-kind="pii_viewed"') == 1 and "(4 lần)" in html


def test_a_task_claimed_by_a_colleague_shows_who_holds_it_and_keeps_what_is_typed(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    page = f"/tasks/{case_at_registration.id}"
    an, binh = Browser(app, "an"), Browser(app, "binh")
    an.post(f"{page}/claim")
    html = binh.get(page).get_data(as_text=True)
    assert "Việc này đang do an xử lý" in html and 'id="task-form"' not in html
    binh.post(f"{page}/assign", {"assignee": "binh"})  # a colleague cannot take it over
    assert engine.get_task(ctx, case_at_registration.id).claimed_by == "an"
    response = binh.post(page, {**REGISTERED, "village": "Thôn Mới"}, from_page="/")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "an đang giữ việc này" in html and "is claimed" not in html
    assert 'value="Thôn Mới"' in html
    assert engine.get_task(ctx, case_at_registration.id).bpmn_id == "register"


def test_an_expired_form_token_shows_the_form_again_with_the_values(app, case_at_registration):
    an = Browser(app, "an")
    response = an.client.post(
        f"/tasks/{case_at_registration.id}", data={**REGISTERED, "village": "Thôn Mới", "csrf_token": "stale"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "The CSRF token" not in html
    assert "Phiên làm việc của biểu mẫu đã hết hạn" in html and 'value="Thôn Mới"' in html


def _to_police(app, code: str = "BN-0001"):
    ctx = app.extensions["ansinh"]
    _to_review(app, _open_task(app, code, "register"))
    submit_task(ctx, _open_task(app, code, "review").id, {"decision": "approve"})
    return _open_task(app, code, "police_check")


def test_a_duplicate_needs_a_real_open_case_and_a_confirmation_then_an_administrator_reopens(
    app, case_at_registration
):
    task = _to_police(app)
    cases.open_case(
        app.extensions["ansinh"], "BN-0009", COMMUNE_A, "Đinh Văn Bảy", "elderly_80_plus_no_pension"
    )
    em, page = Browser(app, "em"), f"/tasks/{task.id}"
    unknown = em.post(page, {"result": "duplicate", "duplicate_of": "KT-99999"}, from_page=page)
    assert unknown.status_code == 422 and "Không có hồ sơ mã «KT-99999»" in unknown.get_data(as_text=True)
    unconfirmed = em.post(page, {"result": "duplicate", "duplicate_of": "BN-0009"}, from_page=page)
    html = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and "trùng với hồ sơ BN-0009 · Đinh Văn Bảy" in html
    done = em.post(
        page, {"result": "duplicate", "duplicate_of": "BN-0009", "confirm_closure": "on"}, from_page=page
    )
    assert done.status_code == 302
    case = em.get("/cases/BN-0001").get_data(as_text=True)
    assert "Trùng hồ sơ" in case and 'href="/cases/BN-0009"' in case
    admin = Browser(app, "admin")
    assert "Mở lại hồ sơ" in admin.get("/cases/BN-0001").get_data(as_text=True)
    assert Browser(app, "an").post("/cases/BN-0001/reopen", {"reason": "x"}).status_code == 404
    done = admin.post("/cases/BN-0001/reopen", {"reason": "Nhầm mã hồ sơ trùng"}, from_page="/cases/BN-0001")
    reopened = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "Nhầm mã hồ sơ trùng" in reopened and "Đã đăng ký" in reopened and "Trùng hồ sơ" not in reopened
    assert "tiếp tục ở bước “Làm sạch dữ liệu với CSDL quốc gia về dân cư”" in reopened
    # back at the police check that closed it, not at outreach; its form starts empty
    again = _open_task(app, "BN-0001", "police_check")
    form = em.get(f"/tasks/{again.id}").get_data(as_text=True)
    first_choice = form.split('name="result"', 1)[1].split(">", 1)[0]
    assert 'value="BN-0009"' not in form and "checked" not in first_choice
    page = f"/tasks/{again.id}"
    assert em.post(page, {"result": "matched"}, from_page=page).status_code == 302
    ctx = app.extensions["ansinh"]
    steps = {t.bpmn_id for t in engine.get_instance(ctx, instance_of(ctx, "BN-0001")).open_tasks}
    assert steps == {"open_account"}  # the registration's method, carried into the new run, routes it


def test_a_case_rejected_at_review_reopens_at_review(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    _to_review(app, case_at_registration)
    submit_task(ctx, _open_task(app, "BN-0001", "review").id, {"decision": "reject", "note": "Không đủ tuổi",
                                                                "confirm_closure": True})  # fmt: skip
    assert not engine.get_instance(ctx, instance_of(ctx, "BN-0001")).open_tasks
    admin = Browser(app, "admin")
    admin.post("/cases/BN-0001/reopen", {"reason": "Nhầm ngày sinh"}, from_page="/cases/BN-0001")
    review = _open_task(app, "BN-0001", "review")
    form = Browser(app, "dung").get(f"/tasks/{review.id}").get_data(as_text=True)
    assert "Không đủ tuổi" not in form.split('id="task-form"', 1)[1]  # the closing step's note is not carried


def test_an_extension_refuses_a_past_day_and_its_reason_is_in_the_timeline(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    before = engine.get_task(ctx, case_at_registration.id).due_at
    admin, path = Browser(app, "admin"), f"/tasks/{case_at_registration.id}/due"
    yesterday = (app.clock.now.date()).replace(day=1).isoformat()
    response = admin.post(
        path, {"due_date": yesterday, "reason": "Lùi hạn", "case": "BN-0001"}, "/cases/BN-0001"
    )
    assert response.status_code == 302
    assert "đã qua" in admin.get("/cases/BN-0001").get_data(as_text=True)
    assert engine.get_task(ctx, case_at_registration.id).due_at == before
    later = (before.date().replace(day=28)).isoformat()
    admin.post(
        path, {"due_date": later, "reason": "Chờ giấy xác nhận của xã", "case": "BN-0001"}, "/cases/BN-0001"
    )
    assert "Lý do: Chờ giấy xác nhận của xã" in admin.get("/cases/BN-0001").get_data(as_text=True)


def test_when_the_next_step_is_mine_i_am_taken_to_it(app):
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, "BN-0005", COMMUNE_A, "Y Thị Năm", "elderly_80_plus_no_pension")
    page = f"/tasks/{step.open_tasks[0].id}"
    form = {"contact_date": "2024-03-01", "channel": "home_visit", "outcome": "agrees"}
    response = Browser(app, "an").post(page, form, from_page=page)
    register = _open_task(app, "BN-0005", "register")
    assert response.headers["Location"].endswith(f"/tasks/{register.id}")


def test_a_case_waiting_for_a_timer_says_what_and_until_when(app):
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, "BN-0006", COMMUNE_A, "Y Thị Sáu", "elderly_80_plus_no_pension")
    page = f"/tasks/{step.open_tasks[0].id}"
    an = Browser(app, "an")
    form = {"contact_date": "2024-03-01", "channel": "phone", "outcome": "not_reachable"}
    an.post(page, form, from_page=page)
    html = an.get("/").get_data(as_text=True)
    assert "Hồ sơ đang chờ: Chờ 30 ngày rồi vận động lại, đến " in html
    assert "hẹn giờ hoặc thông báo" not in html


def test_account_errors_are_in_vietnamese(app):
    admin = Browser(app, "admin")
    form = {"username": "an", "password": "Mat-khau-2024", "agency_code": f"{COMMUNE_A}/ubnd"}
    html = admin.post("/admin/users", form, from_page="/admin/users").get_data(as_text=True)
    assert "đã có người dùng" in html and "already exists" not in html
    weak = admin.post("/admin/users", {**form, "username": "moi", "password": "12345678901"}, "/admin/users")
    assert "chữ và chữ số" in weak.get_data(as_text=True)


def test_in_english_where_the_case_went_names_the_step_in_english(app):
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, "BN-0007", COMMUNE_A, "Y Thị Bảy", "elderly_80_plus_no_pension")
    page = f"/tasks/{step.open_tasks[0].id}"
    an = Browser(app, "an")
    an.post("/language", {"lang": "en", "next": "/"})
    form = {"contact_date": "2024-03-01", "channel": "phone", "outcome": "not_reachable"}
    an.post(page, form, from_page=page)
    html = an.get("/").get_data(as_text=True)
    assert "Wait 30 days, then reach out again" in html and "Chờ 30 ngày" not in html
