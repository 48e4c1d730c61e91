"""Account opening, card issuance with safe-use guidance, and account repair, by the provider."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema

from ..forms import form
from ..forms.fields import choice, day, flag, require_when, text
from ..services import registry
from .account_fields import account_fields, check_account
from .common import record_change

OPENING = {
    "verified": "Đã xác minh tài khoản sẵn có (đúng tên chủ tài khoản)",
    "opened": "Đã mở tài khoản mới",
    "failed": "Không mở được tài khoản",
}
REPAIR = {"fixed": "Đã sửa, tiếp tục nhận qua tài khoản", "cash": "Chuyển sang nhận tiền mặt"}


@form("account_opening")
class AccountOpeningForm(Schema.from_dict(account_fields({"account_outcome": ["verified", "opened"]}))):
    account_outcome = choice("Kết quả", OPENING, widget="radio")
    failure_reason = text(
        "Lý do không mở được", required=False, max_length=500, show_if={"account_outcome": ["failed"]}
    )

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        ok = data.get("account_outcome") in ("verified", "opened")
        check_account(data, ok, errors)
        require_when(data, "failure_reason", "Lý do không mở được", not ok, errors)
        if errors:
            raise ValidationError(errors)


@form("card_issuance")
class CardIssuanceForm(Schema):
    card_issued_on = day("Ngày cấp thẻ")
    guidance_given = flag("Đã hướng dẫn sử dụng thẻ, tài khoản an toàn")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def guidance(self, data, **_):
        if not data.get("guidance_given"):
            raise ValidationError({"guidance_given": ["Cần hướng dẫn sử dụng an toàn trước khi hoàn tất."]})


@form("account_repair")
class AccountRepairForm(Schema.from_dict(account_fields({"repair_outcome": ["fixed"]}))):
    repair_outcome = choice("Kết quả xử lý", REPAIR, widget="radio")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        fixed = data.get("repair_outcome") == "fixed"
        check_account(data, fixed, errors)
        if errors:
            raise ValidationError(errors)


@registry.handler("beneficiary.set_account")
def set_account(call) -> dict:
    """After account opening, or after a repair: ``reason`` tells which (a service parameter)."""
    data = call.data
    changes = {
        "bank_code": data["bank_code"],
        "account_number": data["account_number"],
        "account_holder": data.get("account_holder") or "beneficiary",
    }
    record_change(call, changes, call.params.get("reason", "account_opened"))
    return {"bank_code": data["bank_code"]}
