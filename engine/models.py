"""The engine's tables: deployments, instances and the indexes kept beside their state.

An instance's state is SpiffWorkflow's serialized workflow (never the spec, which lives once per
process version). Everything that must be queried fast sits in plain indexed columns and tables that
are rewritten after every step: open user tasks, the next timer due time, message subscriptions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime

# BigInteger ids are plain INTEGER (rowid aliases) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Deployment(Base):
    """One upload of a set of BPMN/DMN files, kept verbatim."""

    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    deployed_by: Mapped[str | None] = mapped_column(String(100))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessVersion(Base):
    """One immutable version of one process, with its parsed spec serialized once."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("process_key", "version"),
        UniqueConstraint("process_key", "content_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    source_file: Mapped[str] = mapped_column(String(500))
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Instance(Base):
    """A running (or finished) process instance: the workflow's state and what must be found fast."""

    __tablename__ = "instances"
    __table_args__ = (
        Index("ix_instances_business_key", "process_key", "business_key"),
        Index("ix_instances_next_timer_at", "next_timer_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20))  # running | incident | completed
    state: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON (serialization.pack_state)
    serializer_version: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}  # optimistic locking: UPDATE … WHERE version = ?


class OpenTask(Base):
    """An open user task, copied out of the workflow after every step so inboxes never load state."""

    __tablename__ = "open_tasks"
    __table_args__ = (
        # Inboxes in their order (due, created, id): one area (a commune) uses the first, a whole province
        # the second; a page is read from the index in order and the scan stops after it.
        Index("ix_open_tasks_role_area_order", "role", "area_code", "due_at", "created_at", "id"),
        Index("ix_open_tasks_role_order", "role", "due_at", "created_at", "id"),
        Index("ix_open_tasks_due_at", "due_at"),
        # The deadline sweep's only way in; tasks with nothing left to alert about are not in it.
        Index(
            "ix_open_tasks_next_alert_at",
            "next_alert_at",
            sqlite_where=text("next_alert_at IS NOT NULL"),
            postgresql_where=text("next_alert_at IS NOT NULL"),
        ),
        {"sqlite_with_rowid": False},  # keyed by its UUID: one b-tree, not a rowid table plus a key index
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow's task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str | None] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(20))
    form_key: Mapped[str | None] = mapped_column(String(200))
    properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the deadline sweeper must next look at this task: set to "now" whenever the due time is set
    # or changed; the sweeper moves it to its next reminder or escalation (NULL: nothing left to do).
    next_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MessageSubscription(Base):
    """An instance waiting for a message, found by (name, correlation key) without loading anything."""

    __tablename__ = "message_subscriptions"
    __table_args__ = (
        Index("ix_message_subscriptions_lookup", "message_name", "correlation_key"),
        UniqueConstraint("instance_id", "message_name"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    message_name: Mapped[str] = mapped_column(String(200))
    correlation_key: Mapped[str] = mapped_column(String(200))


class DeliveredMessage(Base):
    """Each delivered message id once, so delivering it again has no second effect."""

    __tablename__ = "delivered_messages"

    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_name: Mapped[str] = mapped_column(String(200))
    correlation_key: Mapped[str] = mapped_column(String(200))
    instance_ids: Mapped[list[int]] = mapped_column(JSON)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Incident(Base):
    """A failure an operator must look at (a service handler raised); resolved by a retry."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HistoryEvent(Base):
    """The append-only history: nothing updates or deletes these rows."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_instance", "instance_id", "id"),
        # Only "was this task ever open?" looks tasks up here: index just the creations.
        Index(
            "ix_history_task_created",
            "task_id",
            sqlite_where=text("kind = 'task_created'"),
            postgresql_where=text("kind = 'task_created'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(BigId)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SchedulerLease(Base):
    """Who may run the scheduler's jobs until when: taken and renewed by conditional UPDATE."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduledRun(Base):
    """A job's run for one period ("monthly_cycles", "2026-03"): its primary key makes it happen once."""

    __tablename__ = "scheduled_runs"

    job: Mapped[str] = mapped_column(String(100), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BackgroundJob(Base):
    """A piece of long work (an import, an export, a report) run by whichever process claims it first.
    ``lease_until`` is renewed by its progress; a job whose holder died is claimed again once it lapses."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_available_at", "status", "available_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    actor: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12))  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    holder: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
