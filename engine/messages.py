"""Delivering messages to the instances that wait for them, once per message id."""

from __future__ import annotations

from collections.abc import Callable
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
from .errors import Conflict, ValidationError
from .models import DeliveredMessage, MessageSubscription
from .rehearsal import Rehearsal, rehearse, settle, write
from .steps import Loaded, StepResult, load

_SUBSCRIBERS = (
    select(MessageSubscription.instance_id)
    .where(
        MessageSubscription.message_name == bindparam("name"),
        MessageSubscription.correlation_key == bindparam("key"),
    )
    .order_by(MessageSubscription.instance_id)
)
ATTEMPTS = 3  # rehearsals of one delivery when an instance moves meanwhile
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

    Each subscriber's step is rehearsed before the write lock is taken; under it, the message id is
    claimed and every step written under its version check (an instance moved meanwhile: rehearsed again).
    A message id already delivered has no second effect. A message nobody waits for is recorded in the
    history as unmatched and reported (``delivered_to`` is empty), never silently dropped.
    """
    if not name or not correlation_key:
        raise ValidationError.single("a message needs a name and a correlation key")
    message_id = message_id or f"{name}:{uuid4().hex}"  # no id given: every call is a new message
    for _attempt in range(ATTEMPTS - 1):
        try:
            return _deliver_all(ctx, name, correlation_key, payload, message_id, actor)
        except Conflict:
            continue
    return _deliver_all(ctx, name, correlation_key, payload, message_id, actor)


def _deliver_all(ctx, name, correlation_key, payload, message_id, actor) -> Delivery:
    now = ctx.now()
    rehearsed: dict[int, tuple[Loaded, Rehearsal]] = {}
    with ctx.db.read() as session:
        conn = session.connection()
        if _delivered_to(conn, message_id) is None:
            for instance_id in conn.execute(_SUBSCRIBERS, {"name": name, "key": correlation_key}).scalars():
                loaded = load(ctx, conn, instance_id)
                rehearsed[instance_id] = (loaded, rehearse(ctx, loaded, _send(name, payload)))
    try:
        with ctx.db.transaction() as conn:
            earlier = _delivered_to(conn, message_id)
            if earlier is not None:
                return Delivery(message_id, earlier, True, [])
            instance_ids = list(conn.execute(_SUBSCRIBERS, {"name": name, "key": correlation_key}).scalars())
            if not instance_ids:
                history.record(
                    conn,
                    now,
                    "message_unmatched",
                    None,
                    actor=actor,
                    data={"message": name, "correlation_key": correlation_key, "message_id": message_id},
                )
                return Delivery(message_id, [], False, [])
            if set(instance_ids) - set(rehearsed):
                raise Conflict("a new subscriber appeared while the message was rehearsed")
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
            results = []
            for instance_id in instance_ids:
                loaded, rehearsal = rehearsed[instance_id]
                loaded.note(
                    now,
                    "message_delivered",
                    actor=actor,
                    data={"message": name, "message_id": message_id, "payload": payload or {}},
                )
                results.append(write(ctx, conn, loaded, rehearsal))
    except IntegrityError:
        with ctx.db.transaction() as conn:
            return Delivery(message_id, _delivered_to(conn, message_id) or [], True, [])
    results = [settle(ctx, rehearsed[i][0], r) for i, r in zip(instance_ids, results, strict=True)]
    return Delivery(message_id, instance_ids, False, results)


def _send(name: str, payload: dict[str, Any] | None) -> Callable[[BpmnWorkflow], None]:
    def send(wf: BpmnWorkflow) -> None:
        wf.send_event(BpmnEvent(MessageEventDefinition(name), payload or {}))

    return send


def _delivered_to(conn, message_id: str) -> list[int] | None:
    ids = conn.execute(_DELIVERED, {"message_id": message_id}).scalar()
    return None if ids is None else list(ids)
