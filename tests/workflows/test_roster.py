"""Bringing an existing roll in, on both databases: people and their cases at the right step, rejected rows
with their reasons, duplicates, re-import, differences never written over, both structures, a commune's
own area, and an import killed midway then resumed without anyone created twice."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import textwrap
import threading

from openpyxl import load_workbook
from sqlalchemy import func, select

import engine
from engine.models import Instance, MessageSubscription
from engine.serialization import unpack_state
from tests.conftest import ROOT
from tests.workflows.conftest import Case
from workflows.beneficiaries.models import Beneficiary, Enrolment
from workflows.roster import import_roll, report_of, resume_import
from workflows.roster.files import ERROR_HEADER, rejected_xlsx, template_xlsx
from workflows.roster.models import RollImport
from workflows.roster.rows import COLUMNS

HEADERS = [header for _, header, _ in COLUMNS]
ACCOUNT = ["Y Thị Hoa", "01/05/1942", "Nữ", "062142000123", "23311", "Thôn 1", "elderly_80_plus_no_pension",
           "", "01/2022", "02/2024", "Tài khoản", "Agribank", "5100205123456", "0912345678"]  # fmt: skip
CASH = ["A Văn Bình", "02/03/1950", "Nam", "", "23311", "Thôn 2", "single_parent_poor", "2", "06/2023", "",
        "Tiền mặt", "", "", ""]  # fmt: skip


def roll(*rows: list, headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([headers, *rows])
    return out.getvalue().encode("utf-8-sig")


def person(n: int, commune: str = "23311", method: str = "Tiền mặt") -> list:
    bank = ["VCB", f"0123456{n:04d}"] if method == "Tài khoản" else ["", ""]
    return [f"Đinh Văn Số {chr(65 + n % 26)}", "01/01/1960", "Nam", f"062060{n:06d}", commune, "Thôn 3",
            "disabled_severe", "", "01/2020", "", method, *bank, ""]  # fmt: skip


def count(ctx, model) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_valid_rows_become_people_with_cases_at_their_step(province):
    ctx = province.fresh()
    bad_gender = [*CASH[:2], "Nu?", *CASH[3:]]
    report = import_roll(ctx, "ds-dak-cam.csv", roll(ACCOUNT, CASH, bad_gender, ACCOUNT), actor="xa")
    assert report.as_json() == {
        "created": 2, "unchanged": 0, "differences": 0, "differing": [],
        "rejected": [
            {"row": 4, "column": "Giới tính", "reason": "Giới tính «Nu?» không hợp lệ: ghi Nam hoặc Nữ."},
            {"row": 5, "column": "Số CCCD", "reason": "Số CCCD trùng với dòng 2 của tệp."},
        ],
    }  # fmt: skip
    with ctx.db.read() as session:
        paid, cash = session.scalars(select(Beneficiary).order_by(Beneficiary.code)).all()
        enrolments = {e.beneficiary_code: e for e in session.scalars(select(Enrolment))}
        awaited = set(session.scalars(select(MessageSubscription.message_name).where(
            MessageSubscription.correlation_key == paid.code)))  # fmt: skip
        assert (paid.code, paid.status, paid.payment_method, paid.bank_code) == (
            "23311-000001", "active_cashless", "account", "VBA"
        )  # fmt: skip
        assert (cash.status, cash.payment_method, cash.cccd) == ("outreach", "cash_pay_point", None)
        assert awaited == {"payout_failed", "beneficiary_exit"}
        single = enrolments[cash.code]
        assert (single.programme, single.category_code, single.children_count) == (
            "social_assistance", "single_parent_poor", 2
        )  # fmt: skip
        assert (single.entitled_from.isoformat(), single.paid_through) == ("2023-06-01", None)
        assert enrolments[paid.code].paid_through.isoformat() == "2024-02-01"
        assert single.source == "roll: ds-dak-cam.csv, row 3"
        code = cash.code
        instance_id = session.scalar(select(Instance.id).where(Instance.business_key == code))
    case = Case(province, code, instance_id)
    assert case.waiting() == "outreach"
    started = engine.instance_history(ctx, instance_id)[0]
    assert started.data["origin"] == {"file": "ds-dak-cam.csv", "row": 3} and started.actor == "xa"


def test_copied_cases_load_and_go_on_like_started_ones(province):
    ctx = province.fresh()
    rows = [person(n) for n in range(4)] + [person(n, method="Tài khoản") for n in range(4, 8)]
    assert import_roll(ctx, "ds.csv", roll(*rows)).created == 8
    with ctx.db.read() as session:
        ids = dict(session.execute(select(Instance.business_key, Instance.id)).all())
    with ctx.db.read() as session:
        state = unpack_state(session.scalar(select(Instance.state).where(Instance.id == ids["23311-000003"])))
    assert "23311-000003" in state and "23311-000001" not in state  # nothing of the case it was copied from
    assert engine.get_instance(ctx, ids["23311-000003"]).data["beneficiary"] == "23311-000003"
    last_cash = Case(province, "23311-000004", ids["23311-000004"])
    assert last_cash.waiting() == "outreach"
    last_cash.do("outreach", {"contact_date": "2024-03-04", "channel": "home_visit", "outcome": "agrees"})
    assert last_cash.waiting() == "register"
    last_account = Case(province, "23311-000008", ids["23311-000008"])
    assert last_account.waiting() is None
    delivery = last_account.message("payout_failed", {"reason": "Tài khoản bị khoá"})
    assert delivery.delivered_to == [ids["23311-000008"]] and last_account.waiting() == "repair_account"
    assert last_account.message("beneficiary_exit", {"reason": "deceased"}).delivered_to
    assert last_account.status() == "completed"


def test_importing_again_creates_nothing_and_differences_are_reported_not_written(province):
    ctx = province.fresh()
    import_roll(ctx, "ds.csv", roll(ACCOUNT, CASH))
    assert import_roll(ctx, "ds.csv", roll(ACCOUNT, CASH)).as_json()["unchanged"] == 2
    moved = [*ACCOUNT[:5], "Thôn 9", *ACCOUNT[6:]]
    renamed_child = [*CASH[:7], "3", *CASH[8:]]
    report = import_roll(ctx, "ds-moi.csv", roll(moved, renamed_child))
    assert (report.created, report.unchanged, report.differences) == (0, 0, 2)
    first, second = report.problems
    assert first.column == "Thôn, tổ" and "hồ sơ ghi «Thôn 1», tệp ghi «Thôn 9»" in first.reason
    assert second.column == "Số con đang nuôi" and second.code == "23311-000002"
    with ctx.db.read() as session:
        assert session.get(Beneficiary, "23311-000001").village == "Thôn 1"
    assert count(ctx, Beneficiary) == 2 and count(ctx, Instance) == 2


def test_a_commune_imports_only_its_own_people(province):
    ctx = province.fresh()
    elsewhere = person(1, commune="23281")
    report = import_roll(ctx, "ds.csv", roll(person(0), elsewhere), agency_code="2024:23311/ubnd")
    assert report.created == 1
    assert report.as_json()["rejected"][0]["column"] == "Mã xã"


def test_the_2025_structure_takes_its_own_commune_codes(province_2025):
    ctx = province_2025.fresh()
    with ctx.db.read() as session:
        from workflows.org.models import Area

        commune = session.scalar(select(Area.official_code).where(Area.level == "commune").limit(1))
    report = import_roll(ctx, "ds.csv", roll(person(0, commune=commune), person(1, commune="23311")))
    assert report.created == 1 and report.as_json()["rejected"][0]["column"] == "Mã xã"
    with ctx.db.read() as session:
        assert session.scalar(select(Beneficiary.area_code)) == f"2025:{commune}"


def test_rejected_rows_come_back_in_a_file_to_fix_and_upload_again(province):
    ctx = province.fresh()
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames == ["Danh sách", "Ví dụ", "Giá trị hợp lệ"]
    sheet = workbook["Danh sách"]
    assert [c.value for c in sheet[1]] == HEADERS
    sheet.append(person(0))
    sheet.append([*person(1)[:4], "1234", *person(1)[5:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_roll(ctx, "mau.xlsx", buffer.getvalue())
    assert report.created == 1 and report.rejected == 1
    with ctx.db.read() as session:
        fix = load_workbook(io.BytesIO(rejected_xlsx(session, report.import_id)))["Danh sách"]
    rows = list(fix.iter_rows(values_only=True))
    assert rows[0] == (*HEADERS, ERROR_HEADER) and len(rows) == 2
    assert rows[1][4] == "1234" and rows[1][-1].startswith("Dòng 3, cột «Mã xã»")
    fix.cell(row=2, column=5, value="23311")
    buffer = io.BytesIO()
    fix.parent.save(buffer)
    again = import_roll(ctx, "mau-sua.xlsx", buffer.getvalue())
    assert (again.created, again.rejected) == (1, 0)


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from workflows.bootstrap import bootstrap
    from workflows.roster import import_roll

    def stop(report):
        if report.rows_done >= 4:
            os.kill(os.getpid(), signal.SIGKILL)

    ctx = bootstrap(sys.argv[1])
    import_roll(ctx, "ds.csv", open(sys.argv[2], "rb").read(), batch_rows=2, on_progress=stop)
    """
)


