"""API tokens and idempotent POST answers

Revision ID: w1601
Revises: w0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w1601"
down_revision = "w0008"
branch_labels = None
depends_on = ("w0003",)  # users (another branch of the domain's revisions)

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = engine.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", BigId, nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("user_id", BigId, nullable=True),
        sa.Column("system_name", sa.String(length=60), nullable=True),
        sa.Column("agency_code", sa.String(length=60), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("revoked_at", When, nullable=True),
        sa.Column("revoked_by", sa.String(length=60), nullable=True),
        sa.Column("last_used_at", When, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")),
        sa.ForeignKeyConstraint(
            ["agency_code"], ["agencies.code"], name=op.f("fk_api_tokens_agency_code_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_tokens_public_id")),
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.create_index(batch.f("ix_api_tokens_user_id"), ["user_id"])
    op.create_table(
        "api_idempotency",
        sa.Column("id", BigId, nullable=False),
        sa.Column("token_id", BigId, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_api_idempotency_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency")),
        sa.UniqueConstraint("token_id", "key", name="uq_api_idempotency_token_id_key"),
    )
    with op.batch_alter_table("api_idempotency") as batch:
        batch.create_index("ix_api_idempotency_created_at", ["created_at"])


def downgrade() -> None:
    op.drop_table("api_idempotency")
    op.drop_table("api_tokens")
