"""The per-process parts of a task page, registered by process key the way forms and service handlers
are registered: what the form is shown beside, what it starts with, and how a step's form is checked
before its task completes. The task face looks them up; nothing else branches on a process key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine import EngineContext
from engine.steps import StepResult
from engine.views import TaskView

# (ctx, task, roles, viewer) -> plain data shown beside the form
Beside = Callable[[EngineContext, TaskView, tuple[str, ...], str], Any]
# (session, task) -> {field: value}: what the form starts with, beyond the case's data
Prefill = Callable[[Session, TaskView], dict[str, Any]]
# (ctx, task, raw, user, expected_version) -> the step: validates (FormInvalid), then completes
Submit = Callable[[EngineContext, TaskView, dict[str, Any], str | None, int | None], StepResult]


@dataclass(frozen=True)
class TaskPageParts:
    kind: str  # what is beside the form ("case", "payout", "year"): the page picks its template by it
    beside: Beside
    submit: Submit
    prefill: Prefill | None = None


PAGES: dict[str, TaskPageParts] = {}


def task_page(process_key: str, parts: TaskPageParts) -> None:
    if process_key in PAGES:
        raise ValueError(f"the task page of process {process_key!r} is registered twice")
    PAGES[process_key] = parts


def parts_for(process_key: str) -> TaskPageParts | None:
    return PAGES.get(process_key)
