"""Raising reminders, overdue notices and escalations when they fall due.

Due work is found through one indexed column, ``open_tasks.next_alert_at``: the engine sets it to the
task's creation (or to the moment its due time changed), and each sweep that handles a task moves it
to the task's next alert, or to NULL when the ladder has no rung left. A sweep therefore reads only
the tasks it has to act on, however many are open.

Each task is claimed with ``UPDATE … WHERE next_alert_at = <as read> AND due_at = <as read>``: of two
sweeps at once only one changes the row, and the other skips it. The alerts themselves are unique per
(task, deadline, kind, step), so even a slip there could not raise one twice. What fell due while no
sweep ran is all raised by the next one, once (a reminder that comes too late, after the deadline, is
dropped: the overdue notice says more).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine import EngineContext, history
from engine.db import UTCDateTime
from engine.fastsql import FastStatement
from engine.models import OpenTask

from .calendar import WorkingCalendar, local_date
from .chains import AgencyChains
from .closing import close_stale
from .ladder import LadderBook, PlannedAlert, plan
from .models import DeadlineAlert
from .wiring import deadlines_of

log = logging.getLogger("ansinh.deadlines")
_T = OpenTask.__table__
_A = DeadlineAlert.__table__
_TASK_COLUMNS = (
    _T.c.id,
    _T.c.instance_id,
    _T.c.bpmn_id,
    _T.c.name,
    _T.c.form_key,
    _T.c.role,
    _T.c.area_code,
    _T.c.created_at,
    _T.c.due_at,
    _T.c.next_alert_at,
)
_DUE = (
    select(*_TASK_COLUMNS)
    .where(_T.c.next_alert_at <= bindparam("now", type_=UTCDateTime()))
    .order_by(_T.c.next_alert_at)
    .limit(bindparam("limit"))
)
_CLAIM = FastStatement(
    update(_T)
    .where(
        _T.c.id == bindparam("b_id"),
        _T.c.next_alert_at == bindparam("b_seen", type_=UTCDateTime()),
        _T.c.due_at.is_not_distinct_from(bindparam("b_due", type_=UTCDateTime())),
    )
    .values(next_alert_at=bindparam("b_next", type_=UTCDateTime()))
)
_ALERTS_OF = select(
    _A.c.id, _A.c.task_id, _A.c.due_at, _A.c.kind, _A.c.step, _A.c.programme, _A.c.agency_code, _A.c.closed_at
).where(_A.c.task_id.in_(bindparam("ids", expanding=True)))
RETRY_AFTER = timedelta(hours=1)
HISTORY_KIND = {"reminder": "reminder_sent", "overdue": "task_overdue", "escalation": "escalation_raised"}


@dataclass(frozen=True)
class DueTask:
    id: str
    instance_id: int
    bpmn_id: str
    name: str | None
    form_key: str | None
    role: str | None
    area_code: str
    created_at: datetime
    due_at: datetime | None
    next_alert_at: datetime


@dataclass(frozen=True)
class DeadlineSweep:
    found: int  # tasks whose next alert was due
    handled: int  # of those, claimed and brought up to date by this sweep
    skipped: int  # handled meanwhile by another sweep, or their deadline changed under us
    reminders: int
    overdue: int
    escalations: int
    closed: int  # alerts of a deadline that was changed since

    @classmethod
    def of(cls, counts: Counter[str]) -> DeadlineSweep:
        return cls(
            counts["found"],
            counts["handled"],
            counts["skipped"],
            counts["reminder"],
            counts["overdue"],
            counts["escalation"],
            counts["closed"],
        )

    def summary(self) -> str | None:
        if not self.found:
            return None
        return (
            f"{self.found} due, {self.handled} handled, {self.skipped} skipped: {self.reminders} reminders, "
            f"{self.overdue} overdue, {self.escalations} escalations, {self.closed} closed"
        )


def sweep_deadlines(
    ctx: EngineContext, now: datetime | None = None, batch_size: int = 500, max_batches: int | None = None
) -> DeadlineSweep:
    """Raise every alert due at ``now`` (default: the context's clock), a batch of tasks per unit of work."""
    moment = now or ctx.now()
    deadlines = deadlines_of(ctx)
    calendar = deadlines.calendars.current()
    counts: Counter[str] = Counter()
    chains = AgencyChains(local_date(moment))  # answers kept for this sweep's batches
    batches = stalled = 0
    while max_batches is None or batches < max_batches:
        with ctx.db.read() as session:
            tasks = due_tasks(session.connection(), moment, batch_size)
        if not tasks:
            break
        batches += 1
        with ctx.db.transaction() as conn:
            handled = handle(conn, tasks, moment, calendar, deadlines.ladders, chains)
        counts.update(handled)
        counts["found"] += len(tasks)
        stalled = 0 if handled["handled"] else stalled + 1
        if len(tasks) < batch_size or stalled == 3:
            break  # nothing more is due, or another sweep keeps taking the tasks first
    return DeadlineSweep.of(counts)


def due_tasks(conn: Connection, now: datetime, limit: int) -> list[DueTask]:
    """The open tasks whose next alert is due, earliest first: a range scan of one index."""
    return [DueTask(*row) for row in conn.execute(_DUE, {"now": now, "limit": limit})]


def plan_task_now(ctx: EngineContext, task_id: str) -> DeadlineSweep:
    """Bring one task's alerts up to date at once (after its deadline was changed)."""
    deadlines = deadlines_of(ctx)
    moment = ctx.now()
    calendar = deadlines.calendars.current()
    counts: Counter[str] = Counter()
    with ctx.db.transaction() as conn:
        row = conn.execute(select(*_TASK_COLUMNS).where(_T.c.id == task_id)).first()
        if row is not None and row.next_alert_at is not None:
            chains = AgencyChains(local_date(moment))
            counts = handle(conn, [DueTask(*row)], moment, calendar, deadlines.ladders, chains)
            counts["found"] = 1
    return DeadlineSweep.of(counts)


def handle(
    conn: Connection,
    tasks: list[DueTask],
    now: datetime,
    calendar: WorkingCalendar,
    ladders: LadderBook,
    chains: AgencyChains,
) -> Counter[str]:
    """Claim each task, then raise what its ladder says is due and was not raised yet: one unit of work.

    The reminder and the overdue notice go to the agency that must do the task; each escalation goes up
    the chain of every programme whose work the task is (a person in both programmes: Sở Y tế's and Sở
    Nội vụ's), once to an agency both chains share."""
    # Here, not at the top: programme_work reads payout cycles, whose package imports workflows.tasks,
    # which imports this package.
    from ..programme_work import work_programmes

    counts: Counter[str] = Counter()
    programmes = work_programmes(conn, {task.instance_id for task in tasks})  # whose chains: the case's
    chains.prepare(
        Session(bind=conn), {(t.role, t.area_code, p) for t in tasks for p in programmes[t.instance_id]}
    )
    claimed: list[tuple[DueTask, Chains, list[PlannedAlert]]] = []
    for task in sorted(tasks, key=lambda t: t.id):  # one lock order for every sweep: no deadlocks
        ladders_up = [(p, chains.chain(task.role, task.area_code, p)) for p in programmes[task.instance_id]]
        try:
            alerts = _plan(task, max(len(chain) for _, chain in ladders_up), calendar, ladders)
            upcoming = [a.at for a in alerts if a.at > now]
        except Exception:  # one task the ladder cannot plan must not hold up the others
            log.exception("deadline of task %s cannot be planned; trying again later", task.id)
            alerts, upcoming = [], [now + RETRY_AFTER]
        seen = {"b_id": task.id, "b_seen": task.next_alert_at, "b_due": task.due_at}
        if _CLAIM.run(conn, {**seen, "b_next": min(upcoming, default=None)}) != 1:
            counts["skipped"] += 1
            continue
        counts["handled"] += 1
        claimed.append((task, ladders_up, [a for a in alerts if a.at <= now]))
    if not claimed:
        return counts
    existing = conn.execute(_ALERTS_OF, {"ids": [task.id for task, _, _ in claimed]}).all()
    done = {(a.task_id, a.due_at, a.kind, a.step, a.programme) for a in existing}
    due_by_task = {task.id: task.due_at for task, _, _ in claimed}
    stale = [a for a in existing if a.closed_at is None and a.due_at != due_by_task[a.task_id]]
    notes = close_stale(conn, stale, now, {task.id: task for task, _, _ in claimed})
    counts["closed"] += len(stale)
    rows = []
    for task, ladders_up, due_now in claimed:
        for alert in due_now:
            if alert.kind == "reminder" and (now >= task.due_at or alert.at < task.created_at):
                continue  # too late to remind, or the task was created inside the reminder's window
            for programme, agency in _recipients(ladders_up, alert):
                if (task.id, task.due_at, alert.kind, alert.step, programme) in done:
                    continue
                row = _alert_row(task, ladders_up[0][1], agency, programme, alert, now)
                rows.append(row)
                notes.append(_raised_note(task, row, now))
                counts[alert.kind] += 1
    if rows:
        conn.execute(insert(_A), rows)
    history.write(conn, notes)
    return counts


Chains = list[tuple[str, list[str]]]  # (programme, [assigned agency, its supervisor, …]), routing first


def _recipients(ladders_up: Chains, alert: PlannedAlert) -> list[tuple[str, str | None]]:
    """(programme, agency) each raising of ``alert`` goes to: the assigned agency for a reminder or the
    overdue notice; for an escalation, each chain's agency at that level, once per agency."""
    routing, chain = ladders_up[0]
    if alert.kind != "escalation":
        return [(routing, chain[0] if chain else None)]
    found: list[tuple[str, str | None]] = []
    for programme, chain in ladders_up:
        if alert.step < len(chain) and chain[alert.step] not in {agency for _, agency in found}:
            found.append((programme, chain[alert.step]))
    return found


def _plan(
    task: DueTask, chain_length: int, calendar: WorkingCalendar, ladders: LadderBook
) -> list[PlannedAlert]:
    if task.due_at is None:  # the deadline was taken away: nothing to plan
        return []
    ladder = ladders.for_task(task.bpmn_id, task.form_key)
    return plan(ladder, task.due_at, calendar, max(chain_length - 1, 0))


def _alert_row(
    task: DueTask, chain: list[str], agency: str | None, programme: str, alert: PlannedAlert, now: datetime
) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "instance_id": task.instance_id,
        "bpmn_id": task.bpmn_id,
        "task_name": task.name,
        "due_at": task.due_at,
        "kind": alert.kind,
        "step": alert.step,
        "programme": programme,
        "agency_code": agency,
        "assigned_agency_code": chain[0] if chain else None,
        "scheduled_at": alert.at,
        "raised_at": now,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "comment": None,
        "closed_at": None,
        "close_reason": None,
    }


def _raised_note(task: DueTask, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    data = {"agency": row["agency_code"], "due_at": task.due_at.isoformat()}
    if row["kind"] == "reminder":
        data["days_before"] = row["step"]
    elif row["kind"] == "escalation":
        data.update(
            level=row["step"], assigned_agency=row["assigned_agency_code"], programme=row["programme"]
        )
    data["scheduled_at"] = row["scheduled_at"].isoformat()
    return history.entry(
        now, HISTORY_KIND[row["kind"]], task.instance_id, task_id=task.id, bpmn_id=task.bpmn_id, data=data
    )
