"""The domain's own words — step names from the BPMN, form labels, options and help, status labels —
said in the page's language. They are written in Vietnamese where they live (the BPMN files, the form
schemas, the ``*_LABELS`` tables of ``workflows/``) and translated through the same catalog as the pages
(``web/translations``): ``make messages`` collects them with ``extract`` below, so a new step or label
fails ``tests/web/test_language.py`` until its English is written. Field messages built from a template
("Vui lòng nhập …") are rendered from that template (``api.messages.localise``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from flask_babel import get_locale, gettext

from .api.messages import localise
from .config import PROJECT_ROOT

BPMN_DIR = PROJECT_ROOT / "bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
WORKFLOWS_DIR = PROJECT_ROOT / "workflows"
# BPMN elements whose names are not words to translate: a lane is named by the agency that plays its role
# (``engine.rename_lanes``); a process's and a message's names reach no page.
UNSAID_ELEMENTS = frozenset({"lane", "process", "message", "definitions"})


def language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def say(text: str | None) -> str:
    """A domain word (a step's name, a label, an option) in the page's language; unknown words as written."""
    if not text:
        return ""
    if language() == "vi":
        return text
    translated = gettext(text)
    if translated == text and text[:1].islower():  # "ngày sinh" inside a sentence: the label's own English
        capital = gettext(text[:1].upper() + text[1:])
        if capital != text[:1].upper() + text[1:]:
            translated = capital[:1].lower() + capital[1:]
    return translated


def say_error(message: str) -> str:
    """A field's error message in the page's language."""
    return message if language() == "vi" else localise(str(message), language())


def init_app(app) -> None:
    app.jinja_env.filters["say"] = say
    app.jinja_env.filters["say_error"] = say_error


def domain_words() -> Iterator[str]:
    """Every domain word a page may show: for the catalog."""
    yield from _bpmn_names()
    yield from _form_words()
    yield from _label_tables()
    yield from _sheet_headers()


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method (``babel.cfg``): the domain's words, whatever file it is pointed at."""
    for word in dict.fromkeys(domain_words()):
        yield 0, "gettext", word, []


def _bpmn_names() -> Iterator[str]:
    """The names of every step, event, gateway and flow: the pages and the case diagram show them."""
    from lxml import etree

    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        for element in etree.parse(str(path)).iter():
            if (
                isinstance(element.tag, str)
                and etree.QName(element).namespace == BPMN_NS
                and etree.QName(element).localname not in UNSAID_ELEMENTS
            ):
                name = (element.get("name") or "").strip()
                if name:
                    yield name


def _form_words() -> Iterator[str]:
    import workflows.case  # noqa: F401  (each step's module registers its form)
    import workflows.dashboard.yearly  # noqa: F401
    import workflows.payouts.forms  # noqa: F401
    from workflows.forms import FORMS, describe

    for key in sorted(FORMS):
        for field in describe(key):
            yield field.label
            yield from field.choices.values()
            if field.help:
                yield field.help


def _sheet_headers() -> Iterator[str]:
    """The columns of the sheets officers upload (a roll, the police's results): a report names them."""
    from workflows.bulk.police import COLUMNS as POLICE_COLUMNS
    from workflows.roster.rows import COLUMNS as ROLL_COLUMNS

    yield from (header for _, header, _ in ROLL_COLUMNS)
    yield from (column.header for column in POLICE_COLUMNS)


def _label_tables() -> Iterator[str]:
    """The values of every module-level ``*_LABELS`` dict of plain strings in ``workflows/``."""
    for path in sorted(WORKFLOWS_DIR.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.parse(Path(path).read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            if (
                isinstance(target, ast.Name)
                and target.id.endswith("_LABELS")
                and isinstance(node.value, ast.Dict)
            ):
                for value in node.value.values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        yield value.value
