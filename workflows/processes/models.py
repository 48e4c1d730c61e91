"""An administrator's unsaved work on a process: one draft per process, kept until it is deployed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class ProcessDraft(Base):
    __tablename__ = "process_drafts"

    process_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    base_version: Mapped[int] = mapped_column(Integer)  # the version the draft was opened from
    source_file: Mapped[str] = mapped_column(String(500))
    xml: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str | None] = mapped_column(String(100))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
