"""Telling each beneficiary's case that this month's transfer failed (message ``payout_failed``).

The notices are written by the BPMN step that turns failed transfers into cash lines, in that step's
transaction (an outbox); they are delivered after it commits, one engine step per case, because a case
is another instance with its own transaction. Each notice's message id is fixed, and the engine delivers
a message id once, so a crash between delivering and marking a notice delivered only means the next
sweep finds it already delivered. ``deliver_notices`` is what a submit runs afterwards, and what a
scheduler sweep can run to catch up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select, update

import engine
from engine import EngineContext
from engine.errors import Conflict

from . import faults
from .common import NOTICE_MESSAGE
from .models import PayoutCycle, PayoutLine, PayoutNotice

N, L, C = PayoutNotice.__table__, PayoutLine.__table__, PayoutCycle.__table__
MARK_EVERY = 100


@dataclass(frozen=True)
class NoticeSweep:
    delivered: int  # cases stepped now
    unmatched: int  # no case was waiting for it (recorded in the history)
    duplicates: int  # delivered before (a sweep interrupted after delivering)
    conflicts: int  # the case was busy: left for the next sweep


def deliver_notices(
    ctx: EngineContext, cycle_id: int | None = None, limit: int | None = None, cycle_key: str | None = None
) -> NoticeSweep:
    """Deliver the notices not yet delivered: every cycle's, or one cycle's (by id or business key)."""
    pending = _pending(ctx, cycle_id, limit, cycle_key)
    counts = {"delivered": 0, "unmatched": 0, "duplicates": 0, "conflicts": 0}
    marks: list[dict] = []
    for notice_id, code, message_id, payload in pending:
        try:
            delivery = engine.deliver_message(
                ctx, NOTICE_MESSAGE, code, payload, message_id=message_id, actor="payout"
            )
        except Conflict:
            counts["conflicts"] += 1
            continue
        faults.checkpoint("notices.after_deliver")
        kind = "duplicates" if delivery.duplicate else "delivered" if delivery.delivered_to else "unmatched"
        counts[kind] += 1
        marks.append({"b_id": notice_id, "b_to": delivery.delivered_to})
        if len(marks) >= MARK_EVERY:
            _mark(ctx, marks)
            marks = []
    _mark(ctx, marks)
    return NoticeSweep(**counts)


def _pending(
    ctx: EngineContext, cycle_id: int | None, limit: int | None, cycle_key: str | None
) -> list[tuple]:
    query = (
        select(N.c.id, N.c.cycle_id, N.c.beneficiary_code, N.c.message_id, C.c.business_key, C.c.month)
        .join(C, C.c.id == N.c.cycle_id)
        .where(N.c.delivered_at.is_(None))
        .order_by(N.c.id)
    )
    if cycle_id is not None:
        query = query.where(N.c.cycle_id == cycle_id)
    if cycle_key is not None:
        query = query.where(C.c.business_key == cycle_key)
    if limit is not None:
        query = query.limit(limit)
    with ctx.db.read() as session:
        notices = session.execute(query).all()
        if not notices:
            return []
        lines = defaultdict(list)
        cycles = sorted({n.cycle_id for n in notices})
        rows = session.execute(
            select(L.c.cycle_id, L.c.beneficiary_code, L.c.id, L.c.amount, L.c.failure_reason).where(
                and_(L.c.cycle_id.in_(cycles), L.c.fallback_method.is_not(None))
            )
        )
        for row in rows:
            lines[row.cycle_id, row.beneficiary_code].append(row)
    result = []
    for n in notices:
        failed = lines[n.cycle_id, n.beneficiary_code]
        payload = {
            "cycle": n.business_key,
            "month": f"{n.month:%Y-%m}",
            "lines": [line.id for line in failed],
            "amount": sum(line.amount for line in failed),
            "reason": next((line.failure_reason for line in failed if line.failure_reason), None),
        }
        result.append((n.id, n.beneficiary_code, n.message_id, payload))
    return result


def _mark(ctx: EngineContext, marks: list[dict]) -> None:
    if not marks:
        return
    now = ctx.now()
    with ctx.db.transaction() as conn:
        conn.execute(
            update(N)
            .where(N.c.id == bindparam("b_id"), N.c.delivered_at.is_(None))
            .values(delivered_at=now, delivered_to=bindparam("b_to", type_=N.c.delivered_to.type)),
            marks,
        )
