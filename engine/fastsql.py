"""A thin, faster way to run the few statements every engine step runs.

SQLAlchemy's Core execution costs about 40 µs a statement in Python, several times what SQLite itself
spends, and a step runs six. ``FastStatement`` compiles a Core statement once per dialect with
SQLAlchemy (so no SQL is written by hand and every dialect gets its own), keeps the column types' own
bind and result processors, and runs it on the unit of work's DBAPI cursor inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Insert, Row, Select, Table, bindparam, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Executable

COPY_BATCH = 5000  # rows per INSERT where COPY is not available
IN_BATCH = 500  # values per IN (…): well under every driver's limit on bound parameters


class _Prepared:
    def __init__(self, statement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positional
        names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
        # (name, processor) in the order the DBAPI wants them; processors come from the column types.
        self.names = names
        self.plan = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
        ]
        self.results = (
            [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in statement.selected_columns]
            if hasattr(statement, "selected_columns")
            else []
        )

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        processed = []
        for name, process in self.plan:
            value = values[name]
            processed.append(value if process is None or value is None else process(value))
        if self.positional:
            return processed
        return dict(zip(self.names, processed, strict=True))


def select_in(
    conn: Connection | Session, query: Select, column: ColumnElement, values: Iterable, batch: int = IN_BATCH
) -> list[Row]:
    """The rows of ``query`` where ``column IN values``, asked ``batch`` values at a time (a long list
    would pass the drivers' limit on bound parameters). Blank values (None, "") match nothing and are
    left out, and each value is asked once."""
    wanted = list(dict.fromkeys(v for v in values if v is not None and v != ""))
    rows: list[Row] = []
    for start in range(0, len(wanted), batch):
        rows += conn.execute(query.where(column.in_(wanted[start : start + batch]))).all()
    return rows


def insert_rows(table: Table, *, skip: tuple[str, ...] = ("id",)) -> Insert:
    """An INSERT naming its columns as bind parameters, so rows must give every one of them."""
    return insert(table).values({c.name: bindparam(c.name) for c in table.columns if c.name not in skip})


def copy_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert many rows (each naming the same columns) in the caller's transaction: PostgreSQL's COPY
    through psycopg (about ten times faster than INSERTs), batched multi-row INSERTs elsewhere."""
    if not rows:
        return 0
    if conn.dialect.name != "postgresql":
        for start in range(0, len(rows), COPY_BATCH):
            conn.execute(insert(table), list(rows[start : start + COPY_BATCH]))
        return len(rows)
    names = list(rows[0])
    dialect, quote = conn.dialect, conn.dialect.identifier_preparer.quote
    plan = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names]
    sql = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [row[name] if process is None or row[name] is None else process(row[name])
                     for name, process in plan]
                )  # fmt: skip
    finally:
        cursor.close()
    return len(rows)


class FastStatement:
    """A Core statement, compiled once per dialect and run on the raw DBAPI cursor."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._prepared: dict[str, _Prepared] = {}

    def _prepare(self, conn: Connection) -> _Prepared:
        prepared = self._prepared.get(conn.dialect.name)
        if prepared is None:
            prepared = self._prepared[conn.dialect.name] = _Prepared(self.statement, conn.dialect)
        return prepared

    def run(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Execute once; returns the row count."""
        prepared = self._prepare(conn)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(prepared.sql, prepared.params(values))
            return cursor.rowcount
        finally:
            cursor.close()

    def run_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Execute once per row; returns the total row count (both our drivers report it)."""
        if not rows:
            return 0
        prepared = self._prepare(conn)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.executemany(prepared.sql, [prepared.params(row) for row in rows])
            return cursor.rowcount
        finally:
            cursor.close()

    def one_or_none(self, conn: Connection, values: Mapping[str, Any]) -> tuple | None:
        prepared = self._prepare(conn)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(prepared.sql, prepared.params(values))
            rows = cursor.fetchmany(2)
        finally:
            cursor.close()
        if not rows:
            return None
        if len(rows) > 1:
            raise ValueError("more than one row where at most one was expected")
        return tuple(
            processor(value) if processor is not None else value
            for processor, value in zip(prepared.results, rows[0], strict=True)
        )
