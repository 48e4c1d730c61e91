"""staff accounts and login attempts

Revision ID: w0003
Revises: w0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "w0003"
down_revision = "w0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", BigId, nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("agency_code", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_code"], ["agencies.code"], name=op.f("fk_users_agency_code_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users") as batch:
        batch.create_index(batch.f("ix_users_agency_code"), ["agency_code"])
    op.create_table(
        "login_attempts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts") as batch:
        batch.create_index("ix_login_attempts_username_at", ["username", "at"])
        batch.create_index("ix_login_attempts_address_at", ["address", "at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_table("users")
