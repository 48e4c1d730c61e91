"""Reading uploaded BPMN and DMN files safely, and refusing what the engine must never run.

Every file is parsed with DTDs, entities and network access off and a size cap; every expression it
carries (conditions, scripts, timers, DMN cells, service parameters) is checked by the restricted
evaluator; every service operator must name a registered handler. Problems come back together, each
with its file, element id and line, so a modeller can fix them all in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from . import bpmn_dialects, expressions
from .errors import Problem, ValidationError

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_XML_ELEMENTS = 200_000  # the 2 MB cap bounds it too; the per-process cap (MAX_ELEMENTS) is the real one
MAX_ELEMENTS = 1_000  # BPMN elements per process (the product's largest has ~150): a 10,000-task fan or
# a 2,000-task chain would take minutes of CPU to start and overflow the library's recursion
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)
_WRAPPERS = {
    "conditionExpression",
    "timeDuration",
    "timeDate",
    "timeCycle",
    "timerEventDefinition",
    "script",
    "loopCardinality",
    "completionCondition",
}
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class SourceFile:
    """One uploaded file: its name, its bytes, its parsed tree and whether it is BPMN or DMN."""

    name: str
    content: bytes
    tree: etree._Element
    kind: str  # "bpmn" | "dmn"

    @property
    def text(self) -> str:
        """The file as text, read in its declared encoding (what is stored and shown)."""
        return bpmn_dialects.source_text(self.content, self.tree)


def read_source(name: str, content: bytes) -> SourceFile:
    """Parse one file, refusing DTDs, entities, oversize input and anything not BPMN or DMN."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError.single(f"file is larger than {MAX_FILE_BYTES // 1024} KB", file=name)
    if _DOCTYPE.search(content):
        raise ValidationError.single("DTDs and entity declarations are not allowed", file=name)
    try:
        tree = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValidationError.single(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno) from None
    except (LookupError, ValueError) as exc:  # an encoding lxml does not know
        raise ValidationError.single(f"cannot be read in its declared encoding: {exc}", file=name) from None
    docinfo = tree.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a UTF-16 DTD the byte check cannot see
        raise ValidationError.single("DTDs and entity declarations are not allowed", file=name)
    elements = sum(1 for _ in tree.iter(etree.Element))
    if elements > MAX_XML_ELEMENTS:
        raise ValidationError.single(
            f"the file has {elements} XML elements; the limit is {MAX_XML_ELEMENTS}: split it into called "
            "processes",
            file=name,
        )
    namespace = etree.QName(tree).namespace
    if etree.QName(tree).localname != "definitions":
        raise ValidationError.single("the root element must be <definitions>", file=name)
    if namespace == BPMN_NS:
        source = SourceFile(name, content, tree, "bpmn")
        too_big = _too_big(source)  # refused here, so an upload is turned away before anything else reads it
        if too_big:
            raise ValidationError(too_big)
        bpmn_dialects.quote_iso_timers(tree)
        return source
    if namespace in DMN_NAMESPACES:
        return SourceFile(name, content, tree, "dmn")
    raise ValidationError.single(f"unknown document namespace {namespace!r}", file=name)


_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def rename_lanes(text: str, names: Mapping[str, str], say: Callable[[str], str] | None = None) -> str:
    """The BPMN ``text`` (a stored, deployed file) with each lane whose name is a key of ``names`` named by
    its value instead: a lane is named by the role it stands for (``commune``), which is the engine's
    business; a diagram for people names who plays it. With ``say``, every other named element (a step, a
    gateway, a flow's label) is named by ``say(name)``: the diagram in the reader's language."""
    tree = etree.fromstring(_DECLARATION.sub("", text, count=1), _PARSER)
    for element in tree.iter():
        if not isinstance(element.tag, str) or not element.get("name"):
            continue
        name = element.get("name")
        if element.tag == f"{{{BPMN_NS}}}lane":
            if name in names:
                element.set("name", names[name])
        elif say is not None and etree.QName(element).namespace == BPMN_NS:
            element.set("name", say(name))
    return etree.tostring(tree, encoding="unicode")


def find_problems(sources: Iterable[SourceFile], operators: Collection[str]) -> list[Problem]:
    """Unsafe expressions, unknown service operators and unsupported constructs, in every file, before
    anything is parsed."""
    sources = list(sources)
    problems = bpmn_dialects.no_executable_process(sources)
    if problems:
        return problems
    for source in sources:
        problems += _unsafe_expressions(source)
        problems += _unknown_operators(source, operators)
        problems += _unsupported(source)
        if source.kind == "bpmn":
            problems += [
                _problem(source, node, message)
                for node, message in bpmn_dialects.vendor_problems(source.tree, operators)
            ]
    return problems


def _too_big(source: SourceFile) -> list[Problem]:
    if source.kind != "bpmn":
        return []
    problems = []
    for node in source.tree.iter(f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess"):
        count = sum(1 for child in node.iter() if isinstance(child.tag, str) and child.get("id"))
        if count > MAX_ELEMENTS:
            message = f"more than {MAX_ELEMENTS:,} elements ({count:,}): split it into called processes"
            problems.append(Problem(message, file=source.name, element=node.get("id"), line=node.sourceline))
            break
    return problems


def _problem(source: SourceFile, node: etree._Element, message: str) -> Problem:
    return Problem(message, file=source.name, element=_owner_id(node), line=node.sourceline)


def _unsafe_expressions(source: SourceFile) -> list[Problem]:
    problems = []
    for node, text, mode in _expressions_in(source):
        try:
            expressions.check(text, mode)
        except ValidationError as exc:
            hint = bpmn_dialects.condition_hint(node, text) if mode == "eval" else None
            if hint:  # written for another engine: say which language and what ours would be
                problems.append(_problem(source, node, f"{_short(text)}: {hint}"))
                continue
            advice = "" if mode == "exec" else _PYTHON_LIKE
            problems += [
                _problem(source, node, f"{p.message} in {_short(text)}{advice}") for p in exc.problems
            ]
    return problems


_PYTHON_LIKE = (
    " (conditions and timers are Python-like expressions over the case's variables, whose names have no "
    "spaces: e.g. service_level == 'Premium', \"P7D\")"
)


def _unknown_operators(source: SourceFile, operators: Collection[str]) -> list[Problem]:
    known = ", ".join(sorted(operators)) or "none"
    return [
        _problem(source, node, f"service operator {node.get('id')!r} is not registered (known: {known})")
        for node in source.tree.iter(f"{{{SPIFF_NS}}}serviceTaskOperator")
        if node.get("id") not in operators
    ]


UNSUPPORTED_CYCLE = (
    "cycle timers are not supported: use a timeDuration or timeDate and let the host compute calendar dates"
)
UNSUPPORTED_MESSAGE_EVENT_SUBPROCESS = (
    "event subprocesses started by a message are not supported (SpiffWorkflow 3.2 neither lists nor "
    "interrupts them): attach an interrupting message boundary event to an embedded subprocess instead"
)


def _unsupported(source: SourceFile) -> list[Problem]:
    problems = [
        _problem(source, node, UNSUPPORTED_CYCLE) for node in source.tree.iter(f"{{{BPMN_NS}}}timeCycle")
    ]
    message_start = f"{{{BPMN_NS}}}startEvent/{{{BPMN_NS}}}messageEventDefinition"
    for node in source.tree.iter(f"{{{BPMN_NS}}}subProcess"):
        if node.get("triggeredByEvent") == "true" and node.findall(message_start):
            problems.append(
                Problem(
                    UNSUPPORTED_MESSAGE_EVENT_SUBPROCESS,
                    file=source.name,
                    element=node.get("id"),
                    line=node.sourceline,
                )
            )
    return problems


def _expressions_in(source: SourceFile) -> Iterable[tuple[etree._Element, str, str]]:
    """Yield (node, text, mode) for every piece of text the engine would evaluate or execute."""
    tree = source.tree
    if source.kind == "dmn":
        ns = etree.QName(tree).namespace
        for tag in ("inputExpression", "outputEntry"):
            for node in tree.iter(f"{{{ns}}}{tag}"):
                yield from _text_of(node, ns, "eval")
        for node in tree.iter(f"{{{ns}}}inputEntry"):
            for child, text, _ in _text_of(node, ns, "eval"):
                yield child, _dmn_cell_as_expression(text), "eval"
        return
    evaluated = ("conditionExpression", "timeDuration", "timeDate", "loopCardinality", "completionCondition")
    for tag in evaluated:
        for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            if node.text and node.text.strip():
                yield node, node.text.strip(), "eval"
    for node in tree.iter(f"{{{BPMN_NS}}}script"):
        if node.text and node.text.strip():
            yield node, node.text, "exec"
    for tag in ("preScript", "postScript"):
        for node in tree.iter(f"{{{SPIFF_NS}}}{tag}"):
            if node.text and node.text.strip():
                yield node, node.text, "exec"
    for node in tree.iter(f"{{{SPIFF_NS}}}parameter"):
        if node.get("value"):
            yield node, node.get("value"), "eval"
    yield from _run_time_expressions(tree)


def _run_time_expressions(tree: etree._Element) -> Iterable[tuple[etree._Element, str, str]]:
    """Conditional events' conditions, loop conditions and message payloads: evaluated only when
    reached, so checked here too rather than failing at run time."""
    conditions = (
        f"{{{BPMN_NS}}}conditionalEventDefinition/{{{BPMN_NS}}}condition",
        f"{{{BPMN_NS}}}loopCondition",
    )
    for path in conditions:
        for node in tree.iterfind(f".//{path}"):
            if node.text and node.text.strip():
                yield node, node.text.strip(), "eval"
    for node in tree.iter(f"{{{SPIFF_NS}}}messagePayload"):
        if node.text and node.text.strip():
            yield node, node.text.strip(), "eval"


def _text_of(node: etree._Element, ns: str, mode: str) -> Iterable[tuple[etree._Element, str, str]]:
    for text_node in node.iter(f"{{{ns}}}text"):
        if text_node.text and text_node.text.strip() and text_node.text.strip() != "-":
            yield text_node, text_node.text.strip(), mode


def _dmn_cell_as_expression(text: str) -> str:
    """DMN input cells may be partial (``< 100``) or use ``?``; make a checkable expression of them."""
    cell = text.replace("?", "dmn_input")
    try:
        compile(cell, "<dmn>", "eval")
        return cell
    except (RecursionError, MemoryError):  # nested too deep: the expression check says so
        return cell
    except SyntaxError:
        return f"dmn_input {cell}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _owner_id(node: etree._Element) -> str | None:
    """The id of the flow element that holds ``node``: its own id when it has one, but not the ids of
    expression wrappers (a modeller looks for the sequence flow or event) nor of extension elements
    (whose ``id`` attributes are names)."""
    while node is not None:
        qname = etree.QName(node)
        wrapper = qname.namespace == SPIFF_NS or (qname.namespace == BPMN_NS and qname.localname in _WRAPPERS)
        if node.get("id") and not wrapper:
            return node.get("id")
        node = node.getparent()
    return None
