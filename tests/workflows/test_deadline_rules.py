"""What the deadlines rely on elsewhere: every ``due`` in bpmn/ is a rule they understand, and the sweep's
set-based routing names the same agencies as ``resolve_agency`` for every role and programme in every
commune."""

from __future__ import annotations

from datetime import date

import pytest
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import select

from engine.errors import NotFound
from tests.conftest import ROOT
from workflows.deadlines import check_due_rule
from workflows.deadlines.chains import AgencyChains
from workflows.org import ROLES, Agency, Area, resolve_agency
from workflows.programmes import PROGRAMMES


def test_every_due_rule_in_the_bpmn_is_understood():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(p) for p in (ROOT / "bpmn").glob("*.bpmn")])
    parser.add_dmn_files([str(p) for p in (ROOT / "bpmn").glob("*.dmn")])
    rules = {}
    for process in parser.get_process_ids():
        for spec in [parser.get_spec(process), *parser.get_subprocess_specs(process).values()]:
            for task in spec.task_specs.values():
                due = isinstance(task, UserTask) and task.extensions.get("properties", {}).get("due")
                if due:
                    rules[task.bpmn_id] = due
    assert rules
    for rule in rules.values():
        check_due_rule(rule)  # raises ValueError, naming the rule, if not


@pytest.mark.parametrize("on", [date(2024, 6, 1), date(2025, 6, 30), date(2025, 7, 1)])  # the last: nobody
def test_the_sweeps_routing_agrees_with_resolve_agency(province, on):
    ctx = province.fresh()
    with ctx.db.read() as session:
        communes = session.scalars(select(Area.code).where(Area.level == "commune")).all()
        needs = [(role, area, p) for role in ROLES for area in communes for p in PROGRAMMES]
        chains = AgencyChains(on)
        chains.prepare(session, needs)
        for role, area, programme in needs:
            chain = chains.chain(role, area, programme)
            try:
                expected = resolve_agency(session, role, area, on, programme).code
            except NotFound:
                expected = None
            assert (chain[0] if chain else None) == expected, (role, area, programme)
            for below, above in zip(chain, chain[1:], strict=False):
                assert session.get(Agency, below).supervisor_code == above
            if chain:
                assert session.get(Agency, chain[-1]).supervisor_code is None
