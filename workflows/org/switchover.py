"""Reorganisations as data, carried out on their date: an agency taking over a role, and areas merged.

Vietnam reorganised twice in 2025: from 1/3/2025 social assistance moved from the labour sector to
Health (Sở Y tế, and at district level Phòng Y tế) and merit allowances to Home Affairs (Sở/Phòng Nội
vụ); from 1/7/2025 the districts were abolished and Kon Tum merged into Quảng Ngãi, its communes merged
into new ones. Both are dated rows here (role assignments per programme; ``area_successions``), so
routing on any date reads the organisation of that date, and a case in a 2024 commune moves to its
2025 commune on the day, with its open tasks and deadlines, each move in the history.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext, history
from engine.errors import NotFound, ValidationError

from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary
from ..beneficiaries.records import change_record
from .areas import get_area
from .models import Agency, Area, AreaSuccession, RoleAssignment, area_code
from .routing import _check_role, assign_role

DATA = Path(__file__).resolve().parent.parent / "data"
KONTUM_2025_SUCCESSIONS = DATA / "successions_kontum_2025.json"


def switch_role(
    session: Session,
    role: str,
    area: str,
    agency_code: str,
    on: date,
    programme: str | None = None,
    actor: str | None = None,
    *,
    at: datetime,
) -> RoleAssignment:
    """From ``on``, ``agency_code`` plays ``role`` for ``area`` (and ``programme``, or every programme):
    the assignment holding that day ends the day before, the new one starts, neither gap nor overlap.
    Tasks are routed by role and area when read, so open work goes to the new agency on the date.
    This is the one way an administrator's agencies page changes who does what."""
    _check_role(role)
    get_area(session, area)
    if session.get(Agency, agency_code) is None:
        raise NotFound(f"agency {agency_code} does not exist")
    same = RoleAssignment.programme.is_(None) if programme is None else RoleAssignment.programme == programme
    rows = session.scalars(
        select(RoleAssignment).where(RoleAssignment.role == role, RoleAssignment.area_code == area, same)
    ).all()
    ended = []
    for row in rows:
        if row.effective_from >= on and row.agency_code != agency_code:
            raise ValidationError.single(
                f"{row.agency_code} is due to play {role} at {area} from {row.effective_from:%d/%m/%Y}"
            )
        if row.holds_on(on) and row.agency_code != agency_code:
            ended.append(row.agency_code)
            row.effective_to = on
    session.flush()
    new = assign_role(session, role, area, agency_code, on, None, programme)
    history.record(
        session.connection(), at, "role_switched", actor=actor,
        data={"role": role, "area": area, "programme": programme, "from_agencies": ended,
              "to_agency": agency_code, "on": on.isoformat()},
    )  # fmt: skip
    return new


