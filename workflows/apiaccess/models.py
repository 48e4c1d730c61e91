"""API tokens (for an agency user or for a system) and the answers kept for idempotent POSTs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class ApiToken(Base):
    """A bearer token. Only a hash of its secret is stored; the secret is shown once, at creation.

    A user token acts as that user (their agency's scope, their name in the history); a system token
    acts for an agency under its own name ("system:<name>")."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    system_name: Mapped[str | None] = mapped_column(String(60))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    scopes: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(60))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotentRequest(Base):
    """The first answer to a POST with an ``Idempotency-Key``: replayed for the same key and body.

    A row without a status is a request still running (a second one with the key waits its turn: 409)."""

    __tablename__ = "api_idempotency"
    __table_args__ = (
        UniqueConstraint("token_id", "key", name="uq_api_idempotency_token_id_key"),
        Index("ix_api_idempotency_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
