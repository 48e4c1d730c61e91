"""The rows of an xlsx file's first sheet, streamed straight from its XML (lxml ``iterparse``).

openpyxl builds an object for every cell and, in read-only mode, reads a sheet without a stored
dimension twice; a 50,000-person roll took it longer than importing the people. Here a cell is its
text, or its number as a float: numbers in date columns are Excel day serials, read by the row checks.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

from lxml import etree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def xlsx_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) for each row of the first sheet; missing cells are None."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        strings = _shared_strings(archive)
        with archive.open(_first_sheet(archive)) as sheet:
            for _, row in etree.iterparse(sheet, events=("end",), tag=f"{MAIN}row", huge_tree=True):
                number = int(row.get("r") or 0)
                cells: dict[int, Any] = {}
                for position, cell in enumerate(row.iterfind(f"{MAIN}c")):
                    ref = cell.get("r")
                    cells[_column(ref) if ref else position] = _value(cell, strings)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                width = max(cells) + 1 if cells else 0
                yield number, tuple(cells.get(i) for i in range(width))


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    first = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target") for r in rels.iter(f"{PKG}Relationship") if r.get("Id") == first.get(f"{REL}id")
    )
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as source:
        for _, item in etree.iterparse(source, events=("end",), tag=f"{MAIN}si", huge_tree=True):
            strings.append("".join(t.text or "" for t in item.iter(f"{MAIN}t")))
            item.clear()
    return strings


def _column(ref: str) -> int:
    index = 0
    for ch in ref:
        if ch.isdigit():
            break
        index = index * 26 + ord(ch.upper()) - 64
    return index - 1


def _value(cell, strings: list[str]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    value = cell.findtext(f"{MAIN}v")
    if value is None:
        return None
    if kind == "s":
        return strings[int(value)]
    if kind in ("str", "e", "d"):
        return value
    if kind == "b":
        return value == "1"
    number = float(value)
    return int(number) if number.is_integer() else number
