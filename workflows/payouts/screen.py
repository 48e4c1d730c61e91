"""What a payout page shows a person: which of the payout's roles they play for a cycle, the cycle's open
steps, and its lines a page at a time with CCCD and account numbers masked unless the role needs them
(``workflows.privacy``); every unmasked view or export is recorded in the cycle's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select

import engine
from engine import EngineContext, history
from engine.errors import NotFound
from engine.views import TaskView

from ..deadlines.calendar import VIETNAM
from ..privacy import mask, sees_account, sees_cccd
from ..scope import Scope, area_names
from .common import CASH_METHODS, CASH_PENDING, NOT_COLLECTED, PENDING
from .models import PayoutCycle, PayoutLine
from .views import CycleView, LineView, Total, list_cycles, list_lines

PAYOUT_ROLES = ("district_labour", "treasury", "provider", "district_pc")  # the lanes of the BPMN
# Those who watch every cycle of their areas without a step in it: the province department (Sở). They
# and the administrators read a cycle as "watch" — no step, no form, numbers masked.
WATCH_ROLES = ("dolisa",)
WATCH = "watch"
CASH_PHASES = ("funded", "fallback")  # when cash results may be recorded
PER_PAGE = 50


def cycle_area(ctx: EngineContext, cycle_id: int) -> str:
    """The cycle's area alone: enough to check who may ask (a progress poll, every second)."""
    with ctx.db.read() as session:
        area = session.scalar(select(PayoutCycle.area_code).where(PayoutCycle.id == cycle_id))
    if area is None:
        raise NotFound(f"payout cycle {cycle_id} does not exist")
    return area


def cycles_for(ctx: EngineContext, scope: Scope, is_admin: bool = False) -> list[dict] | None:
    """The cycles of every area where ``scope`` plays or watches a payout role (every cycle for an
    administrator), newest first, with the area's name; None when the list is not theirs to see."""
    roles = (*PAYOUT_ROLES, *WATCH_ROLES)
    areas = sorted({area for role in roles for area in scope.areas_by_role.get(role, ())})
    if not areas and not is_admin:
        return None
    cycles = list_cycles(ctx, area_codes=None if is_admin else areas)
    with ctx.db.read() as session:
        names = dict(area_names(session, {cycle["area_code"] for cycle in cycles}))
    return [{**cycle, "area_name": names.get(cycle["area_code"], cycle["area_code"])} for cycle in cycles]


def roles_for(scope: Scope, area_code: str, is_admin: bool = False) -> frozenset[str]:
    """The payout roles ``scope`` plays for a cycle of ``area_code`` (``WATCH`` for the province's
    department and administrators): empty means the cycle is not theirs."""
    roles = {role for role in PAYOUT_ROLES if scope.covers(role, area_code)}
    if is_admin or any(scope.covers(role, area_code) for role in WATCH_ROLES):
        roles.add(WATCH)
    return frozenset(roles)


@dataclass(frozen=True)
class LineFilter:
    commune: str | None = None
    method: str | None = None
    status: str | None = None
    search: str | None = None
    page: int = 1


@dataclass(frozen=True)
class LinesPage:
    rows: list[LineView]
    page: int
    has_next: bool
    cccd_masked: bool
    account_masked: bool


def lines_page(
    ctx: EngineContext,
    cycle: CycleView,
    roles: Iterable[str],
    viewer: str,
    filters: LineFilter,
    per_page: int = PER_PAGE,
) -> LinesPage:
    """One page of the cycle's lines as ``roles`` may see them."""
    page = max(filters.page, 1)
    rows = list_lines(
        ctx, cycle.id, status=filters.status or None, method=filters.method or None,
        commune_code=filters.commune or None, search=(filters.search or "").strip() or None,
        limit=per_page + 1, offset=(page - 1) * per_page,
    )  # fmt: skip
    rows, has_next = rows[:per_page], len(rows) > per_page
    roles = set(roles)
    show_cccd, show_account = sees_cccd(roles), sees_account(roles)
    if not show_cccd or not show_account:
        rows = [_masked(line, show_cccd, show_account) for line in rows]
    shown = [name for name, ok in (("cccd", show_cccd), ("account", show_account)) if ok]
    if shown and rows:
        record_pii(ctx, cycle, viewer, shown, lines=[line.id for line in rows])
    return LinesPage(rows, page, has_next, not show_cccd, not show_account)


def _masked(line: LineView, show_cccd: bool, show_account: bool) -> LineView:
    changes = {}
    if not show_cccd:
        changes["beneficiary_cccd"] = mask(line.beneficiary_cccd)
        changes["recipient_cccd"] = mask(line.recipient_cccd)
    if not show_account:
        changes["account_number"] = mask(line.account_number)
    return replace(line, **changes)


def record_pii(
    ctx: EngineContext, cycle: CycleView, viewer: str, fields: list[str], lines: list[int] | None = None,
    file: str | None = None,
) -> None:  # fmt: skip
    """Personal numbers shown in full (a page of lines) or exported (a payment list) go in the history."""
    data = {"cycle": cycle.business_key, "fields": fields}
    if lines is not None:
        data["lines"] = lines
    if file is not None:
        data["file"] = file
    with ctx.db.transaction() as conn:
        history.record(conn, ctx.now(), "pii_viewed", cycle.instance_id, actor=viewer, data=data)


def open_steps(ctx: EngineContext, cycle: CycleView) -> list[TaskView]:
    """The cycle's open tasks (two at once while both reports are due)."""
    if cycle.instance_id is None:
        return []
    return engine.get_instance(ctx, cycle.instance_id).open_tasks


def cash_payable(line: LineView) -> bool:
    """May a cash result be recorded for ``line`` now (a cash line, or a failed transfer turned into one)?"""
    return (
        line.status == CASH_PENDING
        or (line.status == PENDING and line.method in CASH_METHODS)
        or line.status == NOT_COLLECTED
    )


def cash_preview(ctx: EngineContext, cycle_id: int, results: Iterable[tuple[int, str]]) -> dict[str, Total]:
    """What a screen of cash results would record, per result ("paid", "not_collected"): lines and money,
    for the person to confirm before anything is written (lines of another cycle are not counted)."""
    wanted = dict(results)
    if not wanted:
        return {}
    lines = PayoutLine.__table__
    query = select(lines.c.id, lines.c.amount).where(lines.c.cycle_id == cycle_id, lines.c.id.in_(wanted))
    totals: dict[str, Total] = {}
    with ctx.db.read() as session:
        for line_id, amount in session.execute(query):
            before = totals.get(wanted[line_id], Total())
            totals[wanted[line_id]] = Total(before.lines + 1, before.amount + amount)
    return totals


def step_agencies(ctx: EngineContext, cycle: CycleView) -> dict[str, str]:
    """Who does each of the payout's steps for this cycle, by name, as the organisation's data says on
    today's date (the 2025 reorganisation moved them: never a name written into a page)."""
    from ..org.routing import resolve_agency

    today = ctx.now().astimezone(VIETNAM).date()
    names = {}
    with ctx.db.read() as session:
        for role in PAYOUT_ROLES:
            try:
                names[role] = resolve_agency(session, role, cycle.area_code, today, cycle.programme).name
            except NotFound:
                continue
    return names
