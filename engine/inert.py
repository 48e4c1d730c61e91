"""Which engine steps run no process code, so that a step may carry on through them under the write lock.

A service task's handler runs under the write lock (it writes with the step). What follows it used to be
written, then rehearsed and written again in a second transaction, so that no script ran under the lock.
Most often what follows evaluates nothing: a gateway with one unconditioned flow, and the next user task
becomes ready. Such steps now run on under the lock, and the step is written once. The first step that
would run process code — a script, a condition, a DMN table, a service task's parameters, a pre- or
post-script, a timer or message expression that is not a constant, a loop, a subprocess's start — stops
the step there, as before, and the rest is rehearsed and written afterwards.

``inert`` decides from the task's spec alone (what running it evaluates, and what making its next tasks
ready evaluates), listing what is known to evaluate nothing rather than what is known not to. While the
steps run, ``constants_only`` makes the script engine refuse any expression that is not a constant: if a
spec listed here ever evaluated process code, the step fails whole (nothing is written) instead of
running it under the lock.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import (
    BoundaryEventMixin,
    ExclusiveGatewayMixin,
    IntermediateCatchEventMixin,
    IntermediateThrowEventMixin,
    ManualTaskMixin,
    NoneTaskMixin,
    ParallelGatewayMixin,
    ScriptTaskMixin,
    ServiceTaskMixin,
    UserTaskMixin,
)
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin

from .errors import CodeUnderLock

# Specs whose run evaluates nothing (with no pre- or post-script, and, for a gateway, no condition).
_RUN_INERT = (
    ExclusiveGatewayMixin,
    ParallelGatewayMixin,
    NoneTaskMixin,
    BoundaryEventSplit,
    BoundaryEventJoin,
)
# Specs that evaluate nothing when they become ready or start waiting (with no pre-script); a catch event
# only with a constant timer.
_READY_INERT = (
    *_RUN_INERT,
    UserTaskMixin,
    ManualTaskMixin,
    ScriptTaskMixin,
    ServiceTaskMixin,
    BusinessRuleTaskMixin,
)
_CATCHES = (IntermediateCatchEventMixin, BoundaryEventMixin)


def inert(task) -> bool:
    """Whether running ``task`` and readying the tasks after it evaluate no process code."""
    return _inert_spec(task.task_spec)


@lru_cache(maxsize=4096)
def _inert_spec(spec) -> bool:
    if not _runs_inert(spec):
        return False
    return all(_readies_inert(output) for output in spec.outputs)


def _runs_inert(spec) -> bool:
    if isinstance(spec, IntermediateThrowEventMixin):
        return isinstance(spec.event_definition, NoneEventDefinition) and _no_scripts(spec)
    if not isinstance(spec, _RUN_INERT) or not _no_scripts(spec):
        return False
    return all(condition is None for condition, _ in getattr(spec, "cond_task_specs", ()))


def _readies_inert(spec) -> bool:
    if getattr(spec, "prescript", None) is not None:
        return False
    if isinstance(spec, _CATCHES):
        definition = spec.event_definition
        return isinstance(definition, TimerEventDefinition) and _constant(definition.expression)
    return isinstance(spec, _READY_INERT)


def _no_scripts(spec) -> bool:
    return getattr(spec, "prescript", None) is None and getattr(spec, "postscript", None) is None


@lru_cache(maxsize=4096)
def _constant(expression: str) -> bool:
    try:
        ast.literal_eval(expression.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


class _ConstantsOnly(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        if not _constant(expression):
            raise CodeUnderLock(f"the expression {expression!r} would have run under the write lock")
        return ast.literal_eval(expression.strip())

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        raise CodeUnderLock("a script would have run under the write lock")


@contextmanager
def constants_only(script_engine) -> Iterator[None]:
    """While inert steps run under the lock: the script engine evaluates constants and nothing else."""
    environment, script_engine.environment = script_engine.environment, _ConstantsOnly()
    try:
        yield
    finally:
        script_engine.environment = environment
