"""The BPMN engine around SpiffWorkflow: deployments, instances, tasks, timers, messages, history.

Its face is a handful of verb-first functions that take an ``EngineContext`` (built by ``bootstrap``),
ids and plain data, and return ids or small dataclasses. It knows nothing of beneficiaries or Flask.
"""

from .bootstrap import bootstrap
from .bpmn_files import rename_lanes
from .context import EngineContext
from .deadlines import extend_due
from .deployments import (
    deploy,
    deploy_paths,
    instance_source,
    list_processes,
    step_forms,
    step_names,
    steps_by_role,
)
from .history import instance_history
from .instances import (
    get_instance,
    instance_data,
    move_area,
    read_instance_data,
    retry_incident,
    start_instance,
)
from .messages import deliver_message
from .tasks import (
    assign_task,
    claim_task,
    complete_task,
    get_task,
    list_tasks,
    read_task,
    task_from_row,
    task_query,
    unclaim_task,
)
from .timers import fire_due_timers
from .waits import Wait, instance_waits

__all__ = [
    "EngineContext",
    "Wait",
    "assign_task",
    "bootstrap",
    "claim_task",
    "complete_task",
    "deliver_message",
    "deploy",
    "deploy_paths",
    "extend_due",
    "fire_due_timers",
    "get_instance",
    "get_task",
    "instance_data",
    "instance_history",
    "instance_waits",
    "instance_source",
    "list_processes",
    "list_tasks",
    "read_instance_data",
    "read_task",
    "task_from_row",
    "task_query",
    "retry_incident",
    "move_area",
    "rename_lanes",
    "start_instance",
    "step_forms",
    "step_names",
    "steps_by_role",
    "unclaim_task",
]
