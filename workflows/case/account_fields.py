"""The account a person is paid into, as every form asks for it: the bank, Mobile Money or e-wallet
picked by name from the list, and the number, checked for that kind (a phone for mobile money)."""

from __future__ import annotations

from ..forms.fields import choice, picked, require_when, text
from ..validators import (
    InvalidValue,
    provider_choices,
    provider_code,
    validate_account,
    validate_account_number,
)
from .common import ACCOUNT_HOLDERS

PROVIDER_LABEL = "Ngân hàng / Mobile Money / ví điện tử"
NUMBER_LABEL = "Số tài khoản (số điện thoại với Mobile Money, ví điện tử)"


def provider_field(show_if):
    return picked(PROVIDER_LABEL, provider_choices(), rule=provider_code, show_if=show_if)


def number_field(show_if):
    return text(NUMBER_LABEL, max_length=30, show_if=show_if, rule=validate_account_number)


def account_fields(show_if) -> dict:
    return {
        "bank_code": provider_field(show_if),
        "account_number": number_field(show_if),
        "account_holder": choice("Chủ tài khoản", ACCOUNT_HOLDERS, required=False, show_if=show_if),
    }


def check_account(data: dict, needed: bool, errors: dict) -> None:
    """Both parts when ``needed``; the number must suit its provider (a mobile number for Mobile Money).
    The normal form is written back into ``data``."""
    require_when(data, "bank_code", PROVIDER_LABEL, needed, errors)
    require_when(data, "account_number", NUMBER_LABEL, needed, errors)
    if needed and data.get("bank_code") and data.get("account_number"):
        try:
            data["account_number"] = validate_account(data["bank_code"], data["account_number"])
        except InvalidValue as exc:
            errors.setdefault("account_number", []).append(exc.message)
