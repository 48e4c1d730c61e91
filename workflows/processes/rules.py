"""What An Sinh itself needs of a diagram, beyond what the engine refuses: the same rules the modeler's
bpmnlint plugin (web/frontend/lint-rules.js) marks while drawing, checked again on the server at deploy.

- every user task sits in a lane named after a role, and names a known form; its ``due`` rule parses;
- an exclusive gateway with several outgoing flows has a default flow or a condition on each of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from lxml import etree

from engine.bpmn_files import BPMN_NS, SPIFF_NS
from engine.errors import Problem

from ..deadlines.rules import check_due_rule

_HUMAN = ("userTask", "manualTask")


def _q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def rule_problems(
    name: str, tree: etree._Element, roles: Collection[str], forms: Collection[str]
) -> list[Problem]:
    """Every rule broken in one BPMN document, each with its element and line."""
    problems = []
    lanes = _lanes(tree)
    for node, message in [*_human_tasks(tree, lanes, roles, forms), *_gateways(tree)]:
        problems.append(Problem(message, file=name, element=node.get("id"), line=node.sourceline))
    return problems


def _lanes(tree: etree._Element) -> dict[str, str]:
    """node id → the name of the lane that holds it."""
    found = {}
    for lane in tree.iter(_q("lane")):
        for ref in lane.findall(_q("flowNodeRef")):
            found[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    return found


def _lane_of(node: etree._Element, lanes: dict[str, str]) -> str | None:
    while node is not None and etree.QName(node).localname != "process":
        if node.get("id") in lanes:
            return lanes[node.get("id")]
        node = node.getparent()
    return None


def _properties(node: etree._Element) -> dict[str, str]:
    return {
        p.get("name"): (p.get("value") or "").strip()
        for p in node.iter(f"{{{SPIFF_NS}}}property")
        if p.get("name")
    }


def _human_tasks(tree, lanes, roles, forms) -> Iterable[tuple[etree._Element, str]]:
    known_roles, known_forms = ", ".join(sorted(roles)), ", ".join(sorted(forms))
    for tag in _HUMAN:
        for node in tree.iter(_q(tag)):
            lane = _lane_of(node, lanes)
            if lane is None:
                yield (
                    node,
                    f"the user task is in no lane: put it in the lane of its role ({known_roles})",
                )
            elif lane not in roles:
                yield node, f"the lane {lane!r} is not a role: name the lane one of {known_roles}"
            properties = _properties(node)
            form = properties.get("formKey")
            if not form:
                yield node, f"the user task has no form: set its formKey to one of {known_forms}"
            elif form not in forms:
                yield node, f"the form {form!r} does not exist: choose one of {known_forms}"
            due = properties.get("due")
            if due:
                try:
                    check_due_rule(due)
                except ValueError as exc:
                    yield node, f"the due rule: {exc}"


def _gateways(tree) -> Iterable[tuple[etree._Element, str]]:
    flows_from: dict[str, list[etree._Element]] = {}
    for flow in tree.iter(_q("sequenceFlow")):
        flows_from.setdefault(flow.get("sourceRef"), []).append(flow)
    for gateway in tree.iter(_q("exclusiveGateway")):
        outgoing = flows_from.get(gateway.get("id"), [])
        if len(outgoing) < 2 or gateway.get("default"):
            continue
        bare = [f.get("id") for f in outgoing if f.find(_q("conditionExpression")) is None]
        if bare:
            yield (
                gateway,
                (
                    f"the gateway's flows {', '.join(bare)} have no condition and none is the default: give "
                    "each a condition or mark one as the default flow"
                ),
            )
