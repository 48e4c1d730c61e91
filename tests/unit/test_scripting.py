"""The restricted script engine inside SpiffWorkflow: what an uploaded model could try at run time.

These run the library directly (no deployer in front), so the refusal is the script engine's own.
"""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.scripting import SafeScriptEngine
from engine.services import ServiceRegistry
from tests.conftest import FIXTURES


def _workflow(name: str, process: str) -> BpmnWorkflow:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(FIXTURES / name)])
    return BpmnWorkflow(
        parser.get_spec(process),
        parser.get_subprocess_specs(process),
        script_engine=SafeScriptEngine(ServiceRegistry()),
    )


def test_import_in_a_script_task_is_refused_at_run_time():
    workflow = _workflow("unsafe_script.bpmn", "unsafe_script")
    with pytest.raises(Exception, match="import is not allowed"):
        workflow.do_engine_steps()
    assert not workflow.is_completed()
    assert [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.ERROR)] == ["evil_script"]


def test_dunder_import_in_a_gateway_condition_is_refused_at_run_time():
    workflow = _workflow("unsafe_condition.bpmn", "unsafe_condition")
    with pytest.raises(Exception, match="not allowed"):
        workflow.do_engine_steps()
    assert not workflow.is_completed()


@pytest.mark.parametrize(
    "expression",
    ["open('/etc/passwd').read()", "().__class__.__base__.__subclasses__()", "10**10**8", "__import__('os')"],
)
def test_escapes_are_refused_by_the_script_engine(expression):
    workflow = _workflow("unsafe_condition.bpmn", "unsafe_condition")
    task = workflow.get_tasks(state=TaskState.READY)[0]
    with pytest.raises(Exception, match="not allowed|too large"):
        workflow.script_engine.evaluate(task, expression)


def test_ordinary_expressions_work_on_task_data():
    workflow = _workflow("unsafe_condition.bpmn", "unsafe_condition")
    task = workflow.get_tasks(state=TaskState.READY)[0]
    task.data.update({"amount": 150, "lines": [{"qty": 2}], "status": "ok"})
    engine = workflow.script_engine
    assert engine.evaluate(task, "amount * 2 + lines[0]['qty']") == 302
    assert engine.evaluate(task, "100 < amount <= 300 and status == 'ok'") is True
    engine.execute(task, "total = amount * 2\nif total > 200:\n    level = 'high'")
    assert (task.data["total"], task.data["level"]) == (300, "high")


def test_a_failing_service_handler_reports_its_own_error():
    registry = ServiceRegistry()

    @registry.handler("boom")
    def boom(call):
        raise ValueError("bank gateway unreachable")

    engine = SafeScriptEngine(registry, business_key="BK-1")
    workflow = _workflow("unsafe_condition.bpmn", "unsafe_condition")
    task = workflow.get_tasks(state=TaskState.READY)[0]
    with pytest.raises(Exception, match="bank gateway unreachable"):
        engine.call_service(task, operation_name="boom", operation_params={})
    with pytest.raises(Exception, match="no service handler named 'missing'"):
        engine.call_service(task, operation_name="missing", operation_params={})


def test_registering_an_operator_twice_is_an_error():
    registry = ServiceRegistry()
    registry.handler("echo")(lambda call: call.params)
    with pytest.raises(ValueError, match="registered twice"):
        registry.handler("echo")(lambda call: call.params)
