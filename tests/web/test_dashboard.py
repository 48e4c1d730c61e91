"""/dashboard: who sees which areas, and figures that match the records they are counted from."""

from __future__ import annotations

import io
import re
from datetime import date

from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

import engine
from engine import fire_due_timers
from engine.models import HistoryEvent
from tests.web.conftest import built_file
from tests.web.dashboard_data import cycle, first_commune, people
from tests.web.demo_app import CITY, COMMUNE_A, COMMUNE_B, DAK_GLEI
from workflows.dashboard import dashboard_page
from workflows.dashboard.models import PayoutTotal
from workflows.scope import scope_for

PROVINCE = "2024:62"


def page_for(app, agency: str, area: str | None, is_admin: bool = False):
    ctx = app.extensions["ansinh"]
    with ctx.db.read() as session:
        scope = scope_for(session, agency, date(2024, 3, 4))
    return dashboard_page(ctx, scope, is_admin, area)


def test_a_district_sees_only_its_own_communes(app, browser, case_at_registration):
    hung = browser("hung")  # the city's People's Committee
    page = hung.get("/dashboard/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Thành phố Kon Tum" in html and "Xã Đắk Cấm" in html and "Xã Kroong" in html
    assert "Huyện Đắk Glei" not in html
    assert hung.get(f"/dashboard/?area={DAK_GLEI}").status_code == 404
    assert (
        hung.get(f"/dashboard/?area={first_commune(app.extensions['ansinh'], DAK_GLEI)}").status_code == 404
    )
    assert hung.get(f"/dashboard/coverage.xlsx?area={DAK_GLEI}").status_code == 404
    assert hung.get(f"/dashboard/?area={COMMUNE_A}").status_code == 200
    assert hung.get(f"/dashboard/targets?area={COMMUNE_A}").status_code == 404  # the province sets targets
    commune = browser("an")
    assert commune.get("/dashboard/").status_code == 404
    assert commune.get("/dashboard/payouts.xlsx").status_code == 404  # no job is queued for them
    assert "/dashboard/" not in commune.get("/").get_data(as_text=True)
    assert "/dashboard/" in hung.get("/").get_data(as_text=True)
    province = browser("admin").get("/dashboard/").get_data(as_text=True)
    assert "Huyện Đắk Glei" in province and "Thành phố Kon Tum" in province


def test_coverage_and_the_funnel_count_the_people_where_they_are(app, case_at_registration):
    ctx = app.extensions["ansinh"]
    glei = first_commune(ctx, DAK_GLEI)
    people(ctx, COMMUNE_A, "active_cashless", 3)
    people(ctx, COMMUNE_A, "cash", 1)
    people(ctx, COMMUNE_B, "active_cashless", 1)
    people(ctx, COMMUNE_B, "cash", 3)
    people(ctx, glei, "active_cashless", 5)
    people(ctx, glei, "exited", 2)
    province = page_for(app, f"{PROVINCE}/so-ldtbxh", None)
    rows = {r.code: r for r in province.coverage}
    assert (rows[CITY].active, rows[CITY].by_account, rows[CITY].share_pct) == (8, 4, 50.0)
    assert (rows[DAK_GLEI].active, rows[DAK_GLEI].share_pct) == (5, 100.0)
    assert sum(r.active for r in province.coverage) == 13  # the exited are not being paid
    city = page_for(app, f"{CITY}/ubnd", None)
    shares = {r.code: r.share_pct for r in city.coverage}
    assert shares[COMMUNE_A] == 75.0 and shares[COMMUNE_B] == 25.0
    steps = {s.step: s for s in city.funnel.steps}
    assert steps["register"].count == 1 and steps["register"].bands[0] == 1  # opened today
    assert steps["active_cashless"].count == 4 and steps["cash"].count == 4
    assert city.funnel.by_row[COMMUNE_A]["register"] == 1
    (work,) = [w for w in city.work.rows if w.step == "register"]
    assert (work.agency, work.open, work.overdue) == ("UBND xã Đắk Cấm", 1, 0)
    app.clock.advance(days=40)
    later = page_for(app, f"{CITY}/ubnd", None)
    assert {s.step: s for s in later.funnel.steps}["register"].bands == [0, 0, 1, 0]
    assert [w.overdue for w in later.work.rows if w.step == "register"] == [1]


def test_targets_are_set_by_the_province_kept_in_history_and_mark_areas_below(app, browser):
    ctx = app.extensions["ansinh"]
    people(ctx, COMMUNE_A, "active_cashless", 1)
    people(ctx, COMMUNE_A, "cash", 1)
    admin = browser("admin")
    refused = admin.post("/dashboard/targets", {"area": CITY, "share_pct": "120", "due_on": ""},
                         from_page=f"/dashboard/targets?area={CITY}")  # fmt: skip
    assert refused.status_code == 422
    assert "từ 0 đến 100" in refused.get_data(as_text=True) and "dd/mm/yyyy" in refused.get_data(as_text=True)
    done = admin.post("/dashboard/targets", {"area": CITY, "share_pct": "80", "due_on": "2024-12-31",
                      "note": "Quý IV"}, from_page=f"/dashboard/targets?area={CITY}")  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"].endswith(f"area={PROVINCE}")
    html = admin.get(f"/dashboard/?area={PROVINCE}").get_data(as_text=True)
    assert f'<tr class="below" data-area="{CITY}">' in html
    city = page_for(app, f"{PROVINCE}/so-ldtbxh", CITY)
    (commune,) = [r for r in city.coverage if r.code == COMMUNE_A]
    assert commune.target.share_pct == 80 and commune.target.inherited_from == CITY and commune.below_target
    admin.post("/dashboard/targets", {"area": CITY, "share_pct": "40", "due_on": "2024-12-31"},
               from_page=f"/dashboard/targets?area={CITY}")  # fmt: skip
    assert f'<tr class="below" data-area="{CITY}">' not in admin.get("/dashboard/").get_data(as_text=True)
    history = admin.get(f"/dashboard/targets?area={CITY}").get_data(as_text=True)
    assert history.count("31/12/2024") == 2 and "Quý IV" in history
    with ctx.db.read() as session:
        events = session.execute(
            select(HistoryEvent.actor, HistoryEvent.data).where(HistoryEvent.kind == "coverage_target_set")
        ).all()
    assert [(actor, data["share_pct"]) for actor, data in events] == [("admin", 80), ("admin", 40)]


def test_payouts_by_month_add_up_the_lines_open_and_closed(app, browser):
    ctx = app.extensions["ansinh"]
    a = people(ctx, COMMUNE_A, "active_cashless", 4)
    b = people(ctx, COMMUNE_B, "cash", 3)
    cycle(ctx, CITY, date(2024, 2, 1), "closed", [
        (a[0], COMMUNE_A, "paid", 500_000, None, None), (a[1], COMMUNE_A, "paid", 500_000, None, None),
        (b[0], COMMUNE_B, "returned", 500_000, None, "not_collected"),
        (b[1], COMMUNE_B, "cash_paid", 750_000, "cash_pay_point", None),
    ])  # fmt: skip
    cycle(ctx, CITY, date(2024, 3, 1), "funded", [
        (a[0], COMMUNE_A, "paid", 500_000, None, None), (a[1], COMMUNE_A, "paid", 500_000, None, None),
        (a[2], COMMUNE_A, "pending", 500_000, None, None),
        (b[0], COMMUNE_B, "cash_paid", 360_000, None, None),
        (b[1], COMMUNE_B, "cash_pending", 750_000, "cash_pay_point", None),
    ])  # fmt: skip
    page = page_for(app, f"{PROVINCE}/so-ldtbxh", CITY)
    months = {m.month: m for m in page.payouts.months}
    feb, mar = months[date(2024, 2, 1)], months[date(2024, 3, 1)]
    assert len(page.payouts.months) == 12 and page.payouts.months[-1].month == date(2024, 3, 1)
    assert (feb.outcomes["account"].lines, feb.outcomes["account"].amount) == (2, 1_000_000)
    assert (feb.outcomes["not_collected"].lines, feb.outcomes["fallback"].amount) == (1, 750_000)
    assert feb.total.amount == 2_250_000 and feb.paid.lines == 3
    assert (mar.outcomes["pending"].lines, mar.outcomes["cash"].amount, mar.outcomes["fallback"].lines) == (
        1,
        360_000,
        1,
    )
    assert mar.share(mar.by_account) == 80.0  # four of five lines were due by account
    progress = {p.code: p for p in page.payouts.progress}
    assert (progress[COMMUNE_A].lines, progress[COMMUNE_A].paid, progress[COMMUNE_A].share_pct) == (
        3,
        2,
        66.7,
    )
    assert (progress[COMMUNE_B].paid_amount, progress[COMMUNE_B].amount) == (360_000, 1_110_000)
    with ctx.db.read() as session:  # the closed month was added up once, the open one is read live
        kept = session.scalars(select(PayoutTotal.month).distinct()).all()
    assert kept == [date(2024, 2, 1)]
    assert page_for(app, f"{PROVINCE}/so-ldtbxh", CITY).payouts.months[-2].total.amount == 2_250_000
    built, location = built_file(browser("dung"), f"/dashboard/payouts.xlsx?area={CITY}")
    assert built.headers["Content-Disposition"].startswith('attachment; filename="payouts-2024-')
    sheet = load_workbook(io.BytesIO(built.data)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["02/2024"][1:3] == (2, 1_000_000) and rows["02/2024"][-1] == 2_250_000
    assert sheet["A1"].value == "Chi trả theo tháng (số lượt)"
    english = browser("dung")  # the job builds the file in the asker's language
    english.post("/language", {"lang": "en", "next": "/"})
    in_english, _location = built_file(english, f"/dashboard/payouts.xlsx?area={CITY}")
    assert load_workbook(io.BytesIO(in_english.data)).active["A1"].value == "Payouts by month (lines)"
    html = browser("dung").get(f"/dashboard/?area={CITY}").get_data(as_text=True)
    assert '<progress max="100" value="66.7">' in html


def test_the_monthly_report_adds_up_the_month_by_commune(app, browser):
    ctx = app.extensions["ansinh"]
    a, b = people(ctx, COMMUNE_A, "active_cashless", 2), people(ctx, COMMUNE_B, "cash", 1)
    cycle(ctx, CITY, date(2024, 2, 1), "closed", [
        (a[0], COMMUNE_A, "paid", 500_000, None, None),
        (a[1], COMMUNE_A, "cash_paid", 500_000, "cash_pay_point", None),
        (b[0], COMMUNE_B, "cash_paid", 750_000, None, None),
    ])  # fmt: skip
    hung = browser("hung")
    html = hung.get(f"/dashboard/report?area={CITY}&month=2024-02").get_data(as_text=True)
    assert (
        "BÁO CÁO KẾT QUẢ CHI TRẢ" in html
        and "UBND THÀNH PHỐ KON TUM" in html
        and "trước ngày 12/02/2024" in html
    )
    assert "Kính gửi: Sở LĐTBXH" in html
    built, location = built_file(hung, f"/dashboard/report.xlsx?area={CITY}&month=2024-02")
    assert browser("dung").get(location).status_code == 404  # the file is hung's
    assert browser("dung").get(f"{location}/file").status_code == 404
    sheet = load_workbook(io.BytesIO(built.data)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=11, values_only=True) if r[1]}
    assert rows["Tổng cộng"][2:4] == (3, 1_750_000)  # all lines
    assert rows["Xã Đắk Cấm"][2:4] == (2, 1_000_000) and rows["Xã Đắk Cấm"][14:16] == (
        1,
        500_000,
    )  # failed → cash
    assert hung.get(f"/dashboard/report?area={DAK_GLEI}&month=2024-02").status_code == 404


def test_a_review_task_shows_the_figures_attached_to_the_province_only(app, browser):
    from workflows.dashboard import start_year

    ctx = app.extensions["ansinh"]
    year = start_year(ctx, PROVINCE, 2024, plan_start=date(2023, 3, 4))
    app.clock.advance(hours=2)
    fire_due_timers(ctx)
    (task,) = engine.get_instance(ctx, year.instance_id).open_tasks
    html = browser("admin").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert task.bpmn_id == "set_targets" and "Giao chỉ tiêu" in html and "Công tác năm 2024" in html
    inbox = browser("admin").get("/").get_data(as_text=True)  # the year's work links to its dashboard
    assert "/cases/YEAR-" not in inbox and f'href="{url_for_dashboard(app, PROVINCE)}"' in inbox
    admin = browser("admin")
    admin.post("/dashboard/targets", {"area": CITY, "share_pct": "60", "due_on": "2024-12-31"},
               from_page=f"/dashboard/targets?area={CITY}")  # fmt: skip
    version = engine.get_instance(ctx, year.instance_id).version
    done = admin.post(
        f"/tasks/{task.id}", {"confirmed": "on", "version": version}, from_page=f"/tasks/{task.id}"
    )
    assert done.status_code == 302
    app.clock.advance(hours=1)
    fire_due_timers(ctx)
    (task,) = engine.get_instance(ctx, year.instance_id).open_tasks
    page = admin.get(f"/tasks/{task.id}").get_data(as_text=True)
    link = re.search(r'href="(/dashboard/documents/\d+)"', page).group(1)
    assert load_workbook(io.BytesIO(admin.get(link).data)).sheetnames[1].startswith("Chi trả qua tài khoản")
    assert browser("hung").get(link).status_code == 404  # a district does not read the province's review


def test_home_affairs_watches_the_merit_programme_from_march_2025(app, browser):
    from datetime import UTC, datetime

    from tests.web.demo_app import PASSWORD
    from workflows.accounts import create_user

    ctx = app.extensions["ansinh"]
    app.clock.now = datetime(2025, 4, 1, 1, 0, tzinfo=UTC)
    with ctx.db.write() as session:
        create_user(session, "nga", PASSWORD, f"{PROVINCE}/so-nv", app.clock.now, full_name="Cán bộ Nga")
        create_user(session, "yen", PASSWORD, f"{PROVINCE}/so-yt", app.clock.now, full_name="Cán bộ Yến")
    home_affairs = browser("nga").get("/dashboard/").get_data(as_text=True)
    assert 'data-programmes="merit"' in home_affairs and "Ưu đãi người có công" in home_affairs
    health = browser("yen").get("/dashboard/").get_data(as_text=True)
    assert 'data-programmes="social_assistance"' in health and "Trợ cấp xã hội" in health
    assert "data-programmes" not in browser("admin").get("/dashboard/").get_data(as_text=True)


def test_the_work_table_names_each_programmes_own_department(app):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from workflows import payouts
    from workflows.beneficiaries.models import Enrolment

    ctx = app.extensions["ansinh"]
    app.clock.now = datetime(2025, 4, 1, 1, 0, tzinfo=UTC)
    (veteran,) = people(ctx, COMMUNE_A, "active_cashless", 1)
    with ctx.db.transaction() as conn:
        conn.execute(insert(Enrolment.__table__).values(
            beneficiary_code=veteran, programme="merit", category_code="merit_martyr_family_1",
            entitled_from=date(2025, 4, 1), source="roll: test", created_at=app.clock.now,
        ))  # fmt: skip
    started = {s.business_key for s in payouts.start_cycles(ctx, PROVINCE, "2025-04")}
    assert {f"PAY-{CITY}-2025-04", f"PAY-{CITY}-2025-04-NCC"} <= started
    rows = page_for(app, f"{PROVINCE}/so-yt", CITY, is_admin=True).work.rows  # every programme's work
    # Phòng Y tế and Phòng Nội vụ both hold district_labour at the city since 1/3/2025: each its own cycle.
    assert sorted(r.agency for r in rows if r.role == "district_labour") == [
        "Phòng Nội vụ thành phố Kon Tum",
        "Phòng Y tế thành phố Kon Tum",
    ]


def url_for_dashboard(app, area: str) -> str:
    with app.test_request_context():
        return url_for("dashboard.index", area=area)
