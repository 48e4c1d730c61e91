"""Since 1/3/2025 social assistance is Health's work and merit allowances Home Affairs': each department
sees its own programme's tasks in its inbox and its own figures on its dashboard, for the same area."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import NotFound
from workflows import payouts
from workflows.dashboard.page import dashboard_page
from workflows.inbox import InboxFilter, list_inbox, task_in_scope
from workflows.scope import scope_for
from workflows.tasks import Viewer, open_task

from .conftest import CITY
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
