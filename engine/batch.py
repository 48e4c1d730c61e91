"""Starting many instances at once (a roll of tens of thousands of people brought in on the first day).

Running SpiffWorkflow to the first wait state costs several milliseconds an instance, which makes a
50,000-person roll take minutes. Instances whose start takes the same path end in the same state except
for the values they were given, so the first instance of each path is started for real and the others
copy its stored state, with fresh task ids and their own values put where its values were, and the same
open tasks, message subscriptions and history lines.

The caller names the ``path_keys``: the initial values the start path reads (gateway conditions,
scripts, service tasks). Every other value must only be carried along, never read, before the first
wait state; instances that differ in a path key are started from different templates.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from . import history
from .context import EngineContext
from .deployments import newest_version_id
from .errors import ValidationError
from .instances import start_on
from .models import HistoryEvent, Instance, MessageSubscription, OpenTask
from .serialization import pack_state, unpack_state

log = logging.getLogger("ansinh.steps")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SENTINEL = "@@ansinh-value-{}@@"


@dataclass(frozen=True)
class NewInstance:
    business_key: str
    area_code: str
    data: dict[str, Any]
    origin: dict[str, Any] | None = None


@dataclass
class _Template:
    """A started instance's stored rows, cut into parts where its task ids and values were."""

    instance: dict[str, Any]
    parts: list[str | tuple[str, Any]]  # text, ("id", n) or ("value", key)
    ids: list[str]
    tasks: list[dict[str, Any]]
    messages: list[str]
    events: list[dict[str, Any]]
    keys: set[str] = field(default_factory=set)


def start_instances(
    ctx: EngineContext,
    conn: Connection,
    process_key: str,
    starts: Sequence[NewInstance],
    *,
    path_keys: Sequence[str],
    actor: str | None = None,
) -> dict[str, int]:
    """Start ``starts`` in the caller's transaction; returns instance ids by business key.

    Values must be JSON scalars (text, numbers, booleans, None). An instance whose start raises an
    incident is never copied: every instance of that path is then started for real.
    """
    if not starts:
        return {}
    version_id = newest_version_id(conn, process_key)
    templates: dict[tuple, _Template | None] = {}
    started: dict[str, int] = {}
    copies: list[tuple[_Template, NewInstance]] = []
    for item in starts:
        _check(item)
        path = tuple((key, item.data.get(key)) for key in path_keys)
        if path not in templates:
            step = start_on(
                ctx, conn, version_id, process_key, item.business_key, item.area_code, item.data, actor,
                item.origin,
            )  # fmt: skip
            started[item.business_key] = step.instance_id
            templates[path] = None if step.incident else _template(conn, step.instance_id, item, path_keys)
            continue
        template = templates[path]
        if template is None or set(item.data) != template.keys:
            step = start_on(
                ctx, conn, version_id, process_key, item.business_key, item.area_code, item.data, actor,
                item.origin,
            )  # fmt: skip
            started[item.business_key] = step.instance_id
        else:
            copies.append((template, item))
    started.update(_copy(ctx, conn, copies))
    log.info("%s: %d started by %s (%d copied from %d run)", process_key, len(started), actor or "-",
             len(copies), len(started) - len(copies))  # fmt: skip
    return started


def _check(item: NewInstance) -> None:
    if not item.business_key or not item.area_code:
        raise ValidationError.single("a business key and an area code are required")
    for key, value in item.data.items():
        if not (value is None or isinstance(value, str | int | float | bool)):
            raise ValidationError.single(f"start value {key!r} must be text, a number or a boolean")


