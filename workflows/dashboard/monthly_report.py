"""The monthly report an area sends up before the 12th (plan: UBND huyện → Sở; since 2025 the commune):
every cycle of the month over the area's communes, by commune and outcome, in the layout of the payout's
own report (issuer and national motto, title, the table, signatures) — as xlsx and as a printable page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import EngineContext
from engine.errors import NotFound

from ..deadlines.calendar import VIETNAM
from ..file_jobs import builder
from ..org import resolve_agency
from ..org.models import Area
from ..payouts.common import add_months
from ..payouts.models import PayoutCycle, PayoutLine
from ..payouts.report import GROUPS
from ..scope import Scope, scope_for
from .frame import build_frame

_C = PayoutCycle.__table__
_L = PayoutLine.__table__
ISSUER_ROLE = {"district": "district_pc", "commune": "district_pc", "province": "dolisa"}
DUE_DAY = 12


@dataclass(frozen=True)
class ReportRow:
    name: str
    values: list[int]  # (lines, amount) per group of GROUPS, flattened


@dataclass(frozen=True)
class MonthlyReport:
    area_code: str
    area_name: str
    month: date
    issued_on: date
    issuer: str
    recipient: str
    place: str
    groups: list[str]
    rows: list[ReportRow]
    total: ReportRow

    @property
    def due_on(self) -> date:
        return self.month.replace(day=DUE_DAY)


def monthly_report(
    ctx: EngineContext, scope: Scope, is_admin: bool, area_code: str | None, month: date | None = None
) -> MonthlyReport:
    """The month's report of ``area_code`` (None: the month just paid); NotFound outside the user's view."""
    today = ctx.now().astimezone(VIETNAM).date()
    month = month or add_months(today.replace(day=1), -1)
    with ctx.db.read() as session:
        frame = build_frame(session, scope, is_admin, area_code)
        if frame.area is None:
            raise NotFound("choose an area")
        area = frame.area
        found = session.execute(
            select(_L.c.commune_code, _L.c.method, _L.c.status, _L.c.fallback_method.is_not(None),
                   func.count(), func.sum(_L.c.amount))
            .join(_C, _C.c.id == _L.c.cycle_id)
            .where(_C.c.month == month, _L.c.commune_code.in_(frame.codes))
            .group_by(_L.c.commune_code, _L.c.method, _L.c.status, _L.c.fallback_method.is_not(None))
        ).all()  # fmt: skip
        issuer, recipient, place = _parties(session, area.code, area.level, frame.parents, today)
    width = 2 * len(GROUPS)
    values = {row.code: [0] * width for row in frame.rows}
    for commune, method, status, fallback, lines, amount in found:
        row = values.setdefault(frame.row_of[commune], [0] * width)
        for index, (_label, belongs) in enumerate(GROUPS):
            if belongs(method, status, bool(fallback)):
                row[2 * index] += lines
                row[2 * index + 1] += amount or 0
    rows = [ReportRow(r.name, values[r.code]) for r in frame.rows]
    total = ReportRow("Tổng cộng", [sum(r.values[i] for r in rows) for i in range(width)])
    return MonthlyReport(area.code, area.name, month, today, issuer, recipient, place,
                         [label for label, _ in GROUPS], rows, total)  # fmt: skip


def _parties(session: Session, area: str, level: str, parents: dict, on: date) -> tuple[str, str, str]:
    province = area
    while parents.get(province) is not None:
        province = parents[province]
    place = session.get(Area, province).name
    try:
        issuer = resolve_agency(session, ISSUER_ROLE.get(level, "district_pc"), area, on).name
    except NotFound:
        issuer = ""
    try:
        recipient = resolve_agency(session, "dolisa", area, on).name if level != "province" else ""
    except NotFound:
        recipient = ""
    return issuer, recipient or "Bộ Lao động - Thương binh và Xã hội; Ủy ban nhân dân tỉnh", place


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def monthly_report_xlsx(report: MonthlyReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Báo cáo {report.month:%m-%Y}"
    width = 2 + 2 * len(report.groups)
    put = _writer(sheet)
    put(1, 1, report.issuer.upper(), span=5, bold=True)
    put(1, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", span=width - 5, bold=True)
    put(2, 6, "Độc lập - Tự do - Hạnh phúc", span=width - 5, bold=True)
    day = report.issued_on
    put(
        3,
        6,
        f"{report.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        span=width - 5,
        italic=True,
    )
    put(5, 1, "BÁO CÁO KẾT QUẢ CHI TRẢ CHÍNH SÁCH AN SINH XÃ HỘI KHÔNG DÙNG TIỀN MẶT", span=width, bold=True)
    put(6, 1, f"Tháng {report.month:%m} năm {report.month:%Y} — {report.area_name}", span=width)
    put(7, 1, f"Kính gửi: {report.recipient}", span=width, italic=True)
    top = 9
    put(top, 1, "STT", box=True)
    put(top, 2, "Địa bàn", box=True)
    sheet.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    sheet.merge_cells(start_row=top, start_column=2, end_row=top + 1, end_column=2)
    for index, label in enumerate(report.groups):
        column = 3 + 2 * index
        put(top, column, label, span=2, bold=True, box=True)
        put(top + 1, column, "Số lượt", box=True)
        put(top + 1, column + 1, "Số tiền (đồng)", box=True)
    row = top + 2
    for number, line in enumerate([*report.rows, report.total], start=1):
        last = line is report.total
        put(row, 1, "" if last else number, bold=last, box=True)
        put(row, 2, line.name, bold=last, box=True, align=Alignment(horizontal="left", vertical="center"))
        for offset, value in enumerate(line.values):
            cell = put(row, 3 + offset, value, bold=last, box=True, align=Alignment(horizontal="right"))
            cell.number_format = "#,##0"
        row += 1
    put(row + 1, 1, f"Hạn gửi báo cáo: trước ngày {report.due_on:%d/%m/%Y}.", span=10,
        align=Alignment(horizontal="left"))  # fmt: skip
    for column, (role, hint) in zip(
        (1, 1 + width // 3, 1 + 2 * width // 3),
        (("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"), ("KẾ TOÁN", "(Ký, ghi rõ họ tên)"),
         ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")),
        strict=True,
    ):  # fmt: skip
        put(row + 3, column, role, span=width // 3, bold=True)
        put(row + 4, column, hint, span=width // 3, italic=True)
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 28
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 9 if column % 2 else 15
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _writer(sheet):
    def put(row, column, value, *, span=1, bold=False, italic=False, box=False, align=None):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font = Font(bold=bold, italic=italic, name="Times New Roman", size=12)
        cell.alignment = align or CENTER
        if box:
            cell.border = BOX
        if span > 1:
            sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + span - 1)
        return cell

    return put


@builder("dashboard_report")
def _report_job(ctx: EngineContext, p: dict) -> bytes:
    """The month's report as a background job (``file_jobs``), in the asker's scope."""
    today = ctx.now().astimezone(VIETNAM).date()
    with ctx.db.read() as session:
        scope = scope_for(session, p["agency"], today)
    month = date.fromisoformat(p["month"]) if p.get("month") else None
    return monthly_report_xlsx(monthly_report(ctx, scope, p["admin"], p["area"], month))
