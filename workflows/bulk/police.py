"""Record cleaning in bulk: the police download the records waiting for them as a spreadsheet, check them
against the national population database, and upload the results — one row per person.

Every row goes through the same form and checks as the task page (``workflows.tasks.submit_task``), so a
row is accepted or refused for the same reasons. Rows are independent: a bad row is reported and the
good ones go through. Uploading a file again changes nothing: a row whose task is done is reported as
already processed. Only tasks in the agency's own area are touched.
"""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from engine import EngineContext

from ..case.common import GENDERS
from ..case.police import RESULTS
from ..scope import scope_for
from .pending import Pending, pending_tasks
from .police_rows import resolve_rows
from .report import ImportReport
from .sheets import Column, read_table, save, write_table

SHEET = "Làm sạch dữ liệu"
CHOICES_SHEET = "Danh mục"
ROLE = "police"
EXTRA_ROWS = 200  # the result dropdown also covers rows the officer adds below the list

COLUMNS = [
    Column("code", "Mã hồ sơ", 12, aliases=("Mã người hưởng",)),
    Column("full_name", "Họ và tên", 26),
    Column("date_of_birth", "Ngày sinh", 12, "date"),
    Column("gender", "Giới tính", 9),
    Column("cccd", "Số CCCD", 15, "digits", aliases=("CCCD", "Số định danh cá nhân")),
    Column("commune", "Xã, phường", 22),
    Column("village", "Thôn, tổ dân phố", 20),
    Column("warning", "Cảnh báo", 30),
    Column("result", "Kết quả", 34, entry=True, aliases=("Kết quả đối chiếu",)),
    Column("corrected_full_name", "Họ tên đúng", 24, entry=True),
    Column("corrected_date_of_birth", "Ngày sinh đúng", 14, "date", entry=True),
    Column("corrected_cccd", "Số CCCD đúng", 15, "digits", entry=True),
    Column("date_of_death", "Ngày chết", 12, "date", entry=True),
    Column("duplicate_of", "Trùng với mã hồ sơ", 18, entry=True),
    Column("note", "Ghi chú", 30, entry=True),
    Column("task_id", "Mã công việc", 38, aliases=("task id",)),
]
REQUIRED = ["result", "task_id|cccd|code"]


def export_pending(ctx: EngineContext, agency_code: str, on: date) -> bytes:
    """An xlsx of the open record-cleaning tasks the agency must do on ``on``, one row per person."""
    with ctx.db.read() as session:
        pending = pending_tasks(session, police_areas(session, agency_code, on))
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    count = write_table(ws, COLUMNS, (_row(p) for p in pending))
    ws.freeze_panes = "C2"  # header row, and the code and name while scrolling right
    ws.auto_filter.ref = f"A1:{ws.cell(1, len(COLUMNS)).column_letter}{count + 1}"
    _add_result_choices(workbook, ws, count)
    return save(workbook)


def import_results(
    ctx: EngineContext, agency_code: str, xlsx_bytes: bytes, user: str, on: date
) -> ImportReport:
    """Complete each valid row's task with its result; report every row (see the module's docstring).

    Raises SpreadsheetInvalid, having changed nothing, when the file cannot be read as the list.
    """
    table = read_table(xlsx_bytes, COLUMNS, REQUIRED, SHEET)
    with ctx.db.read() as session:
        areas = police_areas(session, agency_code, on)
        plans = resolve_rows(session, areas, table.rows, user)
    return ImportReport(table.headers, [plan.outcome or plan.submit(ctx, user) for plan in plans])


def police_areas(session, agency_code: str, on: date) -> tuple[str, ...]:
    """The areas whose record cleaning is this agency's own (nearer police offices take theirs)."""
    return scope_for(session, agency_code, on).areas_by_role.get(ROLE, ())


def _row(p: Pending) -> list:
    warning = f"CCCD trùng với hồ sơ đang mở {p.duplicate_of}" if p.duplicate_of else None
    gender = GENDERS.get(p.gender or "", p.gender)
    return [
        p.code, p.full_name, p.date_of_birth, gender, p.cccd, p.commune, p.village, warning,
        None, None, None, None, None, None, None, p.task_id,
    ]  # fmt: skip


def _add_result_choices(workbook: Workbook, ws, count: int) -> None:
    """A second sheet lists the results (code and label); the result column offers them as a dropdown."""
    choices = workbook.create_sheet(CHOICES_SHEET)
    choices.append(["Kết quả", "Mã", "Cần ghi thêm"])
    needs = {
        "corrected": "Ít nhất một trong: Họ tên đúng, Ngày sinh đúng, Số CCCD đúng",
        "deceased": "Ngày chết",
        "duplicate": "Trùng với mã hồ sơ",
    }
    for code, label in RESULTS.items():
        choices.append([label, code, needs.get(code, "")])
    for letter, width in (("A", 40), ("B", 12), ("C", 60)):
        choices.column_dimensions[letter].width = width
    column = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "result")
    letter = ws.cell(1, column).column_letter
    validation = DataValidation(
        type="list",
        formula1=f"='{CHOICES_SHEET}'!$A$2:$A${len(RESULTS) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Kết quả không hợp lệ",
        error="Chọn một kết quả trong danh sách.",
    )
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{count + 1 + EXTRA_ROWS}")
