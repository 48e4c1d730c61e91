"""Figures about people: where their cases stand (the funnel, with how long they have waited there) and
how many are paid by account against the province's targets. One grouped query each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, case, func, select

from engine.models import Instance, OpenTask

from ..beneficiaries.models import Beneficiary
from ..programme_work import instance_condition, person_condition
from .frame import Frame
from .targets import Target, applying_targets

CASE_PROCESS = "beneficiary_case"
# The case's user tasks in the order a person meets them (bpmn/beneficiary_case.bpmn).
CASE_STEPS = ("outreach", "register", "review", "issue_cccd", "police_check", "open_account", "issue_card",
              "offer_cashless", "repair_account")  # fmt: skip
AGE_BANDS = (7, 30, 90)  # days: under 7, 7–30, 30–90, over 90
ACTIVE = ("active_cashless", "cash")
PAID_STATUS_LABELS = {"active_cashless": "Đang hưởng qua tài khoản", "cash": "Đang hưởng tiền mặt"}

_T = OpenTask.__table__
_I = Instance.__table__
_B = Beneficiary.__table__


@dataclass
class FunnelStep:
    step: str
    name: str
    count: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * (len(AGE_BANDS) + 1))
    oldest_days: int | None = None


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]  # the case's steps, then the two ways of being paid
    by_row: dict[str, dict[str, int]]  # row → step → people there


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    active: int
    by_account: int
    in_cash: int
    target: Target | None

    @property
    def share_pct(self) -> float | None:
        return None if not self.active else round(100 * self.by_account / self.active, 1)

    @property
    def below_target(self) -> bool:
        share = self.share_pct
        return self.target is not None and share is not None and share < self.target.share_pct


def status_counts(conn: Connection, frame: Frame) -> dict[str, dict[str, int]]:
    """row → beneficiary status → people (index-only on (area_code, status))."""
    counts: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        select(_B.c.area_code, _B.c.status, func.count())
        .where(_B.c.area_code.in_(frame.codes), person_condition(_B.c.code, frame.programmes))
        .group_by(_B.c.area_code, _B.c.status)
    )
    for area, status, number in rows:
        row = counts.setdefault(frame.row_of[area], {})
        row[status] = row.get(status, 0) + number
    return counts


def funnel(conn: Connection, frame: Frame, statuses: dict, names: dict[str, str], now: datetime) -> Funnel:
    """People at each open step of their case, by how long the step has waited, then those being paid."""
    cutoffs = [now - timedelta(days=d) for d in AGE_BANDS]
    older = [func.sum(case((_T.c.created_at < c, 1), else_=0)) for c in cutoffs]
    rows = conn.execute(
        select(_T.c.area_code, _T.c.bpmn_id, func.count(), func.min(_T.c.created_at), *older)
        .join(_I, _I.c.id == _T.c.instance_id)
        .where(
            _I.c.process_key == CASE_PROCESS,
            _T.c.area_code.in_(frame.codes),
            instance_condition(_I.c.id, _I.c.business_key, frame.programmes),
        )
        .group_by(_T.c.area_code, _T.c.bpmn_id)
    )
    steps = {s: FunnelStep(s, names.get(s, s)) for s in CASE_STEPS}
    by_row: dict[str, dict[str, int]] = {}
    for area, step_id, number, oldest, *over in rows:
        step = steps.setdefault(step_id, FunnelStep(step_id, names.get(step_id, step_id)))
        step.count += number
        bounds = [number, *over, 0]
        for index in range(len(AGE_BANDS) + 1):
            step.bands[index] += (bounds[index] or 0) - (bounds[index + 1] or 0)
        days = (now - oldest).days if oldest else None
        if days is not None and (step.oldest_days is None or days > step.oldest_days):
            step.oldest_days = days
        row = by_row.setdefault(frame.row_of[area], {})
        row[step_id] = row.get(step_id, 0) + number
    for status in ACTIVE:
        paid = FunnelStep(status, PAID_STATUS_LABELS[status])
        for row, counts in statuses.items():
            paid.count += counts.get(status, 0)
            by_row.setdefault(row, {})[status] = counts.get(status, 0)
        steps[status] = paid
    return Funnel(list(steps.values()), by_row)


def coverage(conn: Connection, frame: Frame, statuses: dict, today: date) -> list[CoverageRow]:
    """Per row: people being paid, by account and in cash, the share by account and the target."""
    targets = applying_targets(conn, [r.code for r in frame.rows], frame.parents, today)
    out = []
    for row in frame.rows:
        counts = statuses.get(row.code, {})
        account, cash = counts.get("active_cashless", 0), counts.get("cash", 0)
        out.append(CoverageRow(row.code, row.name, account + cash, account, cash, targets.get(row.code)))
    return out


def total_coverage(rows: list[CoverageRow]) -> tuple[int, int]:
    return sum(r.by_account for r in rows), sum(r.active for r in rows)
