"""The payout's service-task handlers (``spiffworkflow:serviceTaskOperator`` in bpmn/monthly_payout.bpmn).

Each runs inside the BPMN step's transaction on the step's connection, so the cycle's records and the
instance's state are saved together or not at all. A handler that finds the books not ready returns a
flag the process loops on (``transfer_check["accepted"]``, ``payments["complete"]``, …) rather than
raising: the rule holds even for a task completed through the bare engine API, without the form checks.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from engine.services import ServiceCall

from ..services import registry
from . import generation, ledger
from .common import money
from .models import PayoutCycle

C = PayoutCycle.__table__


def _cycle_id(call: ServiceCall) -> int:
    found = call.db.execute(select(C.c.id).where(C.c.business_key == call.business_key)).scalar()
    if found is None:
        raise LookupError(f"no payout cycle with key {call.business_key!r}")
    return found


def _day(value) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


@registry.handler("payout.generate_list")
def generate_list(call: ServiceCall) -> dict:
    """On the start path the list was drawn with the cycle (``service.start_cycle``): the instance is only
    linked, and the answer is the same for every cycle, so many starts can be copied from one
    (``engine.batch``). Sent back for regeneration, the list is drawn again; its summary is the cycle's."""
    cycle = call.db.execute(
        select(C.c.id, C.c.instance_id, C.c.generation).where(C.c.business_key == call.business_key)
    ).one_or_none()
    if cycle is None:
        raise LookupError(f"no payout cycle with key {call.business_key!r}")
    if cycle.instance_id is None:
        call.db.execute(update(C).where(C.c.id == cycle.id).values(instance_id=call.instance_id))
        if cycle.generation is None:  # an instance started without its cycle's list (the bare engine)
            generation.generate(call.db, cycle.id, call.at)
        return {"redrawn": False}
    summary = generation.generate(call.db, cycle.id, call.at)
    return {"redrawn": True, **{k: v for k, v in summary.items() if k != "unknown_category"}}


@registry.handler("payout.freeze_list")
def freeze_list(call: ServiceCall) -> dict:
    cycle_id = _cycle_id(call)
    ledger.lock_cycle(call.db, cycle_id)
    held = ledger.hold_exited(call.db, cycle_id, call.at)
    digest = generation.list_hash(call.db, cycle_id)
    call.db.execute(
        update(C)
        .where(C.c.id == cycle_id)
        .values(status="approved", list_hash=digest, frozen_at=call.at, updated_at=call.at)
    )
    return {"list_hash": digest, "held": held}


@registry.handler("payout.record_transfer")
def record_transfer(call: ServiceCall) -> dict:
    """The treasury's transfer is accepted only for exactly the approved list's total."""
    cycle_id = _cycle_id(call)
    cycle = ledger.lock_cycle(call.db, cycle_id)
    amount = call.data.get("transfer_amount")
    if cycle.status != "approved":
        return {"accepted": False, "message": f"Kỳ chi trả đang ở trạng thái {cycle.status}."}
    if amount != cycle.total_amount:
        return {
            "accepted": False,
            "message": f"Số tiền chuyển ({money(amount)}) khác tổng danh sách ({money(cycle.total_amount)}).",
        }
    call.db.execute(
        update(C)
        .where(C.c.id == cycle_id)
        .values(
            status="funded",
            transfer_reference=call.data.get("transfer_reference"),
            transfer_date=_day(call.data.get("transfer_date")),
            transfer_amount=amount,
            funds_received_at=call.at,
            updated_at=call.at,
        )
    )
    ledger.hold_exited(call.db, cycle_id, call.at)
    return {"accepted": True}


@registry.handler("payout.close_payments")
def close_payments(call: ServiceCall) -> dict:
    return ledger.close_payments(call.db, _cycle_id(call), call.at)


@registry.handler("payout.close_fallback")
def close_fallback(call: ServiceCall) -> dict:
    return ledger.close_fallback(call.db, _cycle_id(call), call.at)


@registry.handler("payout.close_books")
def close_books(call: ServiceCall) -> dict:
    return ledger.close_books(
        call.db,
        _cycle_id(call),
        call.at,
        returned_amount=call.data.get("returned_amount"),
        reference=call.data.get("return_reference") or None,
        returned_on=_day(call.data.get("return_date")),
    )


@registry.handler("payout.record_report")
def record_report(call: ServiceCall) -> dict:
    column = {"provider": "provider_reported_at", "district_pc": "district_reported_at"}[call.params["role"]]
    call.db.execute(
        update(C).where(C.c.id == _cycle_id(call)).values({column: call.at, "updated_at": call.at})
    )
    return {"role": call.params["role"]}


@registry.handler("payout.close_cycle")
def close_cycle(call: ServiceCall) -> dict:
    call.db.execute(
        update(C)
        .where(C.c.id == _cycle_id(call))
        .values(status="closed", closed_at=call.at, updated_at=call.at)
    )
    return {"closed": True}
