"""Each open task of a beneficiary's case beside the person's folded name, in the inbox's order.

A province-wide name search must list the first tasks, by due date, of the people whose name matches. A
common name ("Nguyễn Văn An": 17,000 of 10,000,000 people) makes gathering them all through the trigram
index and sorting their tasks slow (700 ms); walking the province's tasks in due order is quick only when
each task's name is read beside it, not from the beneficiary's row. This table holds that: the inbox
walks its (role, due, created, task) index reading names from the index alone (``workflows/inbox.py``).

Triggers keep it exactly in step with its sources, whichever path writes them (a step, a bulk start, a
reorganisation's move, a migrated task, a renamed person): a row per open task whose instance is a
beneficiary's case and whose beneficiary exists, with the task's role, area and order and the person's
``name_folded`` (``ROWS``). Migration w1551 creates the triggers and fills the table (``FILL``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

CASE_PROCESS = "beneficiary_case"
COLUMNS = "task_id, role, area_code, due_at, created_at, name_folded"


class CaseTaskName(Base):
    __tablename__ = "case_task_names"
    __table_args__ = (
        # A role's tasks in the inbox's order with their area and name: a search reads this index alone
        # (area and name are keys, not included columns, so that SQLite's index holds them too).
        Index(
            "ix_case_task_names_order", "role", "due_at", "created_at", "task_id", "area_code", "name_folded"
        ),
    )

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # open_tasks.id
    role: Mapped[str | None] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    name_folded: Mapped[str] = mapped_column(String(100))


def _task_rows(task: str) -> str:
    """The table's row for the open task ``task`` (a trigger's NEW), if it is a case's with a person."""
    columns = ", ".join(f"{task}.{column}" for column in ("id", "role", "area_code", "due_at", "created_at"))
    return f"""SELECT {columns}, b.name_folded
               FROM instances i JOIN beneficiaries b ON b.code = i.business_key
               WHERE i.id = {task}.instance_id AND i.process_key = '{CASE_PROCESS}'"""


def _person_rows(person: str) -> str:
    """The rows for the open tasks of ``person``'s cases."""
    return f"""SELECT t.id, t.role, t.area_code, t.due_at, t.created_at, {person}.name_folded
               FROM instances i JOIN open_tasks t ON t.instance_id = i.id
               WHERE i.process_key = '{CASE_PROCESS}' AND i.business_key = {person}.code"""


def _instance_rows(instance: str) -> str:
    """The rows for the open tasks of ``instance``, if it is a case with a person."""
    return f"""SELECT t.id, t.role, t.area_code, t.due_at, t.created_at, b.name_folded
               FROM open_tasks t JOIN beneficiaries b ON b.code = {instance}.business_key
               WHERE t.instance_id = {instance}.id AND {instance}.process_key = '{CASE_PROCESS}'"""


def _forget_person(person: str) -> str:
    return f"""DELETE FROM case_task_names WHERE task_id IN (SELECT t.id FROM instances i
               JOIN open_tasks t ON t.instance_id = i.id
               WHERE i.process_key = '{CASE_PROCESS}' AND i.business_key = {person}.code)"""


def _forget_instance(instance: str) -> str:
    return f"""DELETE FROM case_task_names
               WHERE task_id IN (SELECT id FROM open_tasks WHERE instance_id = {instance}.id)"""


ROWS = f"""SELECT t.id, t.role, t.area_code, t.due_at, t.created_at, b.name_folded
FROM open_tasks t JOIN instances i ON i.id = t.instance_id JOIN beneficiaries b ON b.code = i.business_key
WHERE i.process_key = '{CASE_PROCESS}'"""  # what the table must hold (more conditions may follow)
FILL = f"INSERT INTO case_task_names ({COLUMNS}) {ROWS}"

TASK_COLUMNS = "id, instance_id, role, area_code, created_at, due_at"  # what a task's row is made of
# (table, its events, what forgets an old row's names, which names a new row has). A new instance has no
# tasks yet, and deleting one deletes its tasks.
_SOURCES = [
    (
        "open_tasks",
        ("INSERT", f"UPDATE OF {TASK_COLUMNS}", "DELETE"),
        "DELETE FROM case_task_names WHERE task_id = old.id",
        _task_rows,
    ),
    (
        "beneficiaries",
        ("INSERT", "UPDATE OF code, name_folded", "DELETE"),
        _forget_person("old"),
        _person_rows,
    ),
    ("instances", ("UPDATE OF id, process_key, business_key",), _forget_instance("old"), _instance_rows),
]


def _insert(rows) -> str:
    return f"INSERT INTO case_task_names ({COLUMNS}) {rows('new')}"


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, events, forget, rows in _SOURCES:
        for event in events:
            kind = event.split()[0]
            body = {"INSERT": [_insert(rows)], "UPDATE": [forget, _insert(rows)], "DELETE": [forget]}[kind]
            steps = "".join(f"{step}; " for step in body)
            name = f"case_task_names_{table}_{kind.lower()}"
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {steps}END")
    return statements


def _postgresql_triggers() -> list[str]:
    statements = []
    for table, events, forget, rows in _SOURCES:
        statements += [
            f"""CREATE FUNCTION case_task_names_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP IN ('UPDATE', 'DELETE') THEN {forget}; END IF;
                  IF TG_OP IN ('INSERT', 'UPDATE') THEN {_insert(rows)}; END IF;
                  RETURN NULL;
                END $$""",
            f"""CREATE TRIGGER case_task_names_{table} AFTER {" OR ".join(events)}
                ON {table} FOR EACH ROW EXECUTE FUNCTION case_task_names_{table}()""",
        ]
    return statements


def create_triggers(conn: Connection) -> None:
    for statement in _sqlite_triggers() if conn.dialect.name == "sqlite" else _postgresql_triggers():
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection) -> None:
    for table, *_ in _SOURCES:
        if conn.dialect.name == "sqlite":
            for name in ("insert", "update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS case_task_names_{table}_{name}")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS case_task_names_{table} ON {table}")
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS case_task_names_{table}()")
