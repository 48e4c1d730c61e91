"""What an upload did, row by row, and the results file that goes back to the officer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from .sheets import DATE_FORMAT, HEADER_FILL, save

DONE, ALREADY_DONE, SKIPPED, ERROR = "done", "already_done", "skipped", "error"
STATUS_LABELS = {
    DONE: "Đã cập nhật",
    ALREADY_DONE: "Đã xử lý trước đó",
    SKIPPED: "Bỏ qua",
    ERROR: "Lỗi",
}
STATUS_FILLS = {
    DONE: PatternFill("solid", fgColor="E2EFDA"),
    ALREADY_DONE: PatternFill("solid", fgColor="EDEDED"),
    ERROR: PatternFill("solid", fgColor="F8CBAD"),
}
RESULT_HEADER = "Kết quả xử lý"


@dataclass(frozen=True)
class RowResult:
    row: int  # the row number in the uploaded sheet
    status: str  # done | already_done | skipped | error
    message: str  # Vietnamese, for the officer
    values: tuple[Any, ...] = ()
    task_id: str | None = None
    beneficiary: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class ImportReport:
    headers: list[str]
    rows: list[RowResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(r.status for r in self.rows)
        return {status: counted.get(status, 0) for status in STATUS_LABELS}

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == ERROR]

    @property
    def summary(self) -> str:
        """One line for the page: "12 dòng đã cập nhật, 3 dòng lỗi, …"."""
        parts = [f"{n} dòng {STATUS_LABELS[s].lower()}" for s, n in self.counts.items() if n]
        return ", ".join(parts) or "Tệp không có dòng dữ liệu nào."

    def as_xlsx(self) -> bytes:
        """The uploaded rows as they came, each with what happened to it, in two columns at the end."""
        workbook = Workbook()
        ws = workbook.active
        ws.title = RESULT_HEADER
        width = max([len(self.headers), *(len(r.values) for r in self.rows)])
        headers = [*self.headers, *([""] * (width - len(self.headers))), "Trạng thái", RESULT_HEADER]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL
        for result in self.rows:
            values = [*result.values, *([None] * (width - len(result.values)))]
            ws.append([*values, result.status_label, result.message])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, datetime | date):
                    cell.number_format = DATE_FORMAT
            fill = STATUS_FILLS.get(result.status)
            if fill is not None:
                ws.cell(ws.max_row, width + 1).fill = fill
                ws.cell(ws.max_row, width + 2).fill = fill
        for index in range(1, width + 1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = 16
        ws.column_dimensions[ws.cell(1, width + 1).column_letter].width = 18
        ws.column_dimensions[ws.cell(1, width + 2).column_letter].width = 70
        ws.freeze_panes = "A2"
        return save(workbook)
