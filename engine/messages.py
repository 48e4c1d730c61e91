"""Delivering messages to the instances that wait for them, once per message id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import select

from . import history
from .context import EngineContext
from .errors import ValidationError
from .models import DeliveredMessage, MessageSubscription
from .steps import StepResult, advance, load


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
    message_id = message_id or f"{name}:{correlation_key}:{ctx.now().isoformat()}"
    now = ctx.now()
    with ctx.db.write() as session:
        earlier = session.get(DeliveredMessage, message_id)
        if earlier is not None:
            return Delivery(message_id, list(earlier.instance_ids), True, [])
        instance_ids = list(
            session.scalars(
                select(MessageSubscription.instance_id)
                .where(
                    MessageSubscription.message_name == name,
                    MessageSubscription.correlation_key == correlation_key,
                )
                .order_by(MessageSubscription.instance_id)
            )
        )
        if not instance_ids:
            history.record(
                session,
                now,
                "message_unmatched",
                None,
                actor=actor,
                data={"message": name, "correlation_key": correlation_key, "message_id": message_id},
            )
            return Delivery(message_id, [], False, [])
        results = []
        for instance_id in instance_ids:
            loaded = load(ctx, session, instance_id)

            def send(wf: BpmnWorkflow) -> None:
                wf.send_event(BpmnEvent(MessageEventDefinition(name), payload or {}))

            history.record(
                session,
                now,
                "message_delivered",
                instance_id,
                actor=actor,
                data={"message": name, "message_id": message_id, "payload": payload or {}},
            )
            results.append(advance(ctx, session, loaded, send))
        session.add(
            DeliveredMessage(
                message_id=message_id,
                message_name=name,
                correlation_key=correlation_key,
                instance_ids=instance_ids,
                delivered_at=now,
            )
        )
        return Delivery(message_id, instance_ids, False, results)
