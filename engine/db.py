"""Database wiring: the declarative base, engines with the right SQLite pragmas, units of work.

SQLite needs two things to be a safe embedded store here: WAL (readers never block the writer) and
write transactions opened with ``BEGIN IMMEDIATE`` so that two writers queue instead of one of them
failing half-way with "database is locked". Reads keep a plain ``BEGIN``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from .errors import Busy

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


RECYCLE_S = 1800  # a server connection older than this is closed and opened anew at its next checkout
BUSY_WAIT_S = 30.0  # how long a SQLite writer waits for another's lock before giving up with Busy


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on the way in and out, on SQLite (which stores text) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No ping per checkout (a round trip each time, and a request checks out several times): a
        # connection is replaced after RECYCLE_S, and when a statement fails with a disconnect (the
        # server restarted) SQLAlchemy invalidates that connection and every older one in the pool, so
        # only the statement that met the broken connection fails and the next unit of work reconnects.
        return create_engine(url, pool_recycle=RECYCLE_S, **kwargs)
    wait_s = float(parsed.query.get("timeout", BUSY_WAIT_S))  # sqlite:///x.db?timeout=5: wait 5 s
    engine = create_engine(
        url, connect_args={"timeout": wait_s, "check_same_thread": False}, pool_reset_on_return=None, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        if parsed.database and parsed.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint every ~40 MB of WAL rather than 4 MB: hot pages are copied back once, not ten times.
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def _busy_as_error() -> Iterator[None]:
    """SQLite's "database is locked" (another writer held the lock past the busy timeout) becomes a clean
    Busy error — one line on the CLI, 503 on the web — instead of a driver traceback."""
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:  # the driver's own, from our BEGIN IMMEDIATE
        if "database is locked" in str(exc) or "database table is locked" in str(exc):
            raise Busy("the database is busy with another change; try again in a moment") from None
        raise


class Database:
    """The session factories for one database: ``read()`` and ``write()`` units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._writer = engine.execution_options(sqlite_immediate=True) if self.dialect == "sqlite" else engine
        self._write = sessionmaker(self._writer, expire_on_commit=False)
        # PostgreSQL reads at READ COMMITTED, where every statement sees its own snapshot anyway: a lookup
        # needs no transaction around it (BEGIN and ROLLBACK are two round trips of the three).
        untransacted = engine.execution_options(isolation_level="AUTOCOMMIT")
        looks = untransacted if self.dialect == "postgresql" else engine
        self._lookup = sessionmaker(looks, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that commits once at the end, or rolls back whole on any error."""
        with _busy_as_error(), self._write() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write unit of work on a bare connection, for the engine's hot path (no ORM overhead)."""
        with _busy_as_error(), self._writer.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def lookup(self) -> Iterator[Session]:
        """A read whose statements need no common snapshot (one statement, or reads each fine on its
        own): on PostgreSQL outside any transaction, one round trip a statement; elsewhere ``read()``."""
        with self._lookup() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