def _template(conn: Connection, instance_id: int, item: NewInstance, path_keys: Sequence[str]) -> _Template:
    row = conn.execute(select(Instance.__table__).where(Instance.id == instance_id)).one()._asdict()
    state = json.loads(unpack_state(row.pop("state")))
    varying = {key: value for key, value in item.data.items() if key not in path_keys}
    marks = {key: _SENTINEL.format(n) for n, key in enumerate(varying)}
    for data in _data_dicts(state):
        for key, value in varying.items():
            if key in data and data[key] == value:
                data[key] = marks[key]
    text = json.dumps(state)
    pattern = re.compile("|".join([_UUID.pattern, *(re.escape(json.dumps(m)) for m in marks.values())]))
    by_mark = {json.dumps(m): key for key, m in marks.items()}
    parts: list[str | tuple[str, Any]] = []
    ids: list[str] = []
    numbers: dict[str, int] = {}
    at = 0
    for match in pattern.finditer(text):
        parts.append(text[at : match.start()])
        found = match.group(0)
        if found in by_mark:
            parts.append(("value", by_mark[found]))
        else:
            if found not in numbers:
                numbers[found] = len(ids)
                ids.append(found)
            parts.append(("id", numbers[found]))
        at = match.end()
    parts.append(text[at:])
    tasks = [
        r._asdict()
        for r in conn.execute(select(OpenTask.__table__).where(OpenTask.instance_id == instance_id))
    ]
    messages = list(
        conn.execute(
            select(MessageSubscription.message_name).where(MessageSubscription.instance_id == instance_id)
        ).scalars()
    )
    events = [
        r._asdict()
        for r in conn.execute(
            select(HistoryEvent.__table__)
            .where(HistoryEvent.instance_id == instance_id)
            .order_by(HistoryEvent.id)
        )
    ]
    return _Template(row, parts, ids, tasks, messages, events, set(item.data))


def _data_dicts(state: dict[str, Any]):
    """Every task's data and the workflow's own, in the workflow and its subprocesses."""
    for workflow in (state, *state.get("subprocesses", {}).values()):
        if isinstance(workflow.get("data"), dict):
            yield workflow["data"]
        for task in workflow.get("tasks", {}).values():
            if isinstance(task.get("data"), dict):
                yield task["data"]


def _copy(
    ctx: EngineContext, conn: Connection, copies: list[tuple[_Template, NewInstance]]
) -> dict[str, int]:
    if not copies:
        return {}
    now = ctx.now()
    rows, fresh_ids = [], []
    for template, item in copies:
        ids = [str(uuid.uuid4()) for _ in template.ids]
        text = "".join(
            part if isinstance(part, str)
            else ids[part[1]] if part[0] == "id"
            else json.dumps(item.data[part[1]])
            for part in template.parts
        )  # fmt: skip
        instance = {k: v for k, v in template.instance.items() if k not in ("id", "ended_at")}
        instance.update(
            business_key=item.business_key, area_code=item.area_code, state=pack_state(text),
            started_at=now, updated_at=now,
        )  # fmt: skip
        rows.append(instance)
        fresh_ids.append(dict(zip(template.ids, ids, strict=True)))
    table = Instance.__table__
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    instance_ids = list(result.scalars())
    tasks, subscriptions, events = [], [], []
    for (template, item), instance_id, renamed in zip(copies, instance_ids, fresh_ids, strict=True):
        for task in template.tasks:
            tasks.append({**task, "id": renamed[task["id"]], "instance_id": instance_id,
                          "area_code": item.area_code, "created_at": now,
                          "next_alert_at": now if task["due_at"] is not None else None})  # fmt: skip
        subscriptions += [
            {"instance_id": instance_id, "message_name": name, "correlation_key": item.business_key}
            for name in template.messages
        ]
        events += [_event(event, template, item, instance_id, renamed, now) for event in template.events]
    if tasks:
        conn.execute(insert(OpenTask.__table__), tasks)
    if subscriptions:
        conn.execute(insert(MessageSubscription.__table__), subscriptions)
    history.write(conn, events)
    return {
        item.business_key: instance_id for (_, item), instance_id in zip(copies, instance_ids, strict=True)
    }


def _event(
    event: dict,
    template: _Template,
    item: NewInstance,
    instance_id: int,
    renamed: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    data = dict(event["data"] or {})
    for key, value in data.items():
        if value == template.instance["business_key"]:
            data[key] = item.business_key
        elif value == template.instance["area_code"]:
            data[key] = item.area_code
    if event["kind"] == "instance_started":
        data.pop("origin", None)
        if item.origin:
            data["origin"] = item.origin
    task_id = event["task_id"]
    return history.entry(
        now, event["kind"], instance_id, task_id=renamed.get(task_id, task_id), bpmn_id=event["bpmn_id"],
        actor=event["actor"], data=data or None,
    )  # fmt: skip
