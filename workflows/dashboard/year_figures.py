"""The year's figures a review is sent with (xlsx, Vietnamese): payouts by month, coverage by area
against the targets, where cases stand, open and overdue work — the dashboard's own figure functions,
for the province as a whole."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessVersion

from ..deadlines.calendar import VIETNAM
from ..scope import Scope
from .cases import CASE_PROCESS, coverage, funnel, status_counts
from .frame import build_frame
from .payouts import OUTCOME_NAMES, OUTCOMES, payouts
from .work import work
from .xlsx import workbook_xlsx

COVER_COLUMNS = ["Địa bàn", "Đang hưởng", "Qua tài khoản", "Tiền mặt", "Tỷ lệ (%)", "Chỉ tiêu (%)", "Hạn",
                 "Đánh giá"]  # fmt: skip


def year_figures_xlsx(session: Session, province: str, today: date, title: str, months: int = 12) -> bytes:
    """``months`` months of payouts up to ``today``'s month, and the other figures as of ``today``."""
    frame = build_frame(session, Scope(""), True, province)
    conn = session.connection()
    now = datetime.combine(today, time(12, 0), VIETNAM)
    this_month = today.replace(day=1)
    statuses = status_counts(conn, frame)
    names = _step_names(session)
    money = payouts(conn, frame, this_month, months)
    where = f"{frame.area.name} — số liệu đến ngày {today:%d/%m/%Y}"
    month_columns = ["Tháng"]
    for o in OUTCOMES:
        month_columns += [f"{OUTCOME_NAMES[o]} (lượt)", f"{OUTCOME_NAMES[o]} (đồng)"]
    month_rows = []
    for m in money.months:
        cells: list = [f"{m.month:%m/%Y}"]
        for o in OUTCOMES:
            cells += [m.outcomes[o].lines, m.outcomes[o].amount]
        month_rows.append([*cells, m.total.lines, m.total.amount, m.share(m.by_account)])
    month_columns += ["Tổng (lượt)", "Tổng (đồng)", "Tỷ lệ qua tài khoản (%)"]
    cover = coverage(conn, frame, statuses, today)
    cover_rows = [
        [r.name, r.active, r.by_account, r.in_cash, r.share_pct, r.target.share_pct if r.target else None,
         f"{r.target.due_on:%d/%m/%Y}" if r.target else None, "Chưa đạt" if r.below_target else ""]
        for r in cover
    ]  # fmt: skip
    steps = funnel(conn, frame, statuses, names, now).steps
    step_rows = [[s.name, s.count, s.oldest_days] for s in steps]
    jobs = work(conn, frame, names, now, datetime.combine(this_month, time(0), VIETNAM))
    work_rows = [[w.agency, w.step_name, w.open, w.overdue] for w in jobs.rows]
    return workbook_xlsx([
        (f"{title} — chi trả theo tháng", where, month_columns, month_rows),
        ("Chi trả qua tài khoản theo địa bàn, so với chỉ tiêu", where,
         COVER_COLUMNS, cover_rows),
        ("Hồ sơ theo bước", where, ["Bước", "Số người", "Chờ lâu nhất (ngày)"], step_rows),
        ("Việc đang mở, quá hạn", where, ["Cơ quan", "Bước", "Đang mở", "Quá hạn"], work_rows),
    ])  # fmt: skip


def _step_names(session: Session) -> dict[str, str]:
    """bpmn id → name of the beneficiary case's steps, read from the newest deployed spec's JSON (a
    service task has no engine context to ask for the parsed spec)."""
    spec_json = session.scalar(
        select(ProcessVersion.spec_json)
        .where(ProcessVersion.process_key == CASE_PROCESS)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    if not spec_json:
        return {}
    names: dict[str, str] = {}

    def walk(value) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("bpmn_id"), str) and isinstance(value.get("bpmn_name"), str):
                names[value["bpmn_id"]] = value["bpmn_name"]
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(spec_json))
    return names
