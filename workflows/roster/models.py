"""A roll import's own rows: its progress (so a killed import resumes where it stopped and a page can show a
progress bar) and what it found wrong or different, row by row (the report and the file of rejected rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class RollImport(Base):
    __tablename__ = "roll_imports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # kept until done, so a restart can resume
    actor: Mapped[str | None] = mapped_column(String(100))
    scope_agency: Mapped[str | None] = mapped_column(String(60))  # None: the command line, every area
    headers: Mapped[list[str]] = mapped_column(JSON)  # the file's header row, for the rejected rows' file
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed
    error: Mapped[str | None] = mapped_column(String(500))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    differences: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RollProblem(Base):
    """A rejected row (``kind`` rejected: column and reason) or a row whose person is already recorded with
    other values (``kind`` difference: the record's code and what differs). ``cells`` are the row as
    uploaded, for the file of rows to fix."""

    __tablename__ = "roll_problems"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roll_imports.id", ondelete="CASCADE"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # rejected | difference
    column: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(1000))
    beneficiary_code: Mapped[str | None] = mapped_column(String(40))
    cells: Mapped[list[Any]] = mapped_column(JSON)
