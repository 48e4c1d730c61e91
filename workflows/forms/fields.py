"""Field factories with Vietnamese labels and error messages, and the metadata the pages render from.

Metadata keys: ``label`` (Vietnamese), ``choices`` (value → label, in display order), ``widget``
("text", "date", "select", "radio", "checkbox", "textarea"), ``show_if`` ({field: [values]}: shown,
and only then required, when another field has one of those values), ``help``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

from ..validators import InvalidValue

REQUIRED = "Vui lòng nhập {label}."
MESSAGES = {
    "null": "Vui lòng nhập {label}.",
    "invalid": "{label} không hợp lệ.",
}


def _messages(label: str, **extra: str) -> dict[str, str]:
    lowered = label[0].lower() + label[1:]
    base = {"required": REQUIRED.format(label=lowered), "null": REQUIRED.format(label=lowered)}
    base["invalid"] = MESSAGES["invalid"].format(label=label)
    base.update(extra)
    return base


def _meta(label: str, widget: str, show_if: Mapping[str, list[Any]] | None, help: str | None, **more):
    meta = {"label": label, "widget": widget, **more}
    if show_if:
        meta["show_if"] = dict(show_if)
        meta.setdefault("required_when_shown", True)
    if help:
        meta["help"] = help
    return meta


def normalised(rule: Callable[[str], str]) -> Callable[[str], str]:
    """Turn a validators.* rule (normalise or raise InvalidValue) into a marshmallow deserializer."""

    def apply(value: str) -> str:
        try:
            return rule(value)
        except InvalidValue as exc:
            raise ValidationError(exc.message) from None

    return apply


class Normalised(fields.String):
    """A text field whose value is normalised by a domain rule (a name, a CCCD, a phone number)."""

    def __init__(self, rule: Callable[[str], str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.rule = normalised(rule)

    def _deserialize(self, value, attr, data, **kwargs):
        return self.rule(super()._deserialize(value, attr, data, **kwargs).strip())


def text(label, *, required=True, max_length=200, show_if=None, help=None, rule=None, widget="text"):
    field_class = (lambda **kw: Normalised(rule, **kw)) if rule else fields.String
    return field_class(
        required=required and not show_if,
        validate=validate.Length(max=max_length, error=f"{label} dài tối đa {max_length} ký tự."),
        error_messages=_messages(label),
        metadata=_meta(label, widget, show_if, help, required_when_shown=required),
    )


def choice(label, choices: Mapping[str, str], *, required=True, show_if=None, help=None, widget="select"):
    return fields.String(
        required=required and not show_if,
        validate=validate.OneOf(
            list(choices), error=f"Vui lòng chọn {label[0].lower() + label[1:]} trong danh sách."
        ),
        error_messages=_messages(label),
        metadata=_meta(label, widget, show_if, help, choices=dict(choices), required_when_shown=required),
    )


def picked(label, choices: Mapping[str, str], *, rule, required=True, show_if=None, help=None, max_length=40):
    """A list to pick from whose value may also be typed by an API caller or a roll as a name or an older
    code: ``rule`` turns any of them into the list's code (banks by name, not typed as codes)."""
    return Normalised(
        rule,
        required=required and not show_if,
        validate=validate.Length(max=max_length, error=f"{label} dài tối đa {max_length} ký tự."),
        error_messages=_messages(label),
        metadata=_meta(label, "select", show_if, help, choices=dict(choices), required_when_shown=required),
    )


def day(label, *, required=True, show_if=None, help=None, not_after_today=True):
    validators = [_not_in_future(label)] if not_after_today else []
    return fields.Date(
        required=required and not show_if,
        validate=validators,
        error_messages=_messages(label, invalid=f"{label} không đúng định dạng ngày (dd/mm/yyyy)."),
        metadata=_meta(label, "date", show_if, help, required_when_shown=required),
    )


def flag(label, *, required=False, show_if=None, help=None, load_default=False):
    return fields.Boolean(
        required=required,
        load_default=load_default,
        error_messages=_messages(label, invalid=f"{label}: chỉ chọn có hoặc không."),
        metadata=_meta(label, "checkbox", show_if, help),
    )


def _not_in_future(label: str):
    def check(value: date) -> None:
        if value > date.today():
            raise ValidationError(f"{label} không được sau ngày hôm nay.")

    return check


class Missing(str):
    """A "please enter" message from ``require_when``. A schema validator sees a field that failed its own
    check as absent, so ``load_form`` drops this message for a field that was given: the person sees
    why their value is wrong, not a request to type what they typed."""


def require_when(data: Mapping[str, Any], field_name: str, label: str, condition: bool, errors: dict) -> None:
    """For conditional fields: required only when ``condition`` holds (their ``show_if``)."""
    if condition and data.get(field_name) in (None, ""):
        errors.setdefault(field_name, []).append(Missing(REQUIRED.format(label=label[0].lower() + label[1:])))
