"""The payout cycle's part of the task page: the form beside the cycle and its figures; a step is
checked against the cycle's books (``service.submit``)."""

from __future__ import annotations

from engine import EngineContext
from engine.steps import StepResult
from engine.views import TaskView

from ..tasks.registry import TaskPageParts, task_page
from .common import PROCESS
from .service import submit
from .views import get_cycle


def _beside(ctx: EngineContext, task: TaskView, roles: tuple[str, ...], viewer: str):
    return get_cycle(ctx, key=task.business_key)


def _submit(ctx: EngineContext, task: TaskView, raw, user, expected_version) -> StepResult:
    return submit(ctx, task.id, raw, user=user, expected_version=expected_version).step


task_page(PROCESS, TaskPageParts(kind="payout", beside=_beside, submit=_submit))
