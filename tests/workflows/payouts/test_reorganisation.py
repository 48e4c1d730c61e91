"""The 2025 reorganisation as data: on 1/7/2025 a 2024 commune's people, cases and open tasks move to
their 2025 commune (each move in the history), June is paid by the district, July by the new commune,
with no gap and nothing twice; role assignments are dated and per programme."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

import engine
from engine.models import HistoryEvent
from workflows import payouts
from workflows.beneficiaries.models import Beneficiary
from workflows.demo.organisation import build_demo_organisation
from workflows.org import load_current_units, resolve_agency
from workflows.org.switchover import apply_successions, load_successions, switch_role
from workflows.scheduler import switchover_job

from .conftest import CITY

NGOK_BAY_2024, NGOK_BAY_2025 = "2024:23317", "2025:23317"  # Xã Ngọk Bay, kept its code and name


def test_june_by_the_district_july_by_the_new_commune_with_no_gap(pay):
    with pay.ctx().db.write() as session:
        load_current_units(session, "51")
        build_demo_organisation(session, "2025")
        assert load_successions(session) == 102  # every Kon Tum commune (Resolution 1677/NQ-UBTVQH15)
        assert load_successions(session) == 0  # loaded once
    pay.add(3, communes=[NGOK_BAY_2024])
    pay.at(2025, 6, 1)
    june = pay.start(area=CITY, month="2025-06")
    pay.approve_and_fund(june)
    pay.pay_all(june)
    # A case of the commune still open on the date: its instance moves too.
    case = engine.start_instance(pay.ctx(), "monthly_payout", "CASE-X", NGOK_BAY_2024, {"month": "2025-07"})
    # The scheduler carries it out by itself on the date (Vietnam time), once.
    job = switchover_job()
    pay.clock.now = datetime(2025, 6, 30, 16, 59, tzinfo=UTC)  # 23:59 on 30/6 in Vietnam
    assert job.run(pay.ctx()) is None
    pay.clock.now = datetime(2025, 6, 30, 17, 1, tzinfo=UTC)  # 00:01 on 1/7
    assert job.run(pay.ctx()) == (
        "reorganisation of 01/07/2025: 102 areas, 3 records, 1 running instances moved"
    )
    assert job.run(pay.ctx()) is None and apply_successions(pay.ctx(), date(2025, 7, 1)).areas == 0
    pay.at(2025, 7, 1)
    started = payouts.start_cycles(pay.ctx(), "2025:51", "2025-07")
    assert [s.business_key for s in started] == [f"PAY-{NGOK_BAY_2025}-2025-07"]
    july = started[0].cycle_id
    lines = pay.lines(july)
    assert {(line.beneficiary_code, line.month, line.entitlement) for line in lines} == {
        (f"BN100000{n}", date(2025, 7, 1), "monthly") for n in (1, 2, 3)
    }
    assert {line.commune_code for line in lines} == {NGOK_BAY_2025}
    assert payouts.start_cycles(pay.ctx(), "2024:62", "2025-07") == []  # nobody left in the old commune
    with pay.ctx().db.read() as session:
        areas = set(session.scalars(select(Beneficiary.area_code)))
        moves = session.scalars(select(HistoryEvent.data).where(HistoryEvent.kind == "area_moved")).all()
        changes = session.scalars(
            select(HistoryEvent.data).where(HistoryEvent.kind == "record_changed")
        ).all()
    assert areas == {NGOK_BAY_2025}
    assert {"from": NGOK_BAY_2024, "to": NGOK_BAY_2025, "tasks": []} in moves  # its cycle failed to start
    assert sum(1 for c in changes if c.get("reason") == "reorganisation") == 3
    assert engine.get_instance(pay.ctx(), case.instance_id).area_code == NGOK_BAY_2025


def test_role_assignments_are_dated_and_per_programme(pay):
    with pay.ctx().db.read() as session:

        def name(role, on, programme="social_assistance"):
            return resolve_agency(session, role, "2024:23311", on, programme).name

        assert name("district_labour", date(2025, 2, 28)) == "Phòng LĐTBXH thành phố Kon Tum"
        assert name("district_labour", date(2025, 3, 1)) == "Phòng Y tế thành phố Kon Tum"
        assert name("district_labour", date(2025, 3, 1), "merit") == "Phòng Nội vụ thành phố Kon Tum"
        assert name("dolisa", date(2025, 3, 1)) == "Sở Y tế tỉnh Kon Tum"
        assert name("dolisa", date(2025, 3, 1), "merit") == "Sở Nội vụ tỉnh Kon Tum"
    with pay.ctx().db.write() as session:
        switch_role(session, "provider", CITY, "2024:62/bd", date(2024, 9, 1), actor="admin", at=pay.clock())
    with pay.ctx().db.read() as session:
        assert resolve_agency(session, "provider", CITY, date(2024, 8, 31)).code == f"{CITY}/bd"
        assert resolve_agency(session, "provider", CITY, date(2024, 9, 1)).code == "2024:62/bd"
