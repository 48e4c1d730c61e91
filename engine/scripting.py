"""SpiffWorkflow's script engine, rebuilt on the restricted evaluator and our service registry.

SpiffWorkflow evaluates conditions, timers, DMN cells and scripts with ``eval``/``exec`` and full
builtins; every path here goes through ``engine.expressions`` instead. The script engine is not
serialized with a workflow, so the engine sets it again after every load.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import Connection

from . import expressions
from .errors import CodeUnderLock, ServiceError
from .services import ServiceCall, ServiceRegistry


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        names = {**external_context, **context} if external_context else context
        return expressions.evaluate(expression, names)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        expressions.execute(script, context)
        return True


class NeedsWriteLock(Exception):
    """A service task was reached while the step ran outside the write lock: run it again inside."""


def _check_cardinality(value: Any) -> None:
    """A multi-instance task makes one task per instance, all at once: bound how many."""
    if isinstance(value, int) and value > expressions.MAX_INSTANCES:
        raise expressions.OverBudget.single(
            f"loopCardinality {value:,} is more than {expressions.MAX_INSTANCES:,} instances"
        )


class SafeScriptEngine(PythonScriptEngine):
    """One per loaded workflow: it knows which instance it serves, for the service handlers."""

    def __init__(
        self,
        services: ServiceRegistry,
        instance_id: int | None = None,
        business_key: str | None = None,
        area_code: str | None = None,
        clock: Callable[[], datetime] | None = None,
        db: Connection | None = None,
    ) -> None:
        super().__init__(environment=RestrictedEnvironment())
        self.services = services
        self.instance_id = instance_id
        self.business_key = business_key
        self.area_code = area_code
        self.clock = clock
        self.db = db
        self.offline = False  # rehearsing a step outside the write lock: services must wait for it

    def evaluate(self, task, expression: str, external_context: dict | None = None) -> Any:
        # The library's message drops the cause ("Error evaluating expression 'x'"); keep it.
        try:
            value = self.environment.evaluate(expression, task.data, external_context)
            if expression == getattr(task.task_spec, "cardinality", None):
                _check_cardinality(value)
            return value
        except (SpiffWorkflowException, CodeUnderLock):
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"error in expression {expression!r}: {exc}", task=task, exception=exc
            ) from exc

    def execute(self, task, script: str, external_context: dict | None = None) -> Any:
        try:
            return super().execute(task, script, external_context)
        except WorkflowTaskException as exc:  # the library wraps every error; this one must stop the step
            if isinstance(exc.__context__, CodeUnderLock):
                raise exc.__context__ from None
            raise

    def call_service(self, task, operation_name: str, operation_params: dict, **_: Any) -> str:
        # SpiffWorkflow 3.2's own call_service hides the real error behind a NameError; report it.
        if self.offline:  # the rehearsal stops before service tasks (engine.steps): never reached
            raise NeedsWriteLock(operation_name)
        handler = self.services.get(operation_name)
        if handler is None:
            raise WorkflowTaskException(f"no service handler named {operation_name!r}", task=task)
        call = ServiceCall(
            operation=operation_name,
            params={name: p["value"] for name, p in operation_params.items()},
            instance_id=self.instance_id,
            business_key=self.business_key,
            area_code=self.area_code,
            data=dict(task.data),
            at=self.clock() if self.clock else None,
            db=self.db,
        )
        try:
            result = handler(call)
        except Exception as exc:
            error = ServiceError(f"service {operation_name!r} failed: {exc}")
            raise WorkflowTaskException(str(error), task=task, exception=exc) from exc
        return json.dumps(result, default=str)
