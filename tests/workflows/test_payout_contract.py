"""What bpmn/monthly_payout.bpmn promises: every user task has a form, a due rule the deadlines understand
and a lane that is a role; every service operator has a handler; every name a condition reads is set
when the cycle starts (a condition reading a missing name fails only when reached)."""

from __future__ import annotations

import ast

import pytest
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from tests.conftest import ROOT
from workflows import payouts  # noqa: F401  (registers forms and handlers)
from workflows.deadlines import check_due_rule
from workflows.forms import FORMS
from workflows.org import ROLES
from workflows.services import registry

PAYOUT_ROLES = {"district_labour", "treasury", "provider", "district_pc"}


@pytest.fixture(scope="module")
def spec():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(ROOT / "bpmn" / "monthly_payout.bpmn")])
    return parser.get_spec("monthly_payout")


def _user_tasks(spec):
    return [t for t in spec.task_specs.values() if isinstance(t, UserTask)]


def test_every_user_task_has_a_form_a_due_rule_and_a_payout_role(spec):
    tasks = _user_tasks(spec)
    assert len(tasks) == 7
    for task in tasks:
        properties = task.extensions.get("properties", {})
        assert properties.get("formKey") in FORMS, task.bpmn_id
        check_due_rule(properties["due"])
        assert task.lane in PAYOUT_ROLES, (task.bpmn_id, task.lane)
    assert set(ROLES) >= PAYOUT_ROLES


def test_the_lanes_are_the_ones_the_plan_gives(spec):
    assert {t.bpmn_id: t.lane for t in _user_tasks(spec)} == {
        "approve_list": "district_labour",
        "confirm_transfer": "treasury",
        "pay": "provider",
        "pay_fallback_cash": "provider",
        "reconcile": "district_labour",
        "report_provider": "provider",
        "report_district_pc": "district_pc",
    }
    due = {t.bpmn_id: t.extensions["properties"]["due"] for t in _user_tasks(spec)}
    assert due["report_provider"] == due["report_district_pc"] == "before-day:12 month=month"


def test_every_service_operator_has_a_handler(spec):
    operators = {t.operation_name for t in spec.task_specs.values() if hasattr(t, "operation_name")}
    assert operators == {
        "payout.generate_list", "payout.freeze_list", "payout.record_transfer", "payout.close_payments",
        "payout.close_fallback", "payout.close_books", "payout.record_report", "payout.close_cycle",
    }  # fmt: skip
    assert operators <= set(registry)


def test_every_name_a_condition_reads_is_set_at_the_start(spec):
    init = ast.parse(spec.task_specs["init"].script)
    assigned = {target.id for node in init.body for target in node.targets}
    read = set()
    for task in spec.task_specs.values():
        for condition, _ in getattr(task, "cond_task_specs", []):
            text = condition.args[0] if condition is not None else None  # the flow's expression
            if text:
                read |= {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}
    assert read and read <= assigned, read - assigned
