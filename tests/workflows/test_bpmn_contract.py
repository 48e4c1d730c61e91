"""What bpmn/ promises the rest of the product: every user task has a form and a lane that is a role,
and every service operator it names has a handler. A modeller's slip shows up here first."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from tests.conftest import ROOT
from workflows import case, dashboard  # noqa: F401  (registers forms and handlers)
from workflows.forms import FORMS
from workflows.org import ROLES
from workflows.services import registry

CASE_ROLES = {"commune", "district_labour", "police", "provider"}


@pytest.fixture(scope="module")
def specs():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(p) for p in (ROOT / "bpmn").glob("*.bpmn")])
    parser.add_dmn_files([str(p) for p in (ROOT / "bpmn").glob("*.dmn")])
    spec = parser.get_spec("beneficiary_case")
    return [spec, *parser.get_subprocess_specs("beneficiary_case").values()]


def _user_tasks(specs):
    return [t for spec in specs for t in spec.task_specs.values() if isinstance(t, UserTask)]


def test_every_user_task_has_a_form_a_due_rule_and_a_case_role(specs):
    tasks = _user_tasks(specs)
    assert len(tasks) == 9
    for task in tasks:
        properties = task.extensions.get("properties", {})
        assert properties.get("formKey") in FORMS, task.bpmn_id
        assert properties.get("due"), task.bpmn_id
        assert task.lane in CASE_ROLES, (task.bpmn_id, task.lane)
    assert set(ROLES) >= CASE_ROLES


def test_the_lanes_are_the_ones_the_plan_gives(specs):
    lanes = {t.bpmn_id: t.lane for t in _user_tasks(specs)}
    assert lanes == {
        "outreach": "commune",
        "register": "commune",
        "offer_cashless": "commune",
        "review": "district_labour",
        "issue_cccd": "police",
        "police_check": "police",
        "open_account": "provider",
        "issue_card": "provider",
        "repair_account": "provider",
    }


def test_every_service_operator_has_a_handler(specs):
    operators = {
        t.operation_name for spec in specs for t in spec.task_specs.values() if hasattr(t, "operation_name")
    }
    assert operators and operators <= set(registry)


def test_the_province_year_has_forms_due_rules_the_department_and_handlers():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(ROOT / "bpmn" / "province_year.bpmn")])
    spec = parser.get_spec("province_year")
    tasks = [t for t in spec.task_specs.values() if isinstance(t, UserTask)]
    assert {t.bpmn_id for t in tasks} == {
        "set_targets", "prepare_one_year", "approve_one_year", "prepare_annual", "approve_annual",
    }  # fmt: skip
    for task in tasks:
        properties = task.extensions.get("properties", {})
        assert properties.get("formKey") in FORMS, task.bpmn_id
        assert properties.get("due"), task.bpmn_id
        assert task.lane == "dolisa", task.bpmn_id
    operators = {t.operation_name for t in spec.task_specs.values() if hasattr(t, "operation_name")}
    assert operators == {
        "province_year.check_targets",
        "province_year.attach_figures",
        "province_year.record_sent",
    }
    assert operators <= set(registry)
