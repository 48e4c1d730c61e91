"""Running a step before the write lock: the BPMN work (scripts, conditions, timers, a service task's
parameters) runs in memory within its budget, then ``write`` takes the lock only to run a service handler
(which writes with the step), the steps after it that run no process code (``engine.inert``), and to save
under the version check; ``settle`` rehearses and writes what follows from the first step that runs
process code. So a runaway script, wherever it sits, never holds the lock other writers wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from sqlalchemy import Connection

from . import history
from .context import EngineContext
from .errors import Conflict, EngineError
from .inert import constants_only, inert
from .steps import Loaded, StepResult, run_budgeted, save


class _Pause(Exception):
    """Raised before a task the rehearsal must not run: a service task, whose handler writes."""


@dataclass(frozen=True)
class Rehearsal:
    """A step run in memory, before any write lock: the model error to raise an incident for (or None),
    and the service task it stopped before (its handler runs under the lock, see ``write``)."""

    failure: Exception | None
    service_task: object | None = None


def rehearse(
    ctx: EngineContext, loaded: Loaded, act: Callable[[BpmnWorkflow], None] | None = None
) -> Rehearsal:
    """Run a step in memory before any write lock is taken: scripts, conditions, timers and a service
    task's parameters run here, within their budget, for ``write`` to store afterwards under the lock with
    the version check. It stops before a service task, whose handler writes in the step's transaction."""
    engine, stopped = loaded.workflow.script_engine, None

    def stop_at_service(task) -> None:
        nonlocal stopped
        if isinstance(task.task_spec, ServiceTask):
            _check_parameters(task)
            stopped = task
            raise _Pause

    def work() -> None:
        if act is not None:
            act(loaded.workflow)
        loaded.workflow.do_engine_steps(will_complete_task=stop_at_service)

    engine.offline = True
    try:
        failure = run_budgeted(ctx, work)
    finally:
        engine.offline = False
    if isinstance(failure, _Pause):
        return Rehearsal(None, stopped)
    return Rehearsal(failure)


def _check_parameters(task) -> None:
    """A service task's parameters, evaluated in the rehearsal's budget (a runaway one never reaches the
    lock); a failure marks the task failed, as the library does when a task fails to run."""
    evaluate = getattr(task.task_spec, "evaluate_params", None)
    try:
        if evaluate is not None:
            evaluate(task)
    except EngineError:
        raise
    except Exception:
        task.error()
        raise


def write(
    ctx: EngineContext,
    conn: Connection,
    loaded: Loaded,
    rehearsal: Rehearsal,
    finished_task_id: str | None = None,
) -> StepResult:
    """Store a rehearsed step under the caller's write lock. A step that stopped before a service task
    runs that task's handler here (it writes in this transaction), and after it only steps that run no
    process code: from the first that does, the step is rehearsed and written afterwards by ``settle``,
    so no script runs while the lock is held."""
    loaded.workflow.script_engine.db = conn
    failure, loaded.pending = rehearsal.failure, False
    if rehearsal.service_task is not None:
        with history.gathered(conn, loaded.history):
            failure = run_budgeted(ctx, partial(_serve, loaded.workflow, rehearsal.service_task))
        loaded.pending = isinstance(failure, _Pause)
        if loaded.pending:
            failure = None
    return save(ctx, conn, loaded, ctx.now(), failure, finished_task_id)


def _serve(workflow: BpmnWorkflow, service_task) -> None:
    """Run the service task, then carry on under the lock through the steps after it that run no process
    code (``engine.inert``); raise _Pause before the first that does, for ``settle``."""

    def stop_unless_inert(task) -> None:
        if not inert(task):
            raise _Pause

    service_task.run()
    with constants_only(workflow.script_engine):
        # do_engine_steps without its last act, refresh_timers: a timer firing could ready steps beyond the
        # ones checked here; a due timer is the timer sweep's, which rehearses it like every step.
        while workflow._do_engine_steps(will_complete_task=stop_unless_inert):
            pass


def settle(ctx: EngineContext, loaded: Loaded, result: StepResult) -> StepResult:
    """The rest of a step that ran a service task: rehearsed, then written, until it waits again. If
    another process moved the instance meanwhile (the timer sweep resuming it), it carried on from there."""
    while loaded.pending:
        rehearsal = rehearse(ctx, loaded)
        try:
            with ctx.db.transaction() as conn:
                result = write(ctx, conn, loaded, rehearsal)
        except Conflict:
            break
    return result
