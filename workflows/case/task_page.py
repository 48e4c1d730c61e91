"""The beneficiary case's part of the task page: the form beside the case's record; the record's values
pre-fill the registration; a step's form passes the step's record checks before its task completes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.steps import StepResult
from engine.views import TaskView

from ..beneficiaries.records import get_record
from ..forms import CHECKS, FormInvalid, load_form
from ..tasks.registry import TaskPageParts, task_page
from .prefill import PREFILLED_FORMS, record_values
from .service import PROCESS
from .summary import case_summary


def _beside(ctx: EngineContext, task: TaskView, roles: tuple[str, ...], viewer: str):
    return case_summary(ctx, task.business_key, roles, viewer, task.instance_id)


def _prefill(session: Session, task: TaskView) -> dict[str, Any]:
    return record_values(session, task.business_key) if task.form_key in PREFILLED_FORMS else {}


def _submit(ctx: EngineContext, task: TaskView, raw, user, expected_version) -> StepResult:
    data = load_form(task.form_key, raw)
    check = CHECKS.get(task.form_key)

    def refuse(session: Session) -> None:
        """The step's record checks, in the read that loads the case for the step."""
        problems = check(session, get_record(session, task.business_key), data)
        if problems:
            raise FormInvalid(problems)

    return engine.complete_task(
        ctx, task.id, data, user=user, expected_version=expected_version, check=refuse if check else None
    )


task_page(PROCESS, TaskPageParts(kind="case", beside=_beside, submit=_submit, prefill=_prefill))
