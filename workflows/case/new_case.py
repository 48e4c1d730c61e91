"""A new case opened on screen by the commune for a newly eligible person: the district's approval
(decision number and date), the category, the months owed from, and the person's details, checked as
the registration form checks them. The record, the enrolment and the case are made together."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema

from ..forms import form
from ..forms.fields import choice, day, flag, require_when, text
from ..validators import InvalidValue, validate_cccd
from .common import GENDERS
from .registration import RegistrationForm, check_children, children_field, offer_categories

_PERSON = RegistrationForm._declared_fields


@form("new_case")
class NewCaseForm(Schema):
    decision_number = text("Số quyết định hưởng trợ cấp", max_length=50, help="Quyết định của UBND cấp huyện")
    decision_date = day("Ngày quyết định")
    category_code = choice("Đối tượng hưởng", {})
    children_count = children_field()
    entitled_from = day("Hưởng từ ngày", not_after_today=False, help="Tính từ tháng của ngày này")
    full_name = _PERSON["full_name"]
    date_of_birth = _PERSON["date_of_birth"]
    gender = choice("Giới tính", GENDERS, widget="radio")
    has_cccd = flag("Đã có thẻ CCCD", load_default=True)
    cccd = _PERSON["cccd"]
    phone = _PERSON["phone"]
    village = _PERSON["village"]
    address = _PERSON["address"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_categories(self)

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict[str, list[str]] = {}
        require_when(data, "cccd", "Số CCCD", data.get("has_cccd", True), errors)
        check_children(data, errors)
        if (
            data.get("cccd")
            and data.get("date_of_birth")
            and data.get("gender")
            and data.get("has_cccd", True)
        ):
            try:
                validate_cccd(data["cccd"], data["date_of_birth"], data["gender"])
            except InvalidValue as exc:
                errors.setdefault("cccd", []).append(exc.message)
        if errors:
            raise ValidationError(errors)
