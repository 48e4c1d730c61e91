"""Delivering messages to the instances that wait for them, once per message id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from . import history
from .context import EngineContext
from .errors import ValidationError
from .models import DeliveredMessage, MessageSubscription
from .steps import StepResult, advance, load

_SUBSCRIBERS = (
    select(MessageSubscription.instance_id)
    .where(
        MessageSubscription.message_name == bindparam("name"),
        MessageSubscription.correlation_key == bindparam("key"),
    )
    .order_by(MessageSubscription.instance_id)
)
_DELIVERED = select(DeliveredMessage.instance_ids).where(
    DeliveredMessage.message_id == bindparam("message_id")
)


@dataclass(frozen=True)
class Delivery:
    message_id: str
    delivered_to: list[int]
    duplicate: bool  # True when this message id had been delivered before: nothing happened now
    results: list[StepResult]


def deliver_message(
    ctx: EngineContext,
    name: str,
    correlation_key: str,
    payload: dict[str, Any] | None = None,
    message_id: str | None = None,
    actor: str | None = None,
) -> Delivery:
    """Deliver ``name`` to every instance subscribed with ``correlation_key``.

    A message id already delivered has no second effect. A message nobody waits for is recorded in
    the history as unmatched and reported (``delivered_to`` is empty), never silently dropped.
    """
    if not name or not correlation_key:
        raise ValidationError.single("a message needs a name and a correlation key")
    now = ctx.now()
    message_id = message_id or f"{name}:{uuid4().hex}"  # no id given: every call is a new message
    try:
        with ctx.db.transaction() as conn:
            earlier = _delivered_to(conn, message_id)
            if earlier is not None:
                return Delivery(message_id, earlier, True, [])
            instance_ids = list(conn.execute(_SUBSCRIBERS, {"name": name, "key": correlation_key}).scalars())
            if not instance_ids:
                earlier = _delivered_to(conn, message_id)  # delivered meanwhile by someone else?
                if earlier is not None:
                    return Delivery(message_id, earlier, True, [])
                history.record(
                    conn,
                    now,
                    "message_unmatched",
                    None,
                    actor=actor,
                    data={"message": name, "correlation_key": correlation_key, "message_id": message_id},
                )
                return Delivery(message_id, [], False, [])
            # Claiming the id first makes a concurrent delivery of the same id wait here, then fail.
            conn.execute(
                insert(DeliveredMessage.__table__),
                {
                    "message_id": message_id,
                    "message_name": name,
                    "correlation_key": correlation_key,
                    "instance_ids": instance_ids,
                    "delivered_at": now,
                },
            )
            results = [
                _deliver(ctx, conn, instance_id, name, payload, message_id, actor, now)
                for instance_id in instance_ids
            ]
            return Delivery(message_id, instance_ids, False, results)
    except IntegrityError:
        with ctx.db.transaction() as conn:
            return Delivery(message_id, _delivered_to(conn, message_id) or [], True, [])


def _deliver(ctx, conn, instance_id, name, payload, message_id, actor, now) -> StepResult:
    loaded = load(ctx, conn, instance_id)
    loaded.note(
        now,
        "message_delivered",
        actor=actor,
        data={"message": name, "message_id": message_id, "payload": payload or {}},
    )

    def send(wf: BpmnWorkflow) -> None:
        wf.send_event(BpmnEvent(MessageEventDefinition(name), payload or {}))

    return advance(ctx, conn, loaded, send)


def _delivered_to(conn, message_id: str) -> list[int] | None:
    ids = conn.execute(_DELIVERED, {"message_id": message_id}).scalar()
    return None if ids is None else list(ids)
