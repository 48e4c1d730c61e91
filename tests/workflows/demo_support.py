"""A database with the case's BPMN deployed (only the case's files, so other processes' handlers are not
needed) at a moment late enough for the demo's cases to reach back 200 days."""

from __future__ import annotations

from datetime import UTC, datetime

import engine
from tests.conftest import ROOT, ManualClock
from workflows.bootstrap import bootstrap

CASE_FILES = [ROOT / "bpmn" / "beneficiary_case.bpmn", ROOT / "bpmn" / "cash_method.dmn"]
DEMO_NOW = datetime(2024, 10, 1, 2, 0, tzinfo=UTC)  # 09:00 on a Tuesday in Vietnam


def case_context(database_url: str, now: datetime = DEMO_NOW):
    clock = ManualClock(now)
    ctx = bootstrap(database_url, clock=clock, upgrade=True)
    engine.deploy_paths(ctx, CASE_FILES)
    return ctx, clock
