"""A province to run cases in: the Kon Tum 2024 (or Quảng Ngãi 2025) tree, its demo agencies, and the
real bpmn/ deployed — and a driver that takes one case step by step, reloading between every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

import engine
from engine import EngineContext
from tests.conftest import ROOT, ManualClock
from workflows import cases
from workflows.bootstrap import bootstrap
from workflows.org import area_code, build_demo_organisation, load_area_file

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


@pytest.fixture
def province(database_url):
    """A fresh database with the 2024 tree, demo agencies and the product's BPMN deployed."""
    clock = ManualClock(datetime(2024, 3, 4, 1, 0, tzinfo=UTC))
    ctx = bootstrap(database_url, clock=clock, upgrade=True)
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    opened: list[EngineContext] = [ctx]
    yield Province(database_url, clock, ctx, opened)
    for context in opened:
        context.db.dispose()


@dataclass
class Province:
    database_url: str
    clock: ManualClock
    ctx: EngineContext
    opened: list[EngineContext]

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

    def do(self, bpmn_id: str, form: dict, user: str = "officer") -> cases.Submission:
        ctx = self.province.fresh()
        (task,) = [t for t in engine.get_instance(ctx, self.instance_id).open_tasks if t.bpmn_id == bpmn_id]
        routed = cases.route(ctx, task)
        self.routed.append((bpmn_id, task.role, routed.agency_code, task.area_code))
        return cases.submit(self.province.fresh(), task.id, form, user=user)

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
