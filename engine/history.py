"""Appending to the history table (nothing here, nor anywhere else, updates or deletes it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from .context import EngineContext
from .fastsql import FastStatement, insert_rows
from .models import HistoryEvent

_INSERT = FastStatement(insert_rows(HistoryEvent.__table__))
_GATHERED = "ansinh.history"  # the connection's info key for the rows of the step running on it


def entry(
    at: datetime,
    kind: str,
    instance_id: int | None = None,
    *,
    task_id: str | None = None,
    bpmn_id: str | None = None,
    actor: str | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One history row, to be written with ``write`` (a step writes all of its rows at once)."""
    return {
        "instance_id": instance_id,
        "at": at,
        "kind": kind,
        "task_id": task_id,
        "bpmn_id": bpmn_id,
        "actor": actor,
        "data": data,
    }


def write(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    _INSERT.run_many(conn, list(rows))


def record(conn: Connection, at: datetime, kind: str, instance_id: int | None = None, **details: Any) -> None:
    """Append one row: now, or with the rows of the step running on ``conn`` (see ``gathered``)."""
    row = entry(at, kind, instance_id, **details)
    rows = conn.info.get(_GATHERED)
    if rows is None:
        write(conn, [row])
    else:
        rows.append(row)


@contextmanager
def gathered(conn: Connection, rows: list[dict[str, Any]]) -> Iterator[None]:
    """While a step's service handler runs: what it ``record``s on ``conn`` joins the step's ``rows``,
    which the step writes with its own, in the same transaction and one statement."""
    conn.info[_GATHERED] = rows
    try:
        yield
    finally:
        del conn.info[_GATHERED]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    task_id: str | None
    bpmn_id: str | None
    actor: str | None
    data: dict[str, Any] | None


def instance_history(ctx: EngineContext, instance_id: int) -> list[HistoryEntry]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id)
        )
        return [HistoryEntry(r.at, r.kind, r.task_id, r.bpmn_id, r.actor, r.data) for r in rows]
