"""The inbox, the task page and the case page, as the people who use them see them — and what they
must not see."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

import engine
from tests.web.conftest import Browser
from tests.web.demo_app import PASSWORD
from tests.workflows.conftest import REGISTRATION
from workflows.tasks import submit_task


def test_a_commune_officer_sees_their_communes_tasks(app, case_at_registration):
    page = Browser(app, "an").get("/").get_data(as_text=True)
    assert "Y Thị Hoa" in page and "Đăng ký phương thức chi trả" in page
    assert "Còn hạn" in page or "Sắp đến hạn" in page or "Quá hạn" in page


def test_another_communes_officer_gets_404_for_the_task_and_the_case(app, case_at_registration):
    other = Browser(app, "cuong")
    assert "Y Thị Hoa" not in other.get("/").get_data(as_text=True)
    assert other.get(f"/tasks/{case_at_registration.id}").status_code == 404
    assert other.post(f"/tasks/{case_at_registration.id}", REGISTRATION).status_code == 404
    assert other.post(f"/tasks/{case_at_registration.id}/claim").status_code == 404
    assert other.get("/cases/BN-0001").status_code == 404
    assert other.get("/cases/BN-0001/diagram.bpmn").status_code == 404
    assert engine.get_task(app.extensions["ansinh"], case_at_registration.id).claimed_by is None


def test_the_district_sees_the_review_but_not_the_communes_step(app, case_at_registration):
    labour = Browser(app, "dung")
    assert labour.get(f"/tasks/{case_at_registration.id}").status_code == 404
    assert labour.get("/cases/BN-0001").status_code == 200  # their district's case


def test_a_wrong_cccd_is_refused_per_field_and_nothing_typed_is_lost(app, case_at_registration):
    an = Browser(app, "an")
    form = {**REGISTRATION, "cccd": "062150123", "consent": "on", "has_cccd": "on"}
    response = an.post(
        f"/tasks/{case_at_registration.id}", form, from_page=f"/tasks/{case_at_registration.id}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-field="cccd"' in html and "12 chữ số" in html
    assert "Vui lòng nhập số CCCD" not in html  # it was given: only why it is wrong
    assert 'value="062150123"' in html and 'value="Thôn Kon Hra Chót"' in html  # what was typed stays
    assert engine.get_task(app.extensions["ansinh"], case_at_registration.id).bpmn_id == "register"


def test_the_registration_form_picks_banks_and_wallets_by_name_and_asks_a_single_parent_for_children(
    app, case_at_registration
):
    an = Browser(app, "an")
    page = an.get(f"/tasks/{case_at_registration.id}").get_data(as_text=True)
    assert ">Agribank — Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam</option>" in page
    assert ">Viettel Money — Mobile Money</option>" in page and ">MoMo — Ví điện tử</option>" in page
    assert 'name="children_count"' in page and "single_parent_poor" in page.split('name="children_count"')[0]
    form = {**REGISTRATION, "consent": "on", "has_cccd": "on", "category_code": "single_parent_poor"}
    response = an.post(
        f"/tasks/{case_at_registration.id}", form, from_page=f"/tasks/{case_at_registration.id}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-field="children_count"' in html
    form |= {"children_count": "2", "bank_code": "MOMO", "account_number": "0912 345 678"}
    response = an.post(
        f"/tasks/{case_at_registration.id}", form, from_page=f"/tasks/{case_at_registration.id}"
    )
    assert response.status_code == 302


def test_the_registration_form_offers_both_programmes_categories_grouped_by_programme(
    app, case_at_registration
):
    page = Browser(app, "an").get(f"/tasks/{case_at_registration.id}").get_data(as_text=True)
    select = page.split('name="category_code"')[1].split("</select>")[0]
    social, merit = select.split('<optgroup label="Trợ cấp xã hội">')[1].split(
        '<optgroup label="Ưu đãi người có công">'
    )
    assert 'value="single_parent_poor"' in social and 'value="merit_martyr_family_1"' not in social
    assert 'value="merit_martyr_family_1"' in merit and 'value="merit_heroic_mother"' in merit


def test_completing_a_step_says_where_the_case_went(app, case_at_registration):
    an = Browser(app, "an")
    form = {**REGISTRATION, "consent": "on", "has_cccd": "on"}
    response = an.post(
        f"/tasks/{case_at_registration.id}", form, from_page=f"/tasks/{case_at_registration.id}"
    )
    assert response.status_code == 302
    inbox = an.get("/").get_data(as_text=True)
    assert "Phòng LĐTBXH thành phố Kon Tum" in inbox and "Rà soát, phân loại" in inbox
    labour = Browser(app, "dung").get("/").get_data(as_text=True)
    assert "Y Thị Hoa" in labour


def test_search_ignores_diacritics_and_finds_a_cccd(app, case_at_registration, active_case):
    labour = Browser(app, "an")
    assert "Y Thị Hoa" in labour.get("/?q=y+thi+hoa").get_data(as_text=True)
    assert "Y Thị Hoa" not in labour.get("/?q=nguyen").get_data(as_text=True)
    assert "Y Thị Hoa" in labour.get("/?q=Th%E1%BB%8B+Hoa").get_data(as_text=True)  # "Thị Hoa", a part
    police = Browser(app, "em")
    ctx = app.extensions["ansinh"]

    submit_task(ctx, case_at_registration.id, {**REGISTRATION, "consent": True})
    (review,) = [t for t in engine.list_tasks(ctx, role="district_labour")]
    submit_task(ctx, review.id, {"decision": "approve"})
    assert "Y Thị Hoa" in police.get("/?q=062150123456").get_data(as_text=True)
    assert "Y Thị Hoa" in police.get("/?q=y+thi+hoa").get_data(as_text=True)  # a province: every area
    assert "Y Thị Hoa" not in police.get("/?q=062150999999").get_data(as_text=True)


def test_claim_unclaim_and_assign(app, case_at_registration):
    an, binh = Browser(app, "an"), Browser(app, "binh")
    ctx = app.extensions["ansinh"]
    task_id = case_at_registration.id
    assert an.post(f"/tasks/{task_id}/claim").status_code == 302
    assert engine.get_task(ctx, task_id).claimed_by == "an"
    binh.post(f"/tasks/{task_id}/claim")
    assert engine.get_task(ctx, task_id).claimed_by == "an"  # Binh cannot take it from An
    assert "Việc này đang do an xử lý" in binh.get("/").get_data(as_text=True)
    an.post(f"/tasks/{task_id}/assign", {"assignee": "binh"})
    assert engine.get_task(ctx, task_id).claimed_by == "binh"
    assert an.post(f"/tasks/{task_id}/assign", {"assignee": "cuong"}).status_code == 404  # not a colleague
    binh.post(f"/tasks/{task_id}/unclaim")
    assert engine.get_task(ctx, task_id).claimed_by is None


def test_the_police_never_see_account_numbers_and_the_provider_does_with_a_record(app, active_case):
    police = Browser(app, "em").get(f"/cases/{active_case}").get_data(as_text=True)
    assert "0123456789" not in police and "Vietcombank ******6789" in police  # the bank by its name
    assert "062050123457" in police  # the police need the CCCD
    provider = Browser(app, "giang").get(f"/cases/{active_case}").get_data(as_text=True)
    assert "0123456789" in provider
    with app.extensions["ansinh"].db.read() as session:
        viewers = session.execute(
            text("SELECT actor, data FROM history WHERE kind = 'pii_viewed' ORDER BY id")
        ).all()
    assert ("giang", True) in [(actor, "account" in str(data)) for actor, data in viewers]
    assert all(not (actor == "em" and "account" in str(data)) for actor, data in viewers)


def test_the_case_page_shows_the_diagram_source_and_the_timeline(app, active_case):
    provider = Browser(app, "giang")
    page = provider.get(f"/cases/{active_case}").get_data(as_text=True)
    assert 'id="diagram"' in page and "bpmn-viewer.js" in page
    xml = provider.get(f"/cases/{active_case}/diagram.bpmn")
    assert xml.status_code == 200 and b'id="beneficiary_case"' in xml.data
    assert "Hoàn thành bước" in page and "Mở hồ sơ" in page


def test_the_bpmn_viewer_is_served_by_the_app(app):
    response = Browser(app).get("/assets/bpmn-viewer.js")
    body = response.data
    response.close()
    assert response.status_code == 200 and len(body) > 100_000
    assert Browser(app).get("/assets/../package.json").status_code == 404


def test_filters_by_status(app, case_at_registration):
    an = Browser(app, "an")
    assert "Y Thị Hoa" in an.get("/?status=on_time").get_data(as_text=True)
    app.clock.advance(days=30)
    assert "Y Thị Hoa" in an.get("/?status=overdue").get_data(as_text=True)
    assert "Y Thị Hoa" not in an.get("/?status=on_time").get_data(as_text=True)


def test_overdue_work_shows_in_the_supervisors_inbox_and_can_be_acknowledged(app, case_at_registration):
    from workflows.deadlines import sweep_deadlines

    ctx = app.extensions["ansinh"]
    app.clock.advance(days=30)
    sweep_deadlines(ctx)
    an = Browser(app, "an").get("/").get_data(as_text=True)
    assert "Nhắc việc" in an and "đã quá hạn" in an
    assert "Việc quá hạn của đơn vị cấp dưới" not in an
    hung = Browser(app, "hung")  # the city People's Committee supervises the commune
    page = hung.get("/").get_data(as_text=True)
    assert "Việc quá hạn của đơn vị cấp dưới" in page and "BN-0001" in page
    import re

    alert_id = re.search(r"/alerts/(\d+)/acknowledge", page).group(1)
    assert Browser(app, "an").post(f"/alerts/{alert_id}/acknowledge", {"comment": "x"}).status_code == 404
    hung.post(f"/alerts/{alert_id}/acknowledge", {"comment": "Đề nghị xã xử lý ngay"})
    page = hung.get("/").get_data(as_text=True)
    assert "đã ghi nhận bởi hung" in page and "Đề nghị xã xử lý ngay" in page
    assert hung.get("/cases/BN-0001").status_code == 200


def test_an_administrator_extends_a_deadline_with_a_reason(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    before = engine.get_task(ctx, case_at_registration.id).due_at
    admin = Browser(app, "admin")
    page = admin.get("/cases/BN-0001").get_data(as_text=True)
    assert "Gia hạn" in page
    response = admin.post(
        f"/tasks/{case_at_registration.id}/due",
        {"due_date": "2024-04-30", "reason": "Chờ giấy tờ"},
        "/cases/BN-0001",
    )
    assert response.status_code == 302
    after = engine.get_task(ctx, case_at_registration.id).due_at
    assert after != before and after.astimezone(ctx.now().tzinfo).date().isoformat() in ("2024-04-30",)
    assert "Gia hạn" in admin.get("/cases/BN-0001").get_data(as_text=True)
    kinds = [h.kind for h in engine.instance_history(ctx, case_at_registration.instance_id)]
    assert "due_changed" in kinds
    assert (
        Browser(app, "an")
        .post(f"/tasks/{case_at_registration.id}/due", {"due_date": "2024-05-30", "reason": "x"})
        .status_code
        == 404
    )


def test_a_supervisor_two_levels_up_opens_the_escalated_case_and_an_unrelated_agency_does_not(
    app, case_at_registration
):
    """Two levels up, the province's People's Committee is told of a commune's overdue case that its
    areas do not include. It supervises the commune's task, so it opens the case: the inbox's link, the
    page, its diagram and the API. The provincial police, outside the task's chain, still get 404."""
    from workflows.accounts import create_user
    from workflows.apiaccess import create_token
    from workflows.deadlines import sweep_deadlines

    ctx = app.extensions["ansinh"]
    with ctx.db.write() as session:
        create_user(session, "phong", PASSWORD, "2024:62/ubnd", ctx.now(), full_name="Phạm Phong")
        create_user(session, "quan", PASSWORD, "2024:62/ca", ctx.now(), full_name="Lê Quân")
    for _ in range(3):  # overdue, then escalated a level at each later sweep
        app.clock.advance(days=30)
        sweep_deadlines(ctx)
    province = Browser(app, "phong")
    page = province.get("/").get_data(as_text=True)
    assert "Việc quá hạn của đơn vị cấp dưới" in page and 'href="/cases/BN-0001"' in page
    case_page = province.get("/cases/BN-0001")
    assert case_page.status_code == 200 and "Y Thị Hoa" in case_page.get_data(as_text=True)
    assert province.get("/cases/BN-0001/diagram.bpmn").status_code == 200
    for link in re.findall(r'href="(/cases/[^"/?#]+)"', page):
        assert province.get(link).status_code == 200, link

    police = Browser(app, "quan")
    assert police.get("/cases/BN-0001").status_code == 404
    assert police.get("/cases/BN-0001/diagram.bpmn").status_code == 404
    expires = ctx.now() + timedelta(days=1)
    for username, status in (("phong", 200), ("quan", 404)):
        token = create_token(ctx, "test", ["cases:read"], expires, "admin", username=username).secret
        answer = app.test_client().get("/api/v1/cases/BN-0001", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == status, (username, answer.get_json())
