"""Routing keeps what it resolved in each process, per organisation version: a change to the areas,
agencies or role assignments made by another process (another context, raw SQL) is routed by at the
next step, and an unchanged organisation costs routing one statement."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, text

import engine
from workflows.tasks import route

from .conftest import CITY_2024, COMMUNE_2024

VERSION = text("SELECT version FROM organisation_version WHERE id = 1")


def _version(ctx) -> int:
    with ctx.db.read() as session:
        return session.execute(VERSION).scalar_one()


def _outreach(province):
    case = province.case()
    (task,) = engine.get_instance(province.ctx, case.instance_id).open_tasks
    assert task.role == "commune"
    return task


def test_a_change_made_elsewhere_is_routed_by_at_once(province):
    task = _outreach(province)
    mine = province.fresh()  # this process: its cache lives on its context
    (first,) = route(mine, [task])
    assert first.agency_code == f"{COMMUNE_2024}/ubnd"

    statements = []
    event.listen(mine.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert route(mine, [task, task]) == [first, first]
    assert len(statements) == 1, statements  # the programme and the version; no ancestry walk

    other = province.fresh()  # another process renames the agency, then gives the role to another
    with other.db.write() as session:
        session.execute(
            text("UPDATE agencies SET name = 'UBND xã Đắk Cấm (mới)' WHERE code = :code"),
            {"code": first.agency_code},
        )
    assert route(mine, [task])[0].agency_name == "UBND xã Đắk Cấm (mới)"
    with other.db.write() as session:
        session.execute(
            text("INSERT INTO agencies (code, name, area_code) VALUES ('tiep-nhan', 'Tổ tiếp nhận', :area)"),
            {"area": COMMUNE_2024},
        )
        session.execute(
            text(
                "UPDATE role_assignments SET effective_to = :day "
                "WHERE agency_code = :code AND role = 'commune'"
            ),
            {"day": date(2024, 3, 4), "code": first.agency_code},
        )
        session.execute(
            text(
                "INSERT INTO role_assignments (role, area_code, agency_code, effective_from) "
                "VALUES ('commune', :area, 'tiep-nhan', :day)"
            ),
            {"area": COMMUNE_2024, "day": date(2024, 3, 4)},
        )
    assert route(mine, [task])[0].agency_code == "tiep-nhan"


SPARE = f"INSERT INTO agencies (code, name, area_code) VALUES ('thu', 'Thử', '{COMMUNE_2024}')"
CHANGES = {
    "area added": "INSERT INTO areas (code, structure, official_code, name, kind, level, parent_code) "
    f"VALUES ('2024:99999', '2024', '99999', 'Thử', 'Xã', 'commune', '{CITY_2024}')",
    "area renamed": f"UPDATE areas SET name = 'Đắk Cấm mới' WHERE code = '{COMMUNE_2024}'",
    "agency added": SPARE,
    "agency renamed": f"UPDATE agencies SET name = 'Thử' WHERE code = '{COMMUNE_2024}/ubnd'",
    "agency removed": "DELETE FROM agencies WHERE code = 'thu'",  # the one just added
    "assignment changed": "UPDATE role_assignments SET effective_to = '2031-01-01' "
    f"WHERE area_code = '{COMMUNE_2024}'",
    "assignment removed": f"DELETE FROM role_assignments WHERE area_code = '{COMMUNE_2024}'",
}  # fmt: skip


def test_every_change_to_the_organisation_moves_its_version(province):
    for change, statement in CHANGES.items():
        before = _version(province.ctx)
        with province.ctx.db.write() as session:
            session.execute(text(statement))
        assert _version(province.ctx) > before, change