def test_an_import_killed_midway_resumes_without_creating_anyone_twice(province, tmp_path):
    content = roll(*(person(n) for n in range(9)))
    path = tmp_path / "ds.csv"
    path.write_bytes(content)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", KILLER, province.database_url, str(path)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == -9, run.stderr.decode()
    ctx = province.fresh()
    with ctx.db.read() as session:
        job = session.scalar(select(RollImport))
        assert (job.status, job.rows_done, job.created) == ("running", 4, 4)
        job_id = job.id
    assert count(ctx, Beneficiary) == 4
    report = import_roll(ctx, "ds.csv", content)  # the same file again: the unfinished import goes on
    assert (report.import_id, report.status, report.created, report.rows_done) == (job_id, "done", 9, 9)
    assert count(ctx, Beneficiary) == count(ctx, Instance) == count(ctx, Enrolment) == 9
    assert resume_import(ctx, job_id).created == 9
    with ctx.db.read() as session:
        assert report_of(session, job_id).unchanged == 0


def test_a_queued_import_runs_as_a_background_job(province):
    from workflows import jobs
    from workflows.roster import queue_roll_import

    ctx = province.fresh()
    import_id = queue_roll_import(ctx, "ds.csv", roll(person(0), person(1)), "xa", "2024:23311/ubnd")
    jobs.run_pending(ctx)
    for thread in threading.enumerate():  # the drain thread start_soon began: let it finish with the database
        if thread.name == "ansinh-jobs-drain":
            thread.join(60)
    with ctx.db.read() as session:
        report = report_of(session, import_id)
    assert (report.status, report.created, report.progress) == ("done", 2, 1.0)
