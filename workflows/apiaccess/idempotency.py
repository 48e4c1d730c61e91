"""Idempotent POSTs: the first answer to a key is kept and replayed; the key with another body is refused.

The key is claimed (a row without an answer) before the request runs, under a unique constraint, so two
requests racing with one key never both run: the second is told the first is still running. A request
that fails on the server (5xx) releases its key so the client can retry it. Answers are kept for
``KEPT_FOR``: every claim first purges the older ones (any token's), so the table holds only the last 30
days of keyed POSTs without a scheduler job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine import EngineContext

from .models import IdempotentRequest

KEPT_FOR = timedelta(days=30)  # a key older than this is forgotten and may be used afresh
ABANDONED_AFTER = timedelta(minutes=10)  # a claim never answered (its process died): free again after this
T = IdempotentRequest.__table__


class KeyReused(Exception):
    """The key was used before with another request body."""


class KeyInProgress(Exception):
    """The first request with this key has not finished yet."""


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str
    content_type: str


def claim_key(ctx: EngineContext, token_id: int, key: str, request_hash: str) -> StoredAnswer | None:
    """None: the key is now ours, run the request and ``keep_answer``. Else the first request's answer."""
    now = ctx.now()
    try:
        with ctx.db.transaction() as conn:
            conn.execute(delete(T).where(T.c.created_at < now - KEPT_FOR))  # the purge (indexed, small)
            row = conn.execute(select(T).where(T.c.token_id == token_id, T.c.key == key)).one_or_none()
            if row is not None and row.status is None and row.created_at < now - ABANDONED_AFTER:
                conn.execute(delete(T).where(T.c.id == row.id))  # its request died: the key is free again
                row = None
            if row is None:
                conn.execute(
                    insert(T),
                    {"token_id": token_id, "key": key, "request_hash": request_hash, "created_at": now},
                )
                return None
    except IntegrityError:  # the same key claimed at the same moment by another request
        raise KeyInProgress(key) from None
    if row.request_hash != request_hash:
        raise KeyReused(key)
    if row.status is None:
        raise KeyInProgress(key)
    return StoredAnswer(row.status, row.body or "", row.content_type or "application/json")


def keep_answer(
    ctx: EngineContext, token_id: int, key: str, status: int, body: str, content_type: str
) -> None:
    with ctx.db.transaction() as conn:
        conn.execute(
            update(T)
            .where(T.c.token_id == token_id, T.c.key == key)
            .values(status=status, body=body, content_type=content_type[:100])
        )


def release_key(ctx: EngineContext, token_id: int, key: str) -> None:
    with ctx.db.transaction() as conn:
        conn.execute(delete(T).where(T.c.token_id == token_id, T.c.key == key, T.c.status.is_(None)))
