"""The deadlines' tables: the admin's calendar days, and every reminder, overdue notice and escalation
raised for a task's deadline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")

DAY_KINDS = ("day_off", "working_day")
ALERT_KINDS = ("reminder", "overdue", "escalation")


class CalendarDay(Base):
    """An extra day off, or a weekend day worked in exchange for a bridge day off (the government
    announces them yearly; the ``holidays`` package may not know them yet)."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('day_off', 'working_day')", name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConfigRevision(Base):
    """A counter bumped with every change of a piece of configuration ("calendar"), so that every
    process can tell with one primary-key read whether its cached copy is stale."""

    __tablename__ = "config_revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeadlineAlert(Base):
    """One reminder, overdue notice or escalation for one deadline of one task.

    ``(task_id, due_at, kind, step, programme)`` is unique: whatever sweeps, twice or at once, an alert
    exists once per deadline and chain. ``programme`` is the chain an escalation climbs (a person in both
    programmes escalates along both); a reminder or overdue notice carries the routing programme.
    ``step`` is the number of working days before due for a reminder, the level
    for an escalation (1 = the assigned agency's supervisor), 0 for the overdue notice. An alert is
    open until its task completes or is cancelled, or its deadline changes (``close_reason``).
    """

    __tablename__ = "deadline_alerts"
    __table_args__ = (
        UniqueConstraint("task_id", "due_at", "kind", "step", "programme", name="uq_deadline_alerts_key"),
        CheckConstraint("kind IN ('reminder', 'overdue', 'escalation')", name="kind"),
        # The inboxes: an agency's open alerts.
        Index(
            "ix_deadline_alerts_agency_open",
            "agency_code",
            "kind",
            "raised_at",
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(BigId, index=True)
    bpmn_id: Mapped[str] = mapped_column(String(200))
    task_name: Mapped[str | None] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    step: Mapped[int] = mapped_column(Integer)
    programme: Mapped[str] = mapped_column(String(20), server_default="social_assistance")
    agency_code: Mapped[str | None] = mapped_column(String(60))  # None: no agency plays the role
    assigned_agency_code: Mapped[str | None] = mapped_column(String(60))  # who had to do the task
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the ladder said it was due
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when a sweep raised it
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(String(2000))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(20))  # completed | cancelled | due_changed
