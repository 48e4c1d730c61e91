"""One marshmallow schema per user task, found by the task's ``formKey``.

A schema renders the form (labels, choices, when a field shows: its fields' metadata), validates what
the browser or the API sends, and produces field-level errors in Vietnamese. Checks that need the
beneficiary record or the database (a CCCD already on another open case) are the step's own and run
after the schema (see ``workflows.tasks.submit_task``).
"""

from __future__ import annotations

from .registry import (
    CHECKS,
    FORMS,
    FieldSpec,
    FormInvalid,
    boolean_fields,
    describe,
    form,
    form_check,
    form_schema,
    load_form,
)

__all__ = [
    "CHECKS",
    "FORMS",
    "FieldSpec",
    "FormInvalid",
    "boolean_fields",
    "describe",
    "form",
    "form_check",
    "form_schema",
    "load_form",
]
