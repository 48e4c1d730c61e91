"""Filling the tree of areas: from a JSON file kept in the repository (the 2024 structure the plan was
written for) or from today's units as the ``vietnam-provinces`` package carries them.

Both are idempotent: an area is added once, corrected if its name, kind, level or parent changed, and
never deleted (cases and assignments keep pointing at it).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound, ValidationError

from .models import LEVELS, Area, area_code

DATA = Path(__file__).resolve().parent.parent / "data"
KONTUM_2024 = DATA / "areas_kontum_2024.json"
CURRENT_STRUCTURE = "2025"

# vietnam-provinces' division types (2025 releases) → the kind we show before a name.
KINDS_2025 = {
    "tỉnh": "Tỉnh",
    "thành phố trung ương": "Thành phố",
    "xã": "Xã",
    "phường": "Phường",
    "đặc khu": "Đặc khu",
}


@dataclass(frozen=True)
class AreaRow:
    """One area as a source gives it: official codes, the name without its kind."""

    code: str
    name: str
    kind: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class LoadResult:
    structure: str
    root: str  # the key of the top area loaded
    added: int
    changed: int
    total: int
    source: str = ""


def load_area_file(session: Session, path: Path | str = KONTUM_2024) -> LoadResult:
    """Load a tree of areas from a JSON file: ``{"structure": …, "source": …, "areas": [{"code",
    "name", "kind", "level", "parent"}, …]}``, parents listed before their children."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        structure = str(data["structure"])
        rows = [
            AreaRow(str(a["code"]), a["name"], a["kind"], a["level"], a["parent"] and str(a["parent"]))
            for a in data["areas"]
        ]
    except (KeyError, TypeError) as exc:
        raise ValidationError.single(f"not an area file: missing {exc}", file=str(path)) from exc
    return upsert_areas(session, structure, rows, source=data.get("source", str(path)))


def load_current_units(
    session: Session, province_code: str | int, structure: str = CURRENT_STRUCTURE
) -> LoadResult:
    """Load one province and its communes as the installed ``vietnam-provinces`` has them today
    (two tiers since 1 July 2025: province → commune; e.g. Quảng Ngãi, 51, now includes Kon Tum)."""
    import vietnam_provinces as vp  # imported here: its tables of 3,300 communes cost time at import

    try:
        province = vp.Province.from_code(vp.ProvinceCode(int(province_code)))
    except ValueError as exc:
        raise NotFound(f"vietnam-provinces {vp.__version__} has no province {province_code}") from exc
    pcode = f"{int(province.code):02d}"
    rows = [_current_row(pcode, province.name, province.division_type.value, "province", None)]
    wards = sorted(vp.Ward.iter_by_province(province.code), key=lambda w: int(w.code))
    rows += [
        _current_row(f"{int(w.code):05d}", w.name, w.division_type.value, "commune", pcode) for w in wards
    ]
    source = f"vietnam-provinces {vp.__version__} (data retrieved {vp.__data_version__})"
    return upsert_areas(session, structure, rows, source=source)


def _current_row(code: str, full_name: str, division_type: str, level: str, parent: str | None) -> AreaRow:
    kind = KINDS_2025.get(division_type)
    if kind is None:
        raise ValidationError.single(f"unknown division type {division_type!r} for {code} {full_name}")
    full_name = _nfc(full_name)
    name = full_name[len(kind) + 1 :] if full_name.lower().startswith(kind.lower() + " ") else full_name
    return AreaRow(code, name, kind, level, parent)


def upsert_areas(session: Session, structure: str, rows: Iterable[AreaRow], source: str = "") -> LoadResult:
    """Add or correct ``rows`` in ``structure``; one query reads what is there, one flush writes."""
    rows = [_checked(row) for row in rows]
    if not rows:
        raise ValidationError.single(f"no areas to load for structure {structure}")
    existing = {a.code: a for a in session.scalars(select(Area).where(Area.structure == structure))}
    seen: set[str] = set()
    added = changed = 0
    for row in rows:
        key = area_code(structure, row.code)
        parent = area_code(structure, row.parent) if row.parent else None
        if key in seen:
            raise ValidationError.single(f"area {row.code} is listed twice")
        if parent is not None and parent not in seen and parent not in existing:
            raise ValidationError.single(
                f"area {row.code} names parent {row.parent}, which is not listed before it"
            )
        seen.add(key)
        values = {"name": row.name, "kind": row.kind, "level": row.level, "parent_code": parent}
        area = existing.get(key)
        if area is None:
            session.add(Area(code=key, structure=structure, official_code=row.code, **values))
            added += 1
        elif any(getattr(area, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(area, field, value)
            changed += 1
    session.flush()
    root = area_code(structure, rows[0].code)
    return LoadResult(structure, root, added, changed, len(rows), source)


def _checked(row: AreaRow) -> AreaRow:
    if row.level not in LEVELS:
        raise ValidationError.single(
            f"area {row.code}: level {row.level!r} is not one of {', '.join(LEVELS)}"
        )
    if not row.code or not row.name or not row.kind:
        raise ValidationError.single(f"area {row.code!r}: code, name and kind are required")
    return AreaRow(row.code, _nfc(row.name), _nfc(row.kind), row.level, row.parent)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())
