"""A province to run cases in: the Kon Tum 2024 (or Quảng Ngãi 2025) tree, its demo agencies, and the
real bpmn/ deployed — and a driver that takes one case step by step, reloading between every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

import engine
from engine import EngineContext
from tests.conftest import ROOT, ManualClock
from workflows.bootstrap import bootstrap
from workflows.case import service as cases
from workflows.demo.organisation import SPLIT, build_demo_organisation
from workflows.org import ancestors, area_code, load_area_file, load_current_units
from workflows.tasks import Submission, route, submit_task

COMMUNE_2024 = area_code("2024", "23311")  # Xã Đắk Cấm, thành phố Kon Tum
CITY_2024 = area_code("2024", "608")

REGISTRATION = {
    "full_name": "y thị  HOA",
    "date_of_birth": "1950-05-01",
    "gender": "female",
    "has_cccd": True,
    "cccd": "062150123456",
    "phone": "+84 912 345 678",
    "village": "Thôn Kon Hra Chót",
    "category_code": "elderly_80_plus_no_pension",
    "method": "existing_account",
    "bank_code": "VCB",
    "account_number": "0123 456 789",
    "mobility": "mobile",
    "consent": True,
}


# The demo agencies each role goes to, by structure: (level of the agency's area, its code suffix).
EXPECTED_AGENCY = {
    "2024": {
        "commune": ("commune", "ubnd"),
        "district_labour": ("district", "ldtbxh"),
        "police": ("district", "ca"),
        "provider": ("district", "bd"),
    },
    "2025": {
        "commune": ("commune", "ubnd"),
        "district_labour": ("province", "so-yt"),
        "police": ("province", "ca"),
        "provider": ("province", "bd"),
    },
}


def _province(database_url: str, structure: str, start: datetime):
    clock = ManualClock(start)
    ctx = bootstrap(database_url, clock=clock, upgrade=True)
    with ctx.db.write() as session:
        if structure == "2024":
            load_area_file(session)
        else:
            load_current_units(session, "51")
        build_demo_organisation(session, structure)
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    return Province(database_url, clock, ctx, [ctx], structure)


@pytest.fixture
def province(database_url):
    """A fresh database with the Kon Tum 2024 tree, demo agencies and the product's BPMN deployed."""
    province = _province(database_url, "2024", datetime(2024, 3, 4, 1, 0, tzinfo=UTC))
    yield province
    for context in province.opened:
        context.db.dispose()


@pytest.fixture
def province_2025(database_url):
    """Quảng Ngãi (which took in Kon Tum) in the two-tier structure of 1 July 2025."""
    province = _province(database_url, "2025", datetime(2025, 8, 4, 1, 0, tzinfo=UTC))
    yield province
    for context in province.opened:
        context.db.dispose()


@dataclass
class Province:
    database_url: str
    clock: ManualClock
    ctx: EngineContext
    opened: list[EngineContext]
    structure: str = "2024"

    def fresh(self) -> EngineContext:
        """A new context on the same database: nothing carried over in memory between steps."""
        context = bootstrap(self.database_url, clock=self.clock)
        self.opened.append(context)
        return context

    def case(self, code: str = "BN-0001", area: str = COMMUNE_2024, **details) -> Case:
        step = cases.open_case(self.fresh(), code, area, "Y Thị Hoa", "elderly_80_plus_no_pension", **details)
        return Case(self, code, step.instance_id)


@dataclass
class Case:
    province: Province
    code: str
    instance_id: int
    routed: list[tuple[str, str, str, str]] = field(default_factory=list)  # (step, role, agency, area)

    def open_tasks(self):
        return engine.get_instance(self.province.fresh(), self.instance_id).open_tasks

    def waiting(self) -> str | None:
        """The one step now open (None when none is)."""
        tasks = self.open_tasks()
        assert len(tasks) <= 1, [t.bpmn_id for t in tasks]
        return tasks[0].bpmn_id if tasks else None

    def do(self, bpmn_id: str, form: dict, user: str = "officer") -> Submission:
        ctx = self.province.fresh()
        (task,) = [t for t in engine.get_instance(ctx, self.instance_id).open_tasks if t.bpmn_id == bpmn_id]
        (routed,) = route(ctx, [task])
        self.routed.append((bpmn_id, task.role, routed.agency_code, task.area_code))
        self.check_routing(ctx, task.role, task.area_code, routed.agency_code)
        return submit_task(self.province.fresh(), task.id, form, user=user)

    def check_routing(self, ctx, role: str, area: str, agency_code: str) -> None:
        """Every step goes to the demo agency for its role at the right level above the case's commune."""
        level, suffix = EXPECTED_AGENCY[self.province.structure][role]
        if (role, self.province.structure) == (
            "district_labour",
            "2024",
        ) and self.province.clock().date() >= SPLIT:
            suffix = "yt"  # social assistance moved to Health on 1/3/2025
        with ctx.db.read() as session:
            (expected_area,) = [a.code for a in ancestors(session, area) if a.level == level]
        assert agency_code == f"{expected_area}/{suffix}", (role, area, agency_code)

    def status(self) -> str:
        return engine.get_instance(self.province.fresh(), self.instance_id).status

    def record(self):
        from workflows.beneficiaries.records import get_record

        with self.province.fresh().db.read() as session:
            record = get_record(session, self.code)
            session.expunge(record)
            return record

    def history(self) -> list[tuple[str, str | None]]:
        return [(h.kind, h.bpmn_id) for h in engine.instance_history(self.province.fresh(), self.instance_id)]

    def ended_at(self) -> str | None:
        for entry in reversed(engine.instance_history(self.province.fresh(), self.instance_id)):
            if entry.kind == "instance_ended":
                return entry.data["end"]
        return None

    def message(self, name: str, payload: dict | None = None, message_id: str | None = None):
        return engine.deliver_message(
            self.province.fresh(), name, self.code, payload or {}, message_id=message_id
        )

    def fire_timers_after(self, **delta) -> int:
        self.province.clock.advance(**delta)
        return len(engine.fire_due_timers(self.province.fresh()).fired)
