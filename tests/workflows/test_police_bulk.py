"""The police's bulk record cleaning: download the pending records of their own area as xlsx, upload the
results; each valid row completes its task through the same form and checks as the task page, bad rows
come back with the reason, and uploading the same file again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

import engine
from engine.models import HistoryEvent, Instance
from tests.workflows.conftest import REGISTRATION
from tests.workflows.demo_support import case_context
from workflows.beneficiaries.records import get_record
from workflows.bulk import SpreadsheetInvalid, export_pending, import_results
from workflows.case import service as cases
from workflows.demo.organisation import build_demo_organisation
from workflows.org import area_code, load_area_file
from workflows.tasks import submit_task

CITY_POLICE = "2024:608/ca"
DAK_HA_POLICE = "2024:615/ca"
COMMUNE_A = area_code("2024", "23311")  # Xã Đắk Cấm, thành phố Kon Tum
COMMUNE_B = area_code("2024", "23314")  # Xã Kroong, thành phố Kon Tum
DAK_HA = area_code("2024", "23503")  # Xã Đắk PXi, huyện Đắk Hà
PEOPLE = {  # code: (commune, name)
    "BN-01": (COMMUNE_A, "Y Thị Hoa"),
    "BN-02": (COMMUNE_A, "A Thuận"),
    "BN-03": (COMMUNE_B, "Nguyễn Thị Lan"),
    "BN-04": (COMMUNE_B, "Rơ Châm H'Luyến"),
    "BN-05": (DAK_HA, "Lê Thị Mai"),
}
ON = date(2024, 10, 1)
MATCHED = "Khớp đúng với CSDL dân cư"


@dataclass
class Office:
    ctx: engine.EngineContext
    instances: dict[str, int]

    def cccd(self, code: str) -> str:
        return f"062150{int(code[3:]):06d}"

    def waiting(self, code: str) -> list[str]:
        return [t.bpmn_id for t in engine.get_instance(self.ctx, self.instances[code]).open_tasks]

    def task(self, code: str, step: str = "police_check") -> str:
        (task,) = [
            t for t in engine.get_instance(self.ctx, self.instances[code]).open_tasks if t.bpmn_id == step
        ]
        return task.id

    def record(self, code: str):
        with self.ctx.db.read() as session:
            record = get_record(session, code)
            session.expunge(record)
            return record

    def completions(self) -> int:
        with self.ctx.db.read() as session:
            return session.scalar(select(func.count()).where(HistoryEvent.kind == "task_completed"))

    def versions(self) -> dict[int, int]:
        with self.ctx.db.read() as session:
            return dict(session.execute(select(Instance.id, Instance.version)).all())

    def upload(self, data: bytes, agency: str = CITY_POLICE, user: str = "ca.608"):
        return import_results(self.ctx, agency, data, user, ON)


@pytest.fixture
def office(database_url):
    """Five people waiting for the police: four in thành phố Kon Tum, one in huyện Đắk Hà."""
    ctx, _ = case_context(database_url)
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
    office = Office(ctx, {})
    agrees = {"contact_date": "2024-09-20", "channel": "phone", "outcome": "agrees"}
    for code, (commune, name) in PEOPLE.items():
        office.instances[code] = cases.open_case(
            ctx, code, commune, name, "elderly_80_plus_no_pension"
        ).instance_id
        submit_task(ctx, office.task(code, "outreach"), agrees)
        registration = {**REGISTRATION, "full_name": name, "cccd": office.cccd(code)}
        submit_task(ctx, office.task(code, "register"), registration)
        submit_task(ctx, office.task(code, "review"), {"decision": "approve"})
    yield office
    ctx.db.dispose()


def sheet(data: bytes):
    return load_workbook(BytesIO(data)).worksheets[0]


def rows_of(data: bytes) -> list[dict]:
    ws = sheet(data)
    lines = list(ws.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def filled(data: bytes, results: dict[str, dict]) -> bytes:
    """The exported file with results typed in, by beneficiary code and header."""
    workbook = load_workbook(BytesIO(data))
    ws = workbook.worksheets[0]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for header, value in results.get(row[0].value, {}).items():
            row[headers.index(header)].value = value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_of(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_export_lists_the_records_waiting_for_this_police_office_only(office):
    data = export_pending(office.ctx, CITY_POLICE, ON)
    rows = rows_of(data)
    assert [r["Mã hồ sơ"] for r in rows] == ["BN-02", "BN-01", "BN-03", "BN-04"]  # by commune, then name
    first = rows[1]
    assert (first["Họ và tên"], first["Giới tính"], first["Số CCCD"], first["Xã, phường"]) == (
        "Y Thị Hoa", "Nữ", "062150000001", "Xã Đắk Cấm",
    )  # fmt: skip
    assert first["Mã công việc"] == office.task("BN-01") and first["Kết quả"] is None
    ws = sheet(data)
    assert ws.freeze_panes == "C2"
    assert ws["C2"].number_format == "dd/mm/yyyy" and ws["E2"].number_format == "@"
    (validation,) = ws.data_validations.dataValidation
    assert str(validation.sqref).startswith("I2:I") and "Danh mục" in validation.formula1
    choices = load_workbook(BytesIO(data))["Danh mục"]
    assert [c.value for c in choices["A"]][1:] == [
        MATCHED, "Có sai lệch, đã điều chỉnh thông tin", "Đã chết", "Không tìm thấy trong CSDL dân cư",
        "Trùng với người hưởng khác",
    ]  # fmt: skip
    assert [r["Mã hồ sơ"] for r in rows_of(export_pending(office.ctx, DAK_HA_POLICE, ON))] == ["BN-05"]
    assert rows_of(export_pending(office.ctx, "2024:62/ca", ON)) == []  # the districts do their own
    assert rows_of(export_pending(office.ctx, "2024:608/bd", ON)) == []  # not the police


def test_valid_rows_complete_their_tasks_and_move_the_cases_on(office):
    data = filled(
        export_pending(office.ctx, CITY_POLICE, ON),
        {
            "BN-01": {"Kết quả": MATCHED},
            "BN-02": {"Kết quả": "corrected", "Họ tên đúng": "a  thuân"},
            "BN-03": {"Kết quả": "Đã chết", "Ngày chết": "15/08/2024"},
            "BN-04": {"Kết quả": "Không tìm thấy trong CSDL dân cư", "Ghi chú": "Sai số CCCD"},
        },
    )
    report = office.upload(data)
    assert report.counts == {"done": 4, "already_done": 0, "skipped": 0, "error": 0}
    assert office.waiting("BN-01") == ["open_account"]
    assert office.waiting("BN-02") == ["review"] and office.record("BN-02").full_name == "A Thuân"
    assert office.waiting("BN-03") == [] and office.record("BN-03").status == "deceased"
    assert office.waiting("BN-04") == ["register"]
    messages = {r.beneficiary: r.message for r in report.rows}
    assert messages["BN-01"] == "Đã cập nhật; chuyển bước «Mở tài khoản» — Bưu điện thành phố Kon Tum."
    assert messages["BN-03"] == "Đã cập nhật; hồ sơ đã đóng."
    with office.ctx.db.read() as session:
        actors = session.scalars(
            select(HistoryEvent.actor).where(
                HistoryEvent.kind == "task_completed", HistoryEvent.bpmn_id == "police_check"
            )
        ).all()
    assert actors == ["ca.608"] * 4


def test_invalid_rows_come_back_with_the_reason_and_the_valid_ones_go_through(office):
    data = filled(
        export_pending(office.ctx, CITY_POLICE, ON),
        {
            "BN-01": {"Kết quả": MATCHED},
            "BN-02": {"Kết quả": "Đã chết"},  # no date of death
            "BN-03": {"Kết quả": "corrected", "Số CCCD đúng": "062050000003"},  # a man's number
            "BN-04": {"Kết quả": "vâng"},
        },
    )
    report = office.upload(data)
    by_code = {r.beneficiary or r.values[0]: r for r in report.rows}
    assert [r.status for r in report.rows] == ["error", "done", "error", "error"]
    assert by_code["BN-02"].message == "Ngày chết: Vui lòng nhập ngày chết."
    assert by_code["BN-03"].message.startswith("Số CCCD đúng: Số CCCD không khớp")
    assert "«vâng» không có trong danh sách" in by_code["BN-04"].message
    assert office.waiting("BN-01") == ["open_account"]
    assert [office.waiting(c) for c in ("BN-02", "BN-03", "BN-04")] == [["police_check"]] * 3
    results = rows_of(report.as_xlsx())
    assert [r["Mã hồ sơ"] for r in results] == ["BN-02", "BN-01", "BN-03", "BN-04"]
    assert [r["Trạng thái"] for r in results] == ["Lỗi", "Đã cập nhật", "Lỗi", "Lỗi"]
    assert results[0]["Kết quả xử lý"] == "Ngày chết: Vui lòng nhập ngày chết."
    assert results[0]["Kết quả"] == "Đã chết"  # the row as uploaded


def test_uploading_the_same_file_again_changes_nothing(office):
    results = {
        "BN-01": {"Kết quả": MATCHED},
        "BN-02": {"Kết quả": "deceased"},  # no date of death: an error, both times
        "BN-03": {"Kết quả": "corrected", "Ngày sinh đúng": "02/05/1950"},
    }
    data = filled(export_pending(office.ctx, CITY_POLICE, ON), results)
    first = office.upload(data)
    assert first.counts == {"done": 2, "already_done": 0, "skipped": 1, "error": 1}
    completions, versions = office.completions(), office.versions()
    again = office.upload(data)
    assert again.counts == {"done": 0, "already_done": 2, "skipped": 1, "error": 1}
    assert (office.completions(), office.versions()) == (completions, versions)
    messages = {r.beneficiary: r.message for r in again.rows}
    assert messages["BN-01"] == (
        "Đã xử lý trước đó ngày 01/10/2024 (kết quả: Khớp đúng với CSDL dân cư); không xử lý lại."
    )
    assert messages["BN-02"] == "Ngày chết: Vui lòng nhập ngày chết."
    assert office.waiting("BN-03") == ["review"]


def test_rows_by_cccd_alone_match_their_task_and_a_second_upload_does_not_redo_the_next_check(office):
    data = workbook_of(
        [
            ["Danh sách kết quả làm sạch dữ liệu — Công an thành phố Kon Tum"],  # a title above the headers
            ["Số CCCD", "Kết quả", "Ngày sinh đúng"],
            [62150000001, "Có sai lệch, đã điều chỉnh thông tin", "01/06/1950"],  # typed as a number
            ["062150000003", "matched", None],
        ]
    )
    report = office.upload(data)
    assert [(r.row, r.status, r.beneficiary) for r in report.rows] == [
        (3, "done", "BN-01"),
        (4, "done", "BN-03"),
    ]
    assert office.record("BN-01").date_of_birth == date(1950, 6, 1)
    submit_task(office.ctx, office.task("BN-01", "review"), {"decision": "approve"})
    assert office.waiting("BN-01") == ["police_check"]  # checked again after the correction
    completions = office.completions()
    again = office.upload(data)
    assert [r.status for r in again.rows] == ["already_done", "already_done"]
    assert office.completions() == completions and office.waiting("BN-01") == ["police_check"]


def test_a_broken_spreadsheet_is_refused_whole_and_nothing_changes(office):
    versions = office.versions()
    with pytest.raises(SpreadsheetInvalid, match="không phải bảng tính Excel"):
        office.upload(b"Ma ho so;Ket qua\nBN-01;matched\n")
    with pytest.raises(SpreadsheetInvalid, match="rỗng"):
        office.upload(b"")
    with pytest.raises(SpreadsheetInvalid, match="«Kết quả»") as missing:
        office.upload(workbook_of([["Mã hồ sơ", "Số CCCD", "Ghi chú"], ["BN-01", "062150000001", "x"]]))
    assert "«Mã hồ sơ», «Số CCCD», «Ghi chú»" in str(missing.value)
    with pytest.raises(SpreadsheetInvalid, match="«Mã công việc» hoặc «Số CCCD» hoặc «Mã hồ sơ»"):
        office.upload(workbook_of([["Kết quả", "Ghi chú"], ["matched", ""]]))
    assert office.versions() == versions


def test_rows_for_another_district_or_another_step_are_refused(office):
    submit_task(office.ctx, office.task("BN-01"), {"result": "matched"})
    cancelled = office.task("BN-03")
    engine.deliver_message(office.ctx, "beneficiary_exit", "BN-03", {"reason": "moved_away"})
    data = workbook_of(
        [
            ["Mã công việc", "Số CCCD", "Kết quả"],
            [office.task("BN-05"), "", "matched"],  # Đắk Hà's
            ["", office.cccd("BN-05"), "matched"],  # Đắk Hà's, by CCCD
            [office.task("BN-01", "open_account"), "", "matched"],  # the provider's step
            ["7f1b6c1e-0000-4000-8000-000000000000", "", "matched"],
            [cancelled, "", "matched"],  # the person moved away meanwhile
        ]
    )
    report = office.upload(data)
    assert [r.status for r in report.rows] == ["error"] * 5
    assert report.rows[0].message == report.rows[2].message
    assert "không thuộc địa bàn hoặc nhiệm vụ của đơn vị" in report.rows[0].message
    assert "Không có hồ sơ nào đang chờ làm sạch dữ liệu với số CCCD «062150000005»" in report.rows[1].message
    assert "Không tìm thấy công việc" in report.rows[3].message
    assert report.rows[4].message.startswith("Công việc không còn mở")
    assert office.waiting("BN-05") == ["police_check"] and office.waiting("BN-01") == ["open_account"]
    assert office.upload(data, DAK_HA_POLICE, "ca.615").rows[0].status == "done"


def test_rows_that_disagree_with_their_task_or_repeat_one_or_belong_to_a_colleague_are_refused(office):
    engine.claim_task(office.ctx, office.task("BN-04"), "colleague")
    data = workbook_of(
        [
            ["Mã công việc", "Số CCCD", "Kết quả"],
            [office.task("BN-01"), office.cccd("BN-02"), "matched"],  # rows shuffled by a sort
            [office.task("BN-02"), office.cccd("BN-02"), "matched"],
            ["", office.cccd("BN-02"), "matched"],  # the same person again
            [office.task("BN-04"), "", "matched"],
        ]
    )
    report = office.upload(data)
    assert [r.status for r in report.rows] == ["error", "done", "error", "error"]
    assert "không khớp với hồ sơ BN-01" in report.rows[0].message
    assert report.rows[2].message.startswith("Trùng với dòng 3")
    assert "«colleague»" in report.rows[3].message
    assert office.waiting("BN-01") == ["police_check"] and office.waiting("BN-04") == ["police_check"]
