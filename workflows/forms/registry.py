"""Form schemas by form key, and loading raw input through them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from .fields import Missing

FORMS: dict[str, type[Schema]] = {}
# Checks that need the record or the database: (session, record, data) -> {field: [messages]}
CHECKS: dict[str, Callable[..., dict[str, list[str]]]] = {}


class FormInvalid(Exception):
    """Field-level errors ({field: [message, ...]}, Vietnamese); ``_schema`` for form-wide ones."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {key: list(messages) for key, messages in errors.items()}
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in self.errors.items()))


def form(key: str) -> Callable[[type[Schema]], type[Schema]]:
    def register(schema: type[Schema]) -> type[Schema]:
        if key in FORMS:
            raise ValueError(f"form {key!r} is defined twice")
        schema.Meta.unknown = EXCLUDE
        schema.form_key = key
        FORMS[key] = schema
        return schema

    return register


def form_check(key: str) -> Callable:
    def register(check: Callable[..., dict[str, list[str]]]) -> Callable:
        CHECKS[key] = check
        return check

    return register


@cache
def form_schema(key: str) -> Schema:
    """The form's schema, built once per process: building one copies every declared field (and the
    registration's category list), and a marshmallow schema is reusable for any number of loads."""
    try:
        return FORMS[key]()
    except KeyError:
        raise KeyError(f"no form is defined for form key {key!r}") from None


def load_form(key: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``raw`` with the form's schema; the result is plain JSON-ready data for the task."""
    schema = form_schema(key)
    given = _blank_to_missing(raw)
    try:
        loaded = schema.load(given)
    except ValidationError as exc:
        raise FormInvalid(_flatten(_without_echoes(exc.messages, given))) from None
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in loaded.items()}


def _blank_to_missing(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An empty text box means 'not given', as people expect, not an empty value."""
    return {k: v for k, v in raw.items() if not (isinstance(v, str) and not v.strip())}


def _without_echoes(messages, given: Mapping[str, Any]):
    """Drop ``require_when``'s "please enter" for fields that were given (and failed their own check)."""
    if not isinstance(messages, dict):
        return messages
    kept = {}
    for name, value in messages.items():
        if name in given and isinstance(value, list):
            value = [m for m in value if not isinstance(m, Missing)]
        if value:
            kept[name] = value
    return kept


def _flatten(messages) -> dict[str, list[str]]:
    if isinstance(messages, list):
        return {"_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            for inner, msgs in _flatten(value).items():
                flat[f"{key}.{inner}"] = msgs
        else:
            flat[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return flat


@dataclass(frozen=True)
class FieldSpec:
    """What a page needs to draw one field of a form."""

    name: str
    label: str
    widget: str
    required: bool
    choices: dict[str, str]
    show_if: dict[str, list[Any]]
    help: str | None
    groups: dict[str, list[str]] = dataclasses.field(
        default_factory=dict
    )  # a list in sections: heading → its codes


def describe(key: str) -> list[FieldSpec]:
    schema = form_schema(key)
    return [
        FieldSpec(
            name=name,
            label=field.metadata.get("label", name),
            widget=field.metadata.get("widget", "text"),
            required=field.required
            or bool(field.metadata.get("show_if") and field.metadata["required_when_shown"]),
            choices=dict(field.metadata.get("choices", {})),
            show_if=dict(field.metadata.get("show_if", {})),
            help=field.metadata.get("help"),
            groups={heading: list(codes) for heading, codes in field.metadata.get("groups", {}).items()},
        )
        for name, field in schema.fields.items()
    ]


@cache
def boolean_fields(key: str) -> frozenset[str]:
    """Checkbox fields: an unticked box is absent from a browser's post and means False."""
    return frozenset(
        name for name, field in form_schema(key).fields.items() if isinstance(field, fields.Boolean)
    )
