"""A province-wide search by name walks the police's tasks in due order beside their people's names
(case_task_names): the page is the one the people-first search gives, on SQLite and PostgreSQL, and the
table follows every write to the tasks, the cases and the people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from engine.models import Instance, OpenTask, ProcessVersion
from workflows.beneficiaries.models import Beneficiary
from workflows.case import service as cases
from workflows.inbox import PER_PAGE, InboxFilter, _named_tasks, list_inbox, name_pattern
from workflows.inbox_names import ROWS
from workflows.scope import scope_for
from workflows.validators import fold_diacritics

NOW = datetime(2025, 8, 4, 1, 0, tzinfo=UTC)
POLICE = "2025:51/ca"  # the province's police: every commune's police_check tasks
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Anh", "Nguyễn Thị Ánh", "Phạm Văn Nam"]  # 36 police each


@pytest.fixture
def filled(province_2025):
    """360 people, each with a case and one open task (police and commune in turn) over the communes;
    due dates with ties and gaps, some none. Returns the tasks as (id, role, area, due, created, name)."""
    ctx = province_2025.ctx
    with ctx.db.write() as session:
        communes = sorted(session.scalars(text("SELECT code FROM areas WHERE level = 'commune'")))
        version = session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.process_key == "beneficiary_case")
        )
        tasks = [_task(i, communes[i % len(communes)]) for i in range(360)]
        session.execute(insert(Beneficiary.__table__), [_person(task) for task in tasks])
        session.execute(
            insert(Instance.__table__), [_instance(i, task, version) for i, task in enumerate(tasks)]
        )
        session.execute(insert(OpenTask.__table__), [_open_task(i, task) for i, task in enumerate(tasks)])
    return tasks


def _task(i: int, area: str) -> tuple:
    due = None if i % 17 == 0 else NOW + timedelta(days=(i * 7) % 11 - 3)  # overdue, soon, later, none
    created = NOW - timedelta(hours=i % 5)  # ties: the task id decides
    return (f"00000000-0000-4000-8000-{i:012d}", "police" if i % 2 else "commune", area, due, created,
            NAMES[i % len(NAMES)])  # fmt: skip


def _person(task: tuple) -> dict:
    task_id, _, area, _, _, name = task
    return {
        "code": f"BN-T{task_id[-6:]}", "full_name": name, "name_folded": fold_diacritics(name),
        "area_code": area, "status": "registered", "category_code": "elderly_80_plus_no_pension",
        "consent_given": True, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _instance(i: int, task: tuple, version: int) -> dict:
    return {
        "id": 100_000 + i, "process_version_id": version, "process_key": "beneficiary_case",
        "business_key": f"BN-T{task[0][-6:]}", "area_code": task[2], "status": "running", "state": b"",
        "serializer_version": "1.5", "version": 1, "started_at": task[4], "updated_at": task[4],
    }  # fmt: skip


def _open_task(i: int, task: tuple) -> dict:
    task_id, role, area, due, created, _ = task
    step = "police_check" if role == "police" else "outreach"
    return {
        "id": task_id, "instance_id": 100_000 + i, "bpmn_id": step, "name": step, "role": role,
        "area_code": area, "form_key": step, "properties": {}, "created_at": created, "due_at": due,
        "claimed_by": "canbo.ca" if i % 3 == 0 else None,
    }  # fmt: skip


def _expected(tasks, query: str, role: str = "police", keep=lambda task: True) -> list[str]:
    """The matching tasks' ids in the inbox's order, found here in Python."""
    wanted = fold_diacritics(query)
    found = [t for t in tasks if t[1] == role and wanted in fold_diacritics(t[5]) and keep(t)]
    found.sort(key=lambda t: (t[3] is None, t[3] or NOW, t[4], t[0]))
    return [t[0] for t in found]


def _page(ctx, query: str, page: int = 1, **filters):
    with ctx.db.read() as session:
        scope = scope_for(session, POLICE, NOW.date())
        found = list_inbox(session, scope, InboxFilter(search=query, page=page, **filters), NOW, "canbo.ca")
        walked = _named_tasks(session, scope, [], name_pattern(query), page * PER_PAGE + 1)
    return [row.task_id for row in found.rows], found.has_next, walked is not None


@pytest.mark.parametrize(
    ("query", "page", "walked"),
    [
        ("nguyen van an", 1, True),  # 36 of the police's 180 tasks: the walk fills page 1…
        ("nguyen van an", 2, False),  # …but not page 2 (51 needed): the people-first search answers
        ("Văn An", 1, True),  # diacritics ignored; a part of a name: "Văn An" and "Văn Anh"
        ("van an", 2, True),
        ("van an", 3, False),
        ("NGUYỄN", 2, True),  # "Nguyễn Văn An" and "Nguyễn Thị Ánh"
        ("an", 4, True),  # two letters: no trigram on SQLite, still a part of a name
        ("zzz", 1, False),
    ],
)
def test_a_province_wide_name_search_gives_the_page_in_due_order(province_2025, filled, query, page, walked):
    expected = _expected(filled, query)
    rows, has_next, was_walked = _page(province_2025.ctx, query, page)
    assert rows == expected[(page - 1) * PER_PAGE : page * PER_PAGE]
    assert has_next == (len(expected) > page * PER_PAGE)
    assert was_walked == walked


def test_filters_apply_to_the_walked_tasks(province_2025, filled):
    soon = NOW + timedelta(days=2)
    mine = _expected(filled, "van an", keep=lambda t: int(t[0][-12:]) % 3 == 0)
    overdue = _expected(filled, "van an", keep=lambda t: t[3] is not None and t[3] < NOW)
    later = _expected(filled, "nguyen", keep=lambda t: t[3] is None or t[3] >= soon)
    assert _page(province_2025.ctx, "van an", claimed="mine")[0] == mine[:PER_PAGE]
    assert _page(province_2025.ctx, "van an", status="overdue")[0] == overdue[:PER_PAGE]
    assert _page(province_2025.ctx, "nguyen", status="on_time")[0] == later[:PER_PAGE]


def _in_step(ctx) -> None:
    with ctx.db.read() as session:
        held = set(session.execute(text("SELECT * FROM case_task_names")).all())
        assert held == set(session.execute(text(ROWS)).all())
        assert held  # something to compare


def test_case_task_names_follow_every_write(province_2025, filled):
    ctx = province_2025.ctx
    _in_step(ctx)
    cases.open_case(ctx, "BN-0001", filled[0][2], "Đinh Thị Hồng", "elderly_80_plus_no_pension")
    _in_step(ctx)  # a case opened through the engine: its first task is there
    changes = [
        "UPDATE beneficiaries SET name_folded = 'ho van nam' WHERE code = 'BN-T000001'",  # a renamed person
        f"UPDATE open_tasks SET due_at = created_at, role = 'provider' WHERE id = '{filled[3][0]}'",
        f"UPDATE open_tasks SET claimed_by = 'x', next_alert_at = due_at WHERE id = '{filled[5][0]}'",
        f"DELETE FROM open_tasks WHERE id = '{filled[7][0]}'",  # a step done
        "DELETE FROM instances WHERE business_key = 'BN-T000009'",  # a case gone, its tasks with it
        "DELETE FROM beneficiaries WHERE code = 'BN-T000011'",  # its tasks stay, without a person
        "UPDATE instances SET business_key = 'BN-T000011' WHERE business_key = 'BN-T000013'",
        "UPDATE instances SET process_key = 'other' WHERE business_key = 'BN-T000015'",
        """INSERT INTO beneficiaries (code, full_name, name_folded, area_code, status, category_code,
           consent_given, created_at, updated_at) SELECT 'BN-T000011', 'Y Blưh', 'y bluh', area_code,
           status, category_code, consent_given, created_at, updated_at
           FROM beneficiaries WHERE code = 'BN-T000017'""",
        "UPDATE beneficiaries SET code = 'BN-T999999' WHERE code = 'BN-T000019'",
    ]
    for change in changes:
        with ctx.db.write() as session:
            session.execute(text(change))
        _in_step(ctx)
    with ctx.db.read() as session:
        names = dict(session.execute(text("SELECT task_id, name_folded FROM case_task_names")).all())
    assert names[filled[1][0]] == "ho van nam"
    assert names[filled[13][0]] == "y bluh"  # its case now names the person added after it
    assert filled[7][0] not in names and filled[15][0] not in names and filled[19][0] not in names
