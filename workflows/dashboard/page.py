"""A dashboard page in one call: the frame and every figure, for the web page, its xlsx downloads and the
REST API alike (plain dataclasses, no Flask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import engine
from engine import EngineContext

from ..deadlines.calendar import VIETNAM
from ..scope import Scope
from .cases import CoverageRow, Funnel, coverage, funnel, status_counts
from .frame import Frame, build_frame
from .payouts import Payouts, payouts, summarise_closed_cycles
from .work import Work, work


@dataclass(frozen=True)
class DashboardPage:
    frame: Frame
    today: date
    this_month: date
    funnel: Funnel
    coverage: list[CoverageRow]
    work: Work
    payouts: Payouts


def dashboard_page(
    ctx: EngineContext, scope: Scope, is_admin: bool, area_code: str | None = None, months: int = 12
) -> DashboardPage:
    """Everything the page shows for ``area_code`` (None: the top of the user's view). NotFound when the
    area is outside what the user watches."""
    now = ctx.now()
    today = now.astimezone(VIETNAM).date()
    this_month = today.replace(day=1)
    month_start = datetime.combine(this_month, time(0), VIETNAM)
    names = step_names(ctx)
    summarise_closed_cycles(ctx)
    with ctx.db.read() as session:
        frame = build_frame(session, scope, is_admin, area_code)
        conn = session.connection()
        statuses = status_counts(conn, frame)
        return DashboardPage(
            frame, today, this_month,
            funnel(conn, frame, statuses, names, now),
            coverage(conn, frame, statuses, today),
            work(conn, frame, names, now, month_start),
            payouts(conn, frame, this_month, months),
        )  # fmt: skip


def step_names(ctx: EngineContext) -> dict[str, str]:
    """bpmn id → step name, from the deployed processes' specs (cached by the engine)."""
    return {step: name for steps in engine.steps_by_role(ctx).values() for step, name in steps}
