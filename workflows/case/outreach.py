"""Outreach (tuyên truyền, vận động) by the commune: contact recorded, outcome decides the path."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema

from ..forms import form
from ..forms.fields import choice, day, flag, require_when, text
from .common import CASH_PREFERENCE, MOBILITY

CHANNELS = {
    "home_visit": "Đến tận nhà",
    "village_meeting": "Họp thôn, tổ dân phố",
    "phone": "Gọi điện thoại",
    "loudspeaker": "Loa truyền thanh",
}
OUTCOMES = {
    "agrees": "Đồng ý nhận qua tài khoản",
    "prefers_cash": "Muốn tiếp tục nhận tiền mặt",
    "cannot_register": "Không thể đăng ký (già yếu, không có người đại diện)",
    "not_reachable": "Không liên hệ được",
}
CASH_OUTCOMES = ["prefers_cash", "cannot_register"]


@form("outreach")
class OutreachForm(Schema):
    contact_date = day("Ngày tiếp xúc")
    channel = choice("Hình thức tiếp xúc", CHANNELS)
    attended_by = text("Người tham gia", required=False, help="Cán bộ và người nhà có mặt")
    outcome = choice("Kết quả vận động", OUTCOMES, widget="radio")
    mobility = choice("Khả năng đi lại", MOBILITY, show_if={"outcome": CASH_OUTCOMES})
    has_representative = flag("Có người đại diện nhận thay", show_if={"outcome": CASH_OUTCOMES})
    cash_preference = choice("Nơi nhận tiền mặt", CASH_PREFERENCE, show_if={"outcome": ["prefers_cash"]})
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        cash = data.get("outcome") in CASH_OUTCOMES
        require_when(data, "mobility", "Khả năng đi lại", cash, errors)
        if errors:
            raise ValidationError(errors)


@form("cashless_offer")
class CashlessOfferForm(Schema):
    contact_date = day("Ngày tiếp xúc")
    accepts_cashless = flag("Đồng ý chuyển sang nhận qua tài khoản")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")