def load_successions(session: Session, path: Path | str = KONTUM_2025_SUCCESSIONS) -> int:
    """Add the successions a file lists (``{"old_structure", "new_structure", "effective_from",
    "source", "successions": [{"old": code, "new": code}, …]}``); those already there are kept."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    start = date.fromisoformat(data["effective_from"])
    existing = {(row.old_code, row.effective_from) for row in session.scalars(select(AreaSuccession))}
    added = 0
    for row in data["successions"]:
        old = area_code(data["old_structure"], row["old"])
        new = area_code(data["new_structure"], row["new"])
        for code in (old, new):
            get_area(session, code)
        if (old, start) in existing:
            continue
        session.add(
            AreaSuccession(
                old_code=old, new_code=new, effective_from=start, source=row.get("source") or data["source"]
            )
        )
        added += 1
    session.flush()
    return added


def successions_due(ctx: EngineContext, on: date) -> int:
    """How many successions are due by ``on`` and not yet carried out (one indexed read: the scheduler
    asks on every tick)."""
    with ctx.db.read() as session:
        return session.scalar(
            select(func.count())
            .select_from(AreaSuccession)
            .where(AreaSuccession.effective_from <= on, AreaSuccession.applied_at.is_(None))
        )


SUCCESSION_COLUMNS = ("old", "new", "effective_from", "source")


@dataclass(frozen=True)
class SuccessionProblem:
    row: int  # the CSV's line number (the header is line 1)
    column: str
    message: str


@dataclass(frozen=True)
class SuccessionLoad:
    added: int
    corrected: int
    unchanged: int
    problems: list[SuccessionProblem]


def load_successions_csv(session: Session, text: str, actor: str, at: datetime) -> SuccessionLoad:
    """An administrator's CSV of successions (columns ``old,new,effective_from,source``: area codes as
    stored, e.g. ``2024:23311,2025:23284,2025-07-01,Nghị quyết 1677/NQ-UBTVQH15``): added, or corrected
    while not yet carried out. Every row is checked first; with any problem nothing is loaded and each
    problem names its row and column. Each change is in the history."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if tuple(header[:4]) != SUCCESSION_COLUMNS:
        expected = ",".join(SUCCESSION_COLUMNS)
        return SuccessionLoad(0, 0, 0, [SuccessionProblem(1, "header", f"the first line must be {expected}")])
    areas = set(session.scalars(select(Area.code)))
    existing = {(r.old_code, r.effective_from): r for r in session.scalars(select(AreaSuccession))}
    problems, wanted, seen = [], [], {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        old, new, day, source = ([cell.strip() for cell in cells] + [""] * 4)[:4]
        found = []
        for column, code in (("old", old), ("new", new)):
            if code not in areas:
                found.append(
                    SuccessionProblem(number, column, f"no area {code!r} (codes as stored: 2024:23311)")
                )
        if old and old == new:
            found.append(SuccessionProblem(number, "new", "an area cannot succeed itself"))
        try:
            on = date.fromisoformat(day)
        except ValueError:
            found.append(SuccessionProblem(number, "effective_from", f"{day!r} is not a date (YYYY-MM-DD)"))
            on = None
        if not source:
            found.append(SuccessionProblem(number, "source", "name the decision or resolution"))
        if on is not None and (old, on) in seen:
            found.append(SuccessionProblem(number, "old", f"{old} is already on line {seen[old, on]}"))
        done = existing.get((old, on))
        if done is not None and done.applied_at is not None and done.new_code != new:
            found.append(
                SuccessionProblem(
                    number, "new", f"{old} already moved to {done.new_code} on {done.applied_at}"
                )
            )
        if on is not None:
            seen[old, on] = number
        problems += found
        if not found:
            wanted.append((old, new, on, source[:300]))
    if problems:
        return SuccessionLoad(0, 0, 0, problems)
    added = corrected = unchanged = 0
    for old, new, on, source in wanted:
        row = existing.get((old, on))
        if row is None:
            session.add(AreaSuccession(old_code=old, new_code=new, effective_from=on, source=source))
            added += 1
        elif (row.new_code, row.source) != (new, source):
            row.new_code, row.source = new, source
            corrected += 1
        else:
            unchanged += 1
            continue
        data = {"old": old, "new": new, "effective_from": on.isoformat(), "source": source}
        history.record(session.connection(), at, "succession_loaded", actor=actor, data=data)
    session.flush()
    return SuccessionLoad(added, corrected, unchanged, [])


@dataclass(frozen=True)
class SuccessionReport:
    on: date
    areas: int  # successions carried out
    beneficiaries: int  # records moved to their new commune
    instances: int  # running cases and cycles moved, with their open tasks


def apply_successions(ctx: EngineContext, on: date, actor: str | None = None) -> SuccessionReport:
    """Carry out every succession due by ``on`` not yet done: each open beneficiary record of an old
    commune moves to its new commune (the change in its history), and so do its running instances and
    their open tasks and deadlines. Running it again does nothing; closed cases keep their old area."""
    at = ctx.now()
    moved_records = moved_instances = done = 0
    with ctx.db.write() as session:
        due = session.scalars(
            select(AreaSuccession)
            .where(AreaSuccession.effective_from <= on, AreaSuccession.applied_at.is_(None))
            .order_by(AreaSuccession.id)
        ).all()
        for succession in due:
            codes = session.scalars(
                select(Beneficiary.code).where(
                    Beneficiary.area_code == succession.old_code, Beneficiary.status.not_in(CLOSED_STATUSES)
                )
            ).all()
            for code in codes:
                change_record(
                    session,
                    code,
                    {"area_code": succession.new_code},
                    at,
                    actor=actor,
                    reason="reorganisation",
                )
            moved_records += len(codes)
            moved = engine.move_area(
                session.connection(), succession.old_code, succession.new_code, at, actor
            )
            moved_instances += len(moved)
            succession.applied_at = on
            done += 1
    return SuccessionReport(on, done, moved_records, moved_instances)
