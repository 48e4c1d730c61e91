"""Who is paid cash at home and who at the commune pay point: decided in one place, ``bpmn/cash_method.dmn``.

The case's business-rule task runs the table through SpiffWorkflow; the monthly list and the ledger
(failed transfers turned into cash) read the same table here. Its rules do not overlap, so the table's
UNIQUE policy means what it says; the inputs take few values, so the table is evaluated for every
combination once and the answer used as a lookup (and as a SQL CASE for set-based updates).
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.expressions import evaluate

DMN = Path(__file__).resolve().parents[1] / "bpmn" / "cash_method.dmn"
_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}

MOBILITIES = ("mobile", "limited", "bedridden", None)
PREFERENCES = ("pay_point", "home", None)
INPUTS = ("mobility", "has_representative", "cash_preference")


@dataclass(frozen=True)
class Rule:
    id: str
    cells: tuple[str, ...]
    output: str


def _matches(cell: str, value) -> bool:
    cell = cell.strip()
    if cell in ("-", ""):
        return True
    if "?" in cell:
        return bool(evaluate(cell.replace("?", "value"), {"value": value}))
    if cell.startswith(("==", "!=", "<", ">", "in ", "not in ")):
        return bool(evaluate(f"value {cell}", {"value": value}))
    return bool(evaluate(f"value == ({cell})", {"value": value}))


@cache
def rules(path: Path = DMN) -> tuple[Rule, ...]:
    root = ET.parse(path).getroot()
    table = root.find(".//dmn:decisionTable", _NS)
    found = []
    for rule in table.findall("dmn:rule", _NS):
        cells = tuple(e.findtext("dmn:text", "", _NS) for e in rule.findall("dmn:inputEntry", _NS))
        output = rule.find("dmn:outputEntry", _NS).findtext("dmn:text", "", _NS)
        found.append(Rule(rule.get("id"), cells, evaluate(output, {})))
    return tuple(found)


def matching_rules(mobility: str | None, has_representative: bool, cash_preference: str | None) -> list[Rule]:
    values = (mobility, has_representative, cash_preference)
    return [r for r in rules() if all(_matches(c, v) for c, v in zip(r.cells, values, strict=True))]


def domain():
    return itertools.product(MOBILITIES, (True, False), PREFERENCES)


@cache
def _table() -> dict[tuple, str]:
    answers = {}
    for combo in domain():
        hits = matching_rules(*combo)
        if len(hits) != 1:
            raise ValueError(f"cash_method.dmn: {combo} matches {len(hits)} rules, not exactly one")
        answers[combo] = hits[0].output
    return answers


def cash_method(mobility: str | None, has_representative: bool, cash_preference: str | None) -> str:
    """``home`` or ``pay_point`` for these inputs, as the DMN decides."""
    mobility = mobility if mobility in MOBILITIES else None
    cash_preference = cash_preference if cash_preference in PREFERENCES else None
    return _table()[(mobility, bool(has_representative), cash_preference)]


def payout_method(mobility: str | None, representative_kind: str | None, payment_method: str | None) -> str:
    """A person's cash line: ``cash_home`` or ``cash_pay_point`` (their recorded wish is the preference)."""
    preference = {"cash_home": "home", "cash_pay_point": "pay_point"}.get(payment_method or "")
    has_representative = representative_kind in ("guardian", "authorised")
    return (
        "cash_home" if cash_method(mobility, has_representative, preference) == "home" else "cash_pay_point"
    )


def home_combinations() -> list[tuple]:
    """(mobility, representative?, payment_method) combinations paid at home: for a SQL CASE."""
    found = []
    for mobility, represented, method in itertools.product(
        MOBILITIES, (True, False), ("cash_home", "cash_pay_point", None)
    ):
        kind = "guardian" if represented else None
        if payout_method(mobility, kind, method) == "cash_home":
            found.append((mobility, represented, method))
    return found
