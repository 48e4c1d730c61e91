"""The task face of the product: what a person (through a page, the API or the CLI) does with a task.
Per-process parts of a task page are registered in ``registry`` by the process packages."""

from .handoff import Handoff, Said
from .registry import TaskPageParts, task_page
from .routing import Routed, route
from .service import (
    Submission,
    TaskHeld,
    TaskPage,
    Viewer,
    claim_task,
    extend_due,
    open_task,
    submit_task,
)
from .supervision import NoSuchOfficer, Oversight, assign_task, officers_for_moves, oversee, unclaim_task

__all__ = [
    "NoSuchOfficer",
    "Handoff",
    "Oversight",
    "Routed",
    "Said",
    "Submission",
    "TaskHeld",
    "TaskPage",
    "TaskPageParts",
    "Viewer",
    "assign_task",
    "claim_task",
    "extend_due",
    "officers_for_moves",
    "open_task",
    "oversee",
    "route",
    "submit_task",
    "task_page",
    "unclaim_task",
]
