"""Files that leave the system: the payment list for the provider (CSV and XLSX), the list of funds
returned to the treasury, and the per-row report of an import. Bytes out; the caller sends them.

The payment list carries empty result columns (``Kết quả``, ``Lý do``, ``Mã giao dịch``): the provider
can fill them in and send the same file back as its results.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, select

from engine import EngineContext

from ..validators import ACCOUNT_KINDS, account_kind
from .common import (
    ENTITLEMENT_LABELS,
    HELD,
    METHOD_LABELS,
    NOT_COLLECTED,
    RECIPIENT_LABELS,
    RETURN_REASON_LABELS,
    RETURNED,
    month_label,
)
from .imports import import_rows
from .models import PayoutLine
from .views import CycleView, cycle_view
from .xlsx import Styled, write_xlsx

L = PayoutLine.__table__
PAYMENT_HEADER = [
    "Mã dòng", "Mã người hưởng", "Họ và tên", "Số CCCD", "Xã, phường, thị trấn", "Tháng", "Khoản chi",
    "Hình thức", "Người nhận", "Họ tên người nhận", "CCCD người nhận", "Loại tài khoản", "Ngân hàng",
    "Số tài khoản",
    "Số tiền (đồng)", "Kết quả", "Lý do", "Mã giao dịch",
]  # fmt: skip
RETURN_HEADER = [
    "STT", "Mã dòng", "Mã người hưởng", "Họ và tên", "Xã, phường, thị trấn", "Tháng", "Khoản chi",
    "Số tiền (đồng)", "Lý do hoàn trả",
]  # fmt: skip


def _payment_rows(conn: Connection, cycle: CycleView, method: str | None) -> Iterable[list]:
    query = (
        select(
            L.c.id, L.c.beneficiary_code, L.c.full_name, L.c.beneficiary_cccd, L.c.commune_code, L.c.month,
            L.c.entitlement, L.c.method, L.c.recipient_kind, L.c.recipient_name, L.c.recipient_cccd,
            L.c.bank_code, L.c.account_number, L.c.amount, L.c.fallback_method,
        )
        .where(L.c.cycle_id == cycle.id, L.c.status.not_in((HELD, RETURNED)))
        .order_by(L.c.commune_code, L.c.full_name, L.c.id)
    )  # fmt: skip
    if method == "account":
        query = query.where(L.c.method == "account", L.c.fallback_method.is_(None))
    elif method == "cash":
        query = query.where((L.c.method != "account") | L.c.fallback_method.is_not(None))
    names = cycle.commune_names
    for row in conn.execute(query):
        how = row.fallback_method or row.method
        yield [
            row.id, row.beneficiary_code, row.full_name, row.beneficiary_cccd or "",
            names.get(row.commune_code, row.commune_code), month_label(row.month),
            ENTITLEMENT_LABELS[row.entitlement], METHOD_LABELS[how], RECIPIENT_LABELS[row.recipient_kind],
            row.recipient_name, row.recipient_cccd or "",
            "" if row.fallback_method else ACCOUNT_KINDS.get(account_kind(row.bank_code) or "", ""),
            "" if row.fallback_method else row.bank_code or "",
            "" if row.fallback_method else row.account_number or "", row.amount, "", "", "",
        ]  # fmt: skip


def payment_list_csv(ctx: EngineContext, cycle_id: int, method: str | None = None) -> bytes:
    """The list to pay (``method``: "account", "cash" or both), UTF-8 with a BOM so Excel reads it."""
    with ctx.db.read() as session:
        conn = session.connection()
        cycle = cycle_view(conn, cycle_id)
        return _csv([PAYMENT_HEADER, *_payment_rows(conn, cycle, method)])


def payment_list_xlsx(ctx: EngineContext, cycle_id: int, method: str | None = None) -> bytes:
    with ctx.db.read() as session:
        conn = session.connection()
        cycle = cycle_view(conn, cycle_id)
        title = f"DANH SÁCH CHI TRẢ TRỢ CẤP XÃ HỘI THÁNG {month_label(cycle.month)}"
        subtitle = f"Địa bàn: {cycle.area_name} — Kỳ chi trả {cycle.business_key}"
        notes = [f"Mã kiểm tra danh sách đã duyệt (SHA-256): {cycle.list_hash or 'chưa duyệt'}"]
        return _xlsx("Danh sách chi trả", title, subtitle, notes, PAYMENT_HEADER,
                     _payment_rows(conn, cycle, method), money_column=14)  # fmt: skip


def _returned_rows(conn: Connection, cycle: CycleView) -> list[list]:
    query = (
        select(L.c.id, L.c.beneficiary_code, L.c.full_name, L.c.commune_code, L.c.month, L.c.entitlement,
               L.c.amount, L.c.status, L.c.return_reason)
        .where(L.c.cycle_id == cycle.id, L.c.status.in_((RETURNED, NOT_COLLECTED, HELD)))
        .order_by(L.c.commune_code, L.c.full_name, L.c.id)
    )  # fmt: skip
    rows = []
    for index, row in enumerate(conn.execute(query), start=1):
        reason = row.return_reason or row.status
        rows.append([
            index, row.id, row.beneficiary_code, row.full_name,
            cycle.commune_names.get(row.commune_code, row.commune_code), month_label(row.month),
            ENTITLEMENT_LABELS[row.entitlement], row.amount, RETURN_REASON_LABELS.get(reason, reason),
        ])  # fmt: skip
    return rows


def returned_list_csv(ctx: EngineContext, cycle_id: int) -> bytes:
    with ctx.db.read() as session:
        conn = session.connection()
        rows = _returned_rows(conn, cycle_view(conn, cycle_id))
    total = ["", "", "", "Tổng cộng", "", "", "", sum(r[7] for r in rows), ""]
    return _csv([RETURN_HEADER, *rows, total])


def returned_list_xlsx(ctx: EngineContext, cycle_id: int) -> bytes:
    with ctx.db.read() as session:
        conn = session.connection()
        cycle = cycle_view(conn, cycle_id)
        rows = _returned_rows(conn, cycle)
    title = f"DANH SÁCH KINH PHÍ HOÀN TRẢ KHO BẠC NHÀ NƯỚC THÁNG {month_label(cycle.month)}"
    subtitle = f"Địa bàn: {cycle.area_name} — Kỳ chi trả {cycle.business_key}"
    notes = [f"Chứng từ chuyển kinh phí: {cycle.transfer_reference or ''}"]
    total = ["", "", "", "Tổng cộng", "", "", "", sum(r[7] for r in rows), ""]
    return _xlsx("Hoàn trả", title, subtitle, notes, RETURN_HEADER, [*rows, total], money_column=7)


def import_report_csv(ctx: EngineContext, import_id: int) -> bytes:
    """Every row of an import and what happened to it, for the person who uploaded the file."""
    labels = {
        "applied": "Đã ghi nhận", "duplicate": "Trùng, không ghi lại", "refused": "Từ chối",
        "skipped": "Bỏ qua",
    }  # fmt: skip
    rows = import_rows(ctx, import_id, limit=10_000_000)
    body = [[row_no, line_ids or "", labels[outcome], message] for row_no, line_ids, outcome, message in rows]
    return _csv([["Dòng trong tệp", "Mã dòng", "Kết quả xử lý", "Ghi chú"], *body])


def _csv(rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(sheet_name, title, subtitle, notes, header, rows, money_column: int) -> bytes:
    def body():
        yield [Styled(title, "title")]
        yield [subtitle]
        for note in notes:
            yield [note]
        yield []
        yield [Styled(name, "bold") for name in header]
        for row in rows:
            row = list(row)
            row[money_column] = Styled(row[money_column], "money")
            yield row

    widths = [14 if i != money_column else 16 for i in range(len(header))]
    return write_xlsx(sheet_name, body(), widths)
