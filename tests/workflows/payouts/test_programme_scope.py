"""Since 1/3/2025 social assistance is Health's work and merit allowances Home Affairs': each department
sees its own programme's tasks in its inbox and its own figures on its dashboard, for the same area."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import engine
from engine.errors import NotFound
from tests.workflows.conftest import REGISTRATION
from tests.workflows.test_case_paths import AGREES
from workflows import payouts
from workflows.beneficiaries.models import Enrolment
from workflows.case.service import open_case
from workflows.dashboard.page import dashboard_page
from workflows.deadlines import alerts_of_instance, sweep_deadlines
from workflows.inbox import InboxFilter, list_inbox, task_in_scope
from workflows.org import Agency
from workflows.payouts.report import monthly_report_xlsx
from workflows.programme_work import programmes_of
from workflows.scope import scope_for
from workflows.tasks import Viewer, open_task, route, submit_task

from .conftest import CITY, DAK_CAM
from .test_entitled import enrol, set_record

HEALTH, HOME_AFFAIRS = f"{CITY}/yt", f"{CITY}/nv"  # Phòng Y tế, Phòng Nội vụ thành phố Kon Tum
PROVINCE_HOME_AFFAIRS, PROVINCE_HEALTH = "2024:62/so-nv", "2024:62/so-yt"


def _inbox(pay, agency: str, on: date):
    with pay.ctx().db.read() as session:
        scope = scope_for(session, agency, on)
        rows = list_inbox(session, scope, InboxFilter(), pay.clock(), "officer").rows
        return scope, {row.case_code for row in rows}, rows


def test_each_department_sees_its_programmes_work_and_figures(pay):
    pay.add(3)
    enrol(pay, "BN1000003", "merit", "merit_martyr_family_1", date(2025, 4, 1))  # merit only, from a roll
    set_record(pay, "BN1000003", category_code="merit_martyr_family_1")
    pay.at(2025, 4, 1)
    started = {s.business_key: s.cycle_id for s in payouts.start_cycles(pay.ctx(), "2024:62", "2025-04")}
    social, merit = f"PAY-{CITY}-2025-04", f"PAY-{CITY}-2025-04-NCC"
    assert set(started) == {social, merit}
    on = date(2025, 4, 1)

    scope, health_cases, health_rows = _inbox(pay, HEALTH, on)
    assert scope.programmes(["district_labour"]) == frozenset({"social_assistance"})
    assert health_cases == {social}
    scope_nv, home_cases, home_rows = _inbox(pay, HOME_AFFAIRS, on)
    assert scope_nv.programmes(["district_labour"]) == frozenset({"merit"})
    assert home_cases == {merit}  # before, the two departments' equal assignments hid one another's
    with pay.ctx().db.read() as session:
        assert task_in_scope(session, scope_nv, home_rows[0].task_id)
        assert not task_in_scope(session, scope_nv, health_rows[0].task_id)
        assert scope_for(session, f"{CITY}/ldtbxh", on).areas_by_role == {}  # its work ended on 1/3/2025
    home_affairs = Viewer("nga", scope_nv)
    assert open_task(pay.ctx(), home_rows[0].task_id, home_affairs).task.id == home_rows[0].task_id
    with pytest.raises(NotFound):  # the same role and area, but Health's programme: not there for them
        open_task(pay.ctx(), health_rows[0].task_id, home_affairs)

    for agency, programme, people in (
        (PROVINCE_HEALTH, "social_assistance", 2),
        (PROVINCE_HOME_AFFAIRS, "merit", 1),
    ):
        with pay.ctx().db.read() as session:
            scope = scope_for(session, agency, on)
        page = dashboard_page(pay.ctx(), scope, is_admin=False, area_code=CITY)
        assert page.frame.programmes == frozenset({programme})
        assert sum(p.lines for p in page.payouts.progress) == people, agency
        assert page.work.totals[0] == 1  # its own cycle's approval
    everything = dashboard_page(pay.ctx(), scope_for_admin(pay), is_admin=True, area_code=CITY)
    assert everything.frame.programmes is None and sum(p.lines for p in everything.payouts.progress) == 3


def scope_for_admin(pay):
    with pay.ctx().db.read() as session:
        return scope_for(session, PROVINCE_HEALTH, date(2025, 4, 1))


def test_overdue_work_escalates_along_its_own_programmes_departments(pay):
    pay.add(3)
    enrol(pay, "BN1000003", "merit", "merit_martyr_family_1", date(2025, 4, 1))
    set_record(pay, "BN1000003", category_code="merit_martyr_family_1")
    pay.at(2025, 4, 1)
    cycles = {s.business_key: s.cycle_id for s in payouts.start_cycles(pay.ctx(), "2024:62", "2025-04")}
    instance = {key: pay.cycle(cycle_id).instance_id for key, cycle_id in cycles.items()}
    pay.at(2025, 4, 30)  # every first step long overdue: escalated to the top
    assert sweep_deadlines(pay.ctx()).escalations >= 4

    def who(key: str) -> list[tuple[str, int, str]]:
        with pay.ctx().db.read() as session:
            alerts = alerts_of_instance(session, instance[key])
        return [(a.kind, a.level, a.agency_code) for a in alerts if a.kind != "reminder"]

    assert who(f"PAY-{CITY}-2025-04-NCC") == [
        ("overdue", 0, HOME_AFFAIRS),
        ("escalation", 1, PROVINCE_HOME_AFFAIRS),
        ("escalation", 2, "2024:62/ubnd"),
    ]
    assert who(f"PAY-{CITY}-2025-04") == [
        ("overdue", 0, HEALTH),
        ("escalation", 1, PROVINCE_HEALTH),
        ("escalation", 2, "2024:62/ubnd"),
    ]
    # and "the next step goes to …" names the same department
    for key, department in ((f"PAY-{CITY}-2025-04-NCC", HOME_AFFAIRS), (f"PAY-{CITY}-2025-04", HEALTH)):
        (task,) = engine.get_instance(pay.ctx(), instance[key]).open_tasks
        assert route(pay.ctx(), [task])[0].agency_code == department, key
    # and each cycle's monthly report goes to its own programme's provincial department
    with pay.ctx().db.read() as session:
        names = dict(session.execute(select(Agency.code, Agency.name)).all())
    for key, department in (
        (f"PAY-{CITY}-2025-04-NCC", PROVINCE_HOME_AFFAIRS),
        (f"PAY-{CITY}-2025-04", PROVINCE_HEALTH),
    ):
        sheet = load_workbook(io.BytesIO(monthly_report_xlsx(pay.ctx(), cycles[key]))).active
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
        assert names[department] in text, key


def test_a_case_is_its_persons_programmes_work(pay):
    pay.at(2025, 4, 1)
    ctx = pay.ctx()
    merit = open_case(ctx, "BN2000001", DAK_CAM, "Y Thị Hoa", "merit_martyr_family_1").instance_id
    both = open_case(ctx, "BN2000002", DAK_CAM, "A Văn Nam", "disabled_severe").instance_id
    new = open_case(ctx, "BN2000003", DAK_CAM, "Y Thị Lan", "disabled_severe").instance_id
    enrol(pay, "BN2000001", "merit", "merit_martyr_family_1", date(2025, 4, 1))  # merit only
    enrol(pay, "BN2000002", "merit", "merit_martyr_family_1", date(2025, 4, 1))  # and social assistance
    enrol(pay, "BN2000002", "social_assistance", "disabled_severe", date(2025, 4, 1))
    with ctx.db.transaction() as conn:
        assert programmes_of(conn, [merit, both, new]) == {
            merit: "merit",
            both: "social_assistance",  # routed as social assistance; both departments see it
            new: "social_assistance",  # not enrolled yet: being brought in for social assistance
        }


def test_a_person_in_both_programmes_escalates_along_both_departments_chains(pay):
    """The review of a person in both programmes is done by the routing programme's office (Phòng Y tế);
    when it is late, each department's chain hears of it: Sở Y tế and Sở Nội vụ at the first level, the
    province's People's Committee, which both chains reach, once."""
    pay.at(2025, 4, 1)
    ctx = pay.ctx()
    cases = {
        "both": open_case(ctx, "BN2000002", DAK_CAM, "A Văn Nam", "disabled_severe").instance_id,
        "social": open_case(ctx, "BN2000003", DAK_CAM, "Y Thị Lan", "disabled_severe").instance_id,
    }
    enrol(pay, "BN2000002", "merit", "merit_martyr_family_1", date(2025, 4, 1))
    for n, instance_id in enumerate(cases.values()):
        for bpmn_id, form in (
            ("outreach", AGREES),
            ("register", {**REGISTRATION, "category_code": "disabled_severe", "cccd": f"06215012345{n}"}),
        ):
            (task,) = [
                t for t in engine.get_instance(pay.ctx(), instance_id).open_tasks if t.bpmn_id == bpmn_id
            ]
            submit_task(pay.ctx(), task.id, form, user="officer")
    pay.at(2025, 5, 30)  # the review, due in April, long overdue
    sweep_deadlines(pay.ctx())

    def who(instance_id: int) -> list[tuple[str, int, str]]:
        with pay.ctx().db.read() as session:
            alerts = alerts_of_instance(session, instance_id)
        return sorted((a.kind, a.level, a.agency_code) for a in alerts if a.kind != "reminder")

    assert who(cases["both"]) == [
        ("escalation", 1, PROVINCE_HOME_AFFAIRS),
        ("escalation", 1, PROVINCE_HEALTH),
        ("escalation", 2, "2024:62/ubnd"),
        ("overdue", 0, HEALTH),
    ]
    assert who(cases["social"]) == [
        ("escalation", 1, PROVINCE_HEALTH),
        ("escalation", 2, "2024:62/ubnd"),
        ("overdue", 0, HEALTH),
    ]
    assert sweep_deadlines(pay.ctx()).escalations == 0  # raised once, however often it sweeps


def test_a_merit_only_person_registered_in_a_merit_category_is_merit_work_and_goes_to_home_affairs(pay):
    """Registration offers both programmes' categories; the chosen one's programme enrols the person, and
    so routes the case: a martyr's relative's review goes to Phòng Nội vụ, an old person's to Phòng Y tế."""
    pay.at(2025, 4, 1)
    ctx = pay.ctx()
    cases = {
        "merit_martyr_family_1": open_case(ctx, "BN2000001", DAK_CAM, "Y Thị Hoa", "merit_martyr_family_1"),
        "disabled_severe": open_case(ctx, "BN2000002", DAK_CAM, "A Văn Nam", "disabled_severe"),
    }
    for n, (category, step) in enumerate(cases.items()):
        for bpmn_id, form in (
            ("outreach", AGREES),
            ("register", {**REGISTRATION, "category_code": category, "cccd": f"06215012345{n}"}),
        ):
            tasks = engine.get_instance(pay.ctx(), step.instance_id).open_tasks
            (task,) = [t for t in tasks if t.bpmn_id == bpmn_id]
            submit_task(pay.ctx(), task.id, form, user="officer")
    with pay.ctx().db.read() as session:
        enrolled = dict(session.execute(select(Enrolment.beneficiary_code, Enrolment.programme)).all())
        routing = programmes_of(session.connection(), [step.instance_id for step in cases.values()])
    assert enrolled == {"BN2000001": "merit", "BN2000002": "social_assistance"}
    assert list(routing.values()) == ["merit", "social_assistance"]
    for step, department in zip(cases.values(), (HOME_AFFAIRS, HEALTH), strict=True):
        (review,) = engine.get_instance(pay.ctx(), step.instance_id).open_tasks
        assert (review.bpmn_id, route(pay.ctx(), [review])[0].agency_code) == ("review", department)


def test_the_new_case_form_offers_the_merit_categories_under_their_programme():
    from workflows.forms import describe

    for key in ("registration", "new_case"):
        (category,) = [f for f in describe(key) if f.name == "category_code"]
        assert list(category.groups) == ["Trợ cấp xã hội", "Ưu đãi người có công"], key
        assert "merit_martyr_family_1" in category.groups["Ưu đãi người có công"]
        assert "elderly_80_plus_no_pension" in category.groups["Trợ cấp xã hội"]
        assert sorted(category.choices) == sorted(c for codes in category.groups.values() for c in codes)
