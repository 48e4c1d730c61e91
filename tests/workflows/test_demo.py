"""The Kon Tum demo: loaded once through the product's own API, at every step, with people whose records
pass the same checks as a real registration; a second load does nothing."""

from __future__ import annotations

import random
import time
import unicodedata
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine.errors import ValidationError
from engine.models import HistoryEvent, Instance
from tests.conftest import BACKENDS, fresh_database
from tests.workflows.demo_support import DEMO_NOW, case_context
from workflows.accounts import User, authenticate
from workflows.beneficiaries.models import Beneficiary
from workflows.demo import DEMO_PASSWORD, PREFIX, SHOWCASE, demo_users, load_demo, plan_journeys
from workflows.demo.journeys import STAGES
from workflows.demo.loader import PROVINCE, _communes
from workflows.org import Agency, load_area_file, subtree_query
from workflows.validators import normalize_name, normalize_phone, validate_cccd

WAITING_STEPS = {
    "outreach", "register", "review", "issue_cccd", "police_check", "open_account", "issue_card",
    "offer_cashless", "repair_account",
}  # fmt: skip
STATUSES = {
    "outreach",
    "registered",
    "active_cashless",
    "cash",
    "rejected",
    "deceased",
    "duplicate",
    "exited",
}
COUNT = 60


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    """Loaded once per database for the module: the tests below only read (or load again, to no effect)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("demo")) as url:
        ctx, _ = case_context(url)
        summary = load_demo(ctx, beneficiaries=COUNT)
        yield ctx, summary
        ctx.db.dispose()


def test_the_demo_has_a_case_waiting_at_every_step_and_in_every_state(demo):
    ctx, summary = demo
    assert summary.loaded and summary.beneficiaries_created == summary.beneficiaries == COUNT
    assert set(summary.waiting) == WAITING_STEPS and min(summary.waiting.values()) >= 1
    assert set(summary.statuses) == STATUSES
    with ctx.db.read() as session:
        showcase = Counter(
            session.scalars(select(Beneficiary.status).where(Beneficiary.area_code == SHOWCASE)).all()
        )
        communes = session.scalar(select(func.count(func.distinct(Beneficiary.area_code))))
    assert sum(showcase.values()) >= len(STAGES) and set(showcase) == STATUSES
    assert communes >= 15


def test_loading_it_again_changes_nothing_and_is_fast(demo):
    ctx, first = demo
    with ctx.db.read() as session:
        before = (
            session.scalar(select(func.count()).select_from(HistoryEvent)),
            session.scalar(select(func.count()).select_from(User)),
        )
    started = time.perf_counter()
    again = load_demo(ctx, beneficiaries=COUNT)
    assert time.perf_counter() - started < 1
    assert not again.loaded and (again.users_created, again.beneficiaries_created) == (0, 0)
    assert (again.waiting, again.statuses) == (first.waiting, first.statuses)
    with ctx.db.read() as session:
        assert before == (
            session.scalar(select(func.count()).select_from(HistoryEvent)),
            session.scalar(select(func.count()).select_from(User)),
        )


def test_every_record_passes_the_checks_of_a_real_registration(demo):
    ctx, _ = demo
    with ctx.db.read() as session:
        records = session.scalars(select(Beneficiary).where(Beneficiary.code.like(f"{PREFIX}%"))).all()
        for record in records:
            if record.cccd:
                assert validate_cccd(record.cccd, record.date_of_birth, record.gender) == record.cccd
                assert record.cccd.startswith("062")
            assert normalize_name(record.full_name) == record.full_name
            assert unicodedata.is_normalized("NFC", record.full_name)
            assert record.phone is None or normalize_phone(record.phone) == record.phone
            assert record.village
        cccds = [r.cccd for r in records if r.cccd]
        assert len(cccds) == len(set(cccds)) > COUNT // 2


def test_each_step_was_done_by_the_demo_user_of_the_agency_that_must_do_it(demo):
    ctx, _ = demo
    with ctx.db.read() as session:
        actors = set(
            session.scalars(
                select(HistoryEvent.actor)
                .join(Instance, Instance.id == HistoryEvent.instance_id)
                .where(HistoryEvent.kind == "task_completed", Instance.area_code == SHOWCASE)
            )
        )
        usernames = set(session.scalars(select(User.username)))
    assert actors == {"ubnd.23311", "ldtbxh.608", "ca.608", "bd.608"}
    assert actors <= usernames


def test_a_demo_user_for_every_agency_with_the_published_password(demo):
    ctx, _ = demo
    with ctx.db.write() as session:
        agencies = session.scalar(select(func.count()).where(Agency.area_code.in_(subtree_query(PROVINCE))))
        users = demo_users(session)
        city = demo_users(session, "2024:608")
        account = authenticate(session, "ca.608", DEMO_PASSWORD, None, DEMO_NOW)
        admin = authenticate(session, "admin", DEMO_PASSWORD, None, DEMO_NOW)
    assert len(users) == agencies + 1  # and the administrator
    assert all(u.username.isascii() and u.username == u.username.lower() for u in users)
    assert (account.account.agency_code, admin.account.is_admin) == ("2024:608/ca", True)
    assert ("ldtbxh.608", "Phòng LĐTBXH thành phố Kon Tum", ("district_labour",)) in city
    assert ("ubnd.23311", "UBND xã Đắk Cấm", ("commune",)) in city
    assert (
        users[0].username in ("admin", "sold.62") and len(city) == 7 + 21
    )  # Phòng Y tế and Phòng Nội vụ from 1/3/2025


def test_the_demo_refuses_a_clock_too_early_for_its_history(database_url):
    ctx, _ = case_context(database_url, datetime(2024, 3, 4, 1, 0, tzinfo=UTC))
    try:
        with pytest.raises(ValidationError, match="200 days"):
            load_demo(ctx, beneficiaries=COUNT)
    finally:
        ctx.db.dispose()


def test_three_hundred_people_spread_over_stages_districts_and_names(database_url):
    """The plan alone (no engine): the full-size demo covers every stage and most of the province."""
    ctx, _ = case_context(database_url)
    with ctx.db.write() as session:
        load_area_file(session)
        communes = _communes(session)
    ctx.db.dispose()
    journeys = plan_journeys(random.Random(7), DEMO_NOW, communes, 300)
    districts = {code: district for code, district, _ in communes}
    assert len(journeys) == 300 and Counter(j.stage for j in journeys).keys() == STAGES.keys()
    assert len({districts[j.area_code] for j in journeys}) == 10
    assert len({j.area_code for j in journeys}) > 60
    names = [j.person.full_name for j in journeys]
    assert any(n.startswith("Y ") for n in names) and any(n.startswith("A ") for n in names)
    assert any("H'" in n for n in names) and any(n.startswith("Nguyễn ") for n in names)
    for journey in journeys:
        person = journey.person
        assert validate_cccd(person.cccd, person.date_of_birth, person.gender)
        assert all(action.at < DEMO_NOW for action in journey.actions)
        assert journey.opened_at >= datetime(2024, 1, 1, tzinfo=UTC)
