"""Files made for one person to download later (an import's results file): kept a day, then dropped."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import LargeBinary, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base, UTCDateTime

KEEP = timedelta(days=1)


class Download(Base):
    __tablename__ = "downloads"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def keep_file(session: Session, owner: str, filename: str, content: bytes, at: datetime) -> str:
    session.execute(delete(Download).where(Download.created_at < at - KEEP))
    token = secrets.token_urlsafe(24)
    session.add(Download(token=token, owner=owner, filename=filename, content=content, created_at=at))
    session.flush()
    return token


def fetch_file(session: Session, token: str, owner: str) -> Download | None:
    """The file, if ``owner`` made it (anyone else gets nothing)."""
    download = session.get(Download, token)
    return download if download is not None and download.owner == owner else None
