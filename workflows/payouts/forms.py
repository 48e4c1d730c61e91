"""The payout's task forms (one marshmallow schema per ``formKey``, Vietnamese messages) and the checks
each step runs against the cycle's books before its task may complete."""

from __future__ import annotations

import re
from collections.abc import Callable

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import Connection

from ..forms import form
from ..forms.fields import choice, day, flag, require_when, text
from . import ledger
from .common import money

# form key → (connection, cycle row, data) → {field: [messages]}
CHECKS: dict[str, Callable[[Connection, object, dict], dict[str, list[str]]]] = {}

DECISIONS = {"approve": "Duyệt danh sách, gửi Kho bạc", "regenerate": "Lập lại danh sách"}


class MoneyField(fields.Integer):
    """An amount in đồng as people type it: ``1500000``, ``1.500.000``, ``1 500 000 ₫``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = re.sub(r"[\s.,₫đ]|VND|vnd", "", value)
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount < 0:
            raise ValidationError("Số tiền không được âm.")
        return amount


def money_field(label: str, *, required: bool = True) -> MoneyField:
    lowered = label[0].lower() + label[1:]
    return MoneyField(
        required=required,
        strict=False,
        error_messages={
            "required": f"Vui lòng nhập {lowered}.",
            "null": f"Vui lòng nhập {lowered}.",
            "invalid": f"{label} phải là số tiền (đồng), ví dụ 1.500.000.",
        },
        metadata={"label": label, "widget": "money"},
    )


def check(key: str):
    def register(func):
        CHECKS[key] = func
        return func

    return register


@form("payout_approval")
class ApprovalForm(Schema):
    decision = choice("Quyết định", DECISIONS, widget="radio")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        require_when(data, "note", "Lý do lập lại danh sách", data.get("decision") == "regenerate", errors)
        if errors:
            raise ValidationError(errors)


@check("payout_approval")
def check_approval(conn: Connection, cycle, data: dict) -> dict[str, list[str]]:
    if cycle.status != "draft":
        return {"_schema": ["Danh sách đã được duyệt và khoá."]}
    return {}


@form("payout_transfer")
class TransferForm(Schema):
    transfer_reference = text("Số chứng từ chuyển tiền", max_length=60)
    transfer_date = day("Ngày chuyển tiền")
    transfer_amount = money_field("Số tiền đã chuyển")


@check("payout_transfer")
def check_transfer(conn: Connection, cycle, data: dict) -> dict[str, list[str]]:
    amount = data.get("transfer_amount")
    if amount != cycle.total_amount:
        return {
            "transfer_amount": [
                f"Số tiền chuyển ({money(amount)}) phải bằng tổng danh sách đã duyệt "
                f"({money(cycle.total_amount)})."
            ]
        }
    return {}


@form("payout_payments")
class PaymentsForm(Schema):
    results_recorded = flag("Đã ghi nhận kết quả chi trả của tất cả các dòng")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def confirmed(self, data, **_):
        if not data.get("results_recorded"):
            raise ValidationError(
                {"results_recorded": ["Cần xác nhận đã ghi nhận kết quả của tất cả các dòng."]}
            )


@check("payout_payments")
@check("payout_fallback")
def check_results(conn: Connection, cycle, data: dict) -> dict[str, list[str]]:
    """The same count as the cycle's page shows (``Balance.no_result_lines``)."""
    problems = ledger.no_result_problems(ledger.balance(conn, cycle.id))
    return {"_schema": problems} if problems else {}


@form("payout_fallback")
class FallbackForm(Schema):
    results_recorded = flag("Đã ghi nhận kết quả chi tiền mặt thay chuyển khoản")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def confirmed(self, data, **_):
        if not data.get("results_recorded"):
            raise ValidationError({"results_recorded": ["Cần xác nhận đã ghi nhận kết quả chi tiền mặt."]})


@form("payout_reconciliation")
class ReconciliationForm(Schema):
    returned_amount = money_field("Số tiền hoàn trả Kho bạc")
    return_reference = text("Số chứng từ hoàn trả", required=False, max_length=60)
    return_date = day("Ngày hoàn trả", required=False)
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        returning = bool(data.get("returned_amount"))
        require_when(data, "return_reference", "Số chứng từ hoàn trả", returning, errors)
        require_when(data, "return_date", "Ngày hoàn trả", returning, errors)
        if errors:
            raise ValidationError(errors)


@check("payout_reconciliation")
def check_reconciliation(conn: Connection, cycle, data: dict) -> dict[str, list[str]]:
    books = ledger.balance(conn, cycle.id)
    errors: dict[str, list[str]] = {}
    if books.unresolved_lines or books.paid + books.to_return + books.returned != books.transferred:
        errors["_schema"] = ledger.reconciliation_problems(books, None)
    if data.get("returned_amount") != books.to_return:
        errors["returned_amount"] = [
            f"Số tiền hoàn trả phải bằng số chưa chi trả: {money(books.to_return)} "
            f"(đã nhập {money(data.get('returned_amount'))})."
        ]
    return errors


@form("payout_report")
class ReportForm(Schema):
    report_sent_on = day("Ngày gửi báo cáo")
    report_number = text("Số báo cáo", required=False, max_length=60)
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")
