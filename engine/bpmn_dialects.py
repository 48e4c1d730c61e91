"""Files drawn in other modelers (Camunda Modeler, bpmn.io, Signavio, Bizagi, Trisotech…): what they write
differently from what the engine runs, turned into either an accepted form or a refusal that names the
element, its line and the fix.

Kept apart from ``bpmn_files`` (the safety checks) because it is about dialects, not about danger: the
declared encoding, ISO timers written without quotes, conditions in JUEL/FEEL/XPath, vendor service tasks
and decision references, data stores, correlation properties, pools not marked executable, and the
library's own parser messages rewritten so no raw Python text reaches the modeller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NAMESPACES = ("http://camunda.org/schema/1.0/bpmn", "http://camunda.org/schema/zeebe/1.0")

_DURATION = re.compile(r"^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(?P<zone>Z|[+-]\d{2}(:?\d{2})?)?$")
_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"'][^\"']+[\"']", re.IGNORECASE)
_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>")
_TASKS = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask")
_TASKS += ("businessRuleTask", "callActivity", "subProcess", "transaction")


def _q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def source_text(content: bytes, tree: etree._Element) -> str:
    """The file as text in its declared (or detected) encoding, its declaration saying UTF-8 from now on:
    what is stored and served to the modeler."""
    encoding = tree.getroottree().docinfo.encoding or "utf-8"
    text = content.decode(encoding)
    text = text.lstrip("\ufeff")
    return re.sub(
        r"^(<\?xml[^>]*?encoding=)([\"'])[^\"']+\2", r"\1\2UTF-8\2", text, count=1, flags=re.IGNORECASE
    )


def utf8_bytes(content: bytes, tree: etree._Element) -> bytes:
    """The same document re-encoded as UTF-8 (the one encoding kept in the database)."""
    declared = (tree.getroottree().docinfo.encoding or "utf-8").lower().replace("_", "-")
    if declared in ("utf-8", "utf8", "ascii", "us-ascii"):
        return content
    return source_text(content, tree).encode("utf-8")


def quote_iso_timers(tree: etree._Element) -> None:
    """``PT5M`` and ``2026-01-01T08:00:00+07:00`` as Camunda and bpmn.io write them are literals to the
    modeller but names or syntax errors to a Python-like evaluator: quote them in the tree the engine
    parses (the stored file keeps the modeller's text)."""
    for tag in ("timeDuration", "timeDate"):
        for node in tree.iter(_q(tag)):
            text = (node.text or "").strip()
            if _DURATION.match(text) or _DATE.match(text):
                node.text = f'"{text}"'


def naive_timer_dates(tree: etree._Element) -> Iterable[tuple[etree._Element, str]]:
    for node in tree.iter(_q("timeDate")):
        text = (node.text or "").strip().strip("\"'")
        match = _DATE.match(text)
        if match and not match.group("zone"):
            yield (
                node,
                (
                    f"the timer date {text!r} has no time zone (it would be read in the server's zone): "
                    f"write it with an offset, e.g. {text}+07:00"
                ),
            )


def condition_hint(node: etree._Element, text: str) -> str | None:
    """Say which language a condition or timer is written in when it is not ours, with the Python-like
    form where the translation is obvious."""
    language = (node.get("language") or "").lower()
    body = text.strip()
    translated: str | None = None
    if "xpath" in language or "getdataobject(" in body.lower():
        dialect = "XPath"
        translated = _from_xpath(body)
    elif re.fullmatch(r"[$#]\{.*\}", body, re.DOTALL):
        dialect = "JUEL (Camunda 7's ${…})"
        translated = _from_juel(body[2:-1])
    elif body.startswith("="):
        dialect = "FEEL (Camunda 8's = …)"
        translated = _from_feel(body[1:])
    elif language and not any(word in language for word in ("python", "spiff")):
        dialect = f"the language {node.get('language')!r}"
    else:
        return None
    hint = f"this is written in {dialect}; An Sinh conditions and timers are Python-like expressions"
    return f"{hint}: write {translated}" if translated else f"{hint} (e.g. approved and amount > 100)"


def _valid(expression: str) -> str | None:
    try:
        compile(expression, "<condition>", "eval")
    except SyntaxError:
        return None
    return expression


def _from_juel(body: str) -> str | None:
    text = body.strip()
    text = re.sub(r"!(?!=)", " not ", text)
    for juel, python in (("&&", " and "), ("||", " or "), (" eq ", " == "), (" ne ", " != ")):
        text = text.replace(juel, python)
    text = re.sub(r"\s+", " ", text.replace("( ", "(")).strip()
    return _valid(text)


def _from_feel(body: str) -> str | None:
    text = body.strip()
    if re.search(r"\b(satisfies|some|every|instance of|between)\b", text):
        return None
    text = re.sub(r"(?<![<>=!])=(?!=)", "==", text)
    return _valid(text)


def _from_xpath(body: str) -> str | None:
    text = re.sub(r"bpmn:getDataObject\(\s*'([^']+)'\s*\)", r"\1", body)
    text = re.sub(r"(?<![<>=!])=(?!=)", "==", text)
    text = re.sub(r"\bnot\((\w+)\)", r"not \1", text)
    return _valid(text) if "bpmn:" not in text else None


def no_executable_process(sources: list) -> list[Problem]:
    """When no file has an executable process, say so first and only: naming each process and the
    checkbox that sets it, rather than errors found inside pools the engine would never run."""
    bpmn = [s for s in sources if s.kind == "bpmn"]
    if not bpmn or any(_executable(s.tree) for s in bpmn):
        return []
    problems = []
    for source in bpmn:
        for process in source.tree.iter(_q("process")):
            label = f"{process.get('id')!r}" + (f" ({process.get('name')!r})" if process.get("name") else "")
            problems.append(
                Problem(
                    f"process {label} is not executable: tick “Executable” on the pool or process in "
                    'Camunda Modeler (isExecutable="true"), or deploy the file that holds the process to run',
                    file=source.name,
                    element=process.get("id"),
                    line=process.sourceline,
                )
            )
        if not any(True for _ in source.tree.iter(_q("process"))):
            problems.append(Problem("the file has no process to run (a diagram only)", file=source.name))
    return problems


def _executable(tree: etree._Element) -> bool:
    return any(p.get("isExecutable", "").lower() == "true" for p in tree.iter(_q("process")))


def vendor_problems(tree: etree._Element, operators: Iterable[str]) -> Iterable[tuple[etree._Element, str]]:
    """(node, message) for what other modelers write and the engine does not run."""
    known = ", ".join(sorted(operators)) or "none"
    ids = {node.get("id"): node for node in tree.iter() if isinstance(node.tag, str) and node.get("id")}
    for task in tree.iter(_q("serviceTask")):
        if task.find(f".//{{{SPIFF_NS}}}serviceTaskOperator") is None:
            vendor = _vendor_attributes(task, ("class", "expression", "delegateExpression", "type", "topic"))
            extra = f" ({vendor} is Camunda's and is not run here)" if vendor else ""
            yield (
                task,
                (
                    f"service task {_label(task)} names no An Sinh operator{extra}: choose one of the known "
                    f"operators ({known}) as its spiffworkflow:serviceTaskOperator"
                ),
            )
    for task in tree.iter(_q("businessRuleTask")):
        if task.find(f".//{{{SPIFF_NS}}}calledDecisionId") is None:
            vendor = _vendor_attributes(task, ("decisionRef",))
            extra = f" ({vendor} is Camunda's and is not read here)" if vendor else ""
            yield (
                task,
                (
                    f"business rule task {_label(task)} names no decision{extra}: set its "
                    "spiffworkflow:calledDecisionId to the id of a decision in a .dmn file deployed with it"
                ),
            )
    for tag in ("dataStore", "dataStoreReference"):
        for node in tree.iter(_q(tag)):
            yield (
                node,
                (
                    f"data store {_label(node)} is not supported: the engine keeps a case's data in its "
                    "variables; remove the data store (and its associations) or use a data object"
                ),
            )
    associations = (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef"))
    for association, ref_tag in associations:
        for node in tree.iter(_q(association)):
            for ref in node.findall(_q(ref_tag)):
                target = ids.get((ref.text or "").strip())
                local = etree.QName(target).localname if target is not None else None
                if local not in ("dataObjectReference", "dataObject", "dataStoreReference"):
                    yield (
                        node.getparent(),
                        (
                            f"the data association of {_label(node.getparent())} refers to "
                            f"{(ref.text or '').strip()!r}, which is not a data object of this diagram: "
                            "connect it to a data object, or remove the association"
                        ),
                    )
    for tag in ("correlationProperty", "correlationKey", "correlationSubscription"):
        for node in tree.iter(_q(tag)):
            yield (
                node,
                (
                    f"message correlation ({tag} {_label(node)}) is not supported: An Sinh delivers "
                    "a message to the case by its business key (messages send NAME --key KEY); remove it"
                ),
            )
    for node in tree.iter(f"{{{SPIFF_NS}}}processVariableCorrelation"):
        yield (
            node,
            (
                "spiffworkflow:processVariableCorrelation is not supported: An Sinh delivers a message "
                "to the case by its business key; remove the correlation"
            ),
        )
    for node, message in naive_timer_dates(tree):
        yield node, message
    for node in multiple_outgoing(tree):
        yield (
            node,
            (
                f"task {_label(node)} has several outgoing sequence flows: a task may have only one; add a "
                "parallel gateway after it to run the branches together, or an exclusive gateway with "
                "conditions to choose one"
            ),
        )
    signal_start = f"{_q('startEvent')}/{_q('signalEventDefinition')}"
    for node in tree.iter(_q("subProcess")):
        if node.get("triggeredByEvent") == "true" and node.findall(signal_start):
            yield (
                node,
                (
                    f"event subprocess {_label(node)} is started by a signal, which is not supported "
                    "(its case cannot be reloaded afterwards): use a signal or message boundary event "
                    "on an embedded subprocess instead"
                ),
            )


def _vendor_attributes(node: etree._Element, names: Iterable[str]) -> str | None:
    for namespace in CAMUNDA_NAMESPACES:
        for name in names:
            if node.get(f"{{{namespace}}}{name}"):
                return f"camunda:{name}={node.get(f'{{{namespace}}}{name}')!r}"
    if any(child.tag == f"{{{CAMUNDA_NAMESPACES[1]}}}taskDefinition" for child in node.iter()):
        return "zeebe:taskDefinition"
    return None


def _label(node: etree._Element | None) -> str:
    if node is None:
        return "?"
    name = (node.get("name") or "").strip()
    return f"{node.get('id')!r}" + (f" ({' '.join(name.split())!r})" if name else "")


def parser_message(message: str, element: str | None, tree: etree._Element | None) -> str:
    """SpiffWorkflow's parser messages, completed: the cut-off one names the task and the fix, no
    ``<Element … at 0x…>`` reprs."""
    message = _ELEMENT_REPR.sub(lambda m: f"<{m.group(1)}>", message)
    raw = re.match(r"^(\w+(?:Error|Exception))\((.*)\)$", message, re.DOTALL)
    if raw:  # the library wrapped a plain Python error: say it in the modeller's words
        kind = NotImplementedError if raw.group(1) == "NotImplementedError" else TypeError
        return exception_message(kind(raw.group(2)))[0]
    if message.startswith("Multiple outgoing flows are not supported for tasks of type"):
        node = _find(tree, element)
        label = _label(node) if node is not None else repr(element)
        return (
            f"task {label} has several outgoing sequence flows: "
            "a task may have only one; add a parallel gateway after it to run the branches together, or an "
            "exclusive gateway with conditions to choose one"
        )
    return message


def exception_message(exc: Exception) -> tuple[str, str | None]:
    """(message, element id) for a plain Python error raised inside the library's parser: said in the
    modeller's words, never as ``NotImplementedError(...)``/``TypeError(...)`` text."""
    args = [a.decode(errors="replace") if isinstance(a, bytes) else str(a) for a in exc.args]
    raw = " ".join(args)
    found = re.search(r'\bid="([^"]+)"', raw)
    element = found.group(1) if found else None
    if "Unsupported Catch Event" in raw:
        return (
            "this catch event has no event definition the engine supports (message, timer, signal, error, "
            "escalation, conditional or cancel)",
            element,
        )
    if isinstance(exc, NotImplementedError):
        return "the diagram uses a BPMN construct the engine cannot run", element
    return (
        "the diagram could not be read: an element lacks a reference or attribute the engine needs "
        "(check that every flow, event definition and call names an existing element)",
        element,
    )


def _find(tree: etree._Element | None, element: str | None) -> etree._Element | None:
    if tree is None or not element:
        return None
    for node in tree.iter():
        if isinstance(node.tag, str) and node.get("id") == element:
            return node
    return None


def multiple_outgoing(tree: etree._Element) -> Iterable[etree._Element]:
    """Tasks with more than one outgoing sequence flow (what the library refuses one at a time)."""
    counts: dict[str, int] = {}
    for flow in tree.iter(_q("sequenceFlow")):
        counts[flow.get("sourceRef")] = counts.get(flow.get("sourceRef"), 0) + 1
    for tag in _TASKS:
        for node in tree.iter(_q(tag)):
            if counts.get(node.get("id"), 0) > 1:
                yield node
