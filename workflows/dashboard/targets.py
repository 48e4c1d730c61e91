"""The province's coverage targets per area and date: set and changed on the dashboard, never overwritten
(every change is a new row and a history event), and the one that applies to an area today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from engine import EngineContext
from engine.errors import NotFound
from engine.models import HistoryEvent

from ..forms import FormInvalid
from ..scope import Scope
from .frame import build_frame
from .models import CoverageTarget

T = CoverageTarget.__table__


@dataclass(frozen=True)
class Target:
    area_code: str
    due_on: date
    share_pct: int
    note: str | None
    set_by: str
    set_at: datetime
    inherited_from: str | None = None  # the ancestor whose target applies (none of its own)


def set_target(
    ctx: EngineContext,
    scope: Scope,
    is_admin: bool,
    area_code: str,
    due_on: date | str | None,
    share_pct: int | str | None,
    note: str | None,
    actor: str,
) -> Target:
    """Give ``area_code`` a target (or change the one it has for that date). Only the province
    department (or an administrator) for an area it watches; Vietnamese field errors otherwise."""
    errors: dict[str, list[str]] = {}
    day = _day(due_on, errors)
    pct = _pct(share_pct, errors)
    if errors:
        raise FormInvalid(errors)
    now = ctx.now()
    with ctx.db.transaction() as conn:
        with Session(bind=conn) as session:
            frame = build_frame(session, scope, is_admin, area_code)
        if not frame.can_set_targets:
            raise NotFound("only the province department sets targets")
        clean_note = (note or "").strip()[:300] or None
        conn.execute(
            insert(T),
            {"area_code": area_code, "due_on": day, "share_pct": pct, "note": clean_note, "set_by": actor,
             "set_at": now},
        )  # fmt: skip
        conn.execute(
            insert(HistoryEvent.__table__),
            {"instance_id": None, "at": now, "kind": "coverage_target_set", "actor": actor,
             "data": {"area": area_code, "due_on": day.isoformat(), "share_pct": pct, "note": clean_note}},
        )  # fmt: skip
    return Target(area_code, day, pct, clean_note, actor, now)


def target_history(conn: Connection, area_code: str) -> list[Target]:
    """Every target ever set for the area, newest first."""
    rows = conn.execute(select(T).where(T.c.area_code == area_code).order_by(T.c.id.desc())).all()
    return [Target(r.area_code, r.due_on, r.share_pct, r.note, r.set_by, r.set_at) for r in rows]


def applying_targets(
    conn: Connection, codes: list[str], parents: dict[str, str | None], today: date
) -> dict[str, Target]:
    """area → the target that applies today: its own (or its nearest ancestor's) next one still due,
    else the last one passed. One query over the areas and their ancestors."""
    wanted = set(codes)
    for code in codes:
        parent = parents.get(code)
        while parent is not None and parent not in wanted:
            wanted.add(parent)
            parent = parents.get(parent)
    current: dict[tuple[str, date], Target] = {}
    for r in conn.execute(select(T).where(T.c.area_code.in_(sorted(wanted))).order_by(T.c.id)):
        current[(r.area_code, r.due_on)] = Target(
            r.area_code, r.due_on, r.share_pct, r.note, r.set_by, r.set_at
        )
    own: dict[str, Target] = {}
    for (area, _due), target in sorted(current.items(), key=lambda item: item[0][1]):
        chosen = own.get(area)
        if chosen is None or chosen.due_on < today:  # the earliest still due wins over any passed
            own[area] = target
    applying = {}
    for code in codes:
        area = code
        while area is not None and area not in own:
            area = parents.get(area)
        if area is not None:
            found = own[area]
            applying[code] = found if area == code else _inherited(found, area)
    return applying


def _inherited(target: Target, area: str) -> Target:
    return Target(target.area_code, target.due_on, target.share_pct, target.note, target.set_by,
                  target.set_at, inherited_from=area)  # fmt: skip


def _day(value, errors: dict) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors["due_on"] = ["Vui lòng nhập ngày phải đạt chỉ tiêu (dd/mm/yyyy)."]
        return date.min


def _pct(value, errors: dict) -> int:
    try:
        pct = int(str(value).strip().rstrip("%").strip())
    except (TypeError, ValueError):
        errors["share_pct"] = ["Chỉ tiêu phải là số phần trăm từ 0 đến 100."]
        return 0
    if not 0 <= pct <= 100:
        errors["share_pct"] = ["Chỉ tiêu phải là số phần trăm từ 0 đến 100."]
    return pct
