"""Starting cycles and doing their steps: what the pages, the CLI, the scheduler and the simulation call.

A cycle is started once per area and month (the key is unique; starting it again returns it), with its
rates, its list and its BPMN instance in one transaction — a crash leaves nothing half made. The
scheduler's month starts every cycle in batches: the batch's lists drawn together (one statement per
step, not one per cycle: ``generation.generate_many``), then its instances copied from one run.
A step's form is validated, then checked against the cycle's books (Vietnamese field errors), then the
task is completed; notices for failed transfers are delivered after that step has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

import engine
from engine import EngineContext
from engine.batch import NewInstance, start_instances
from engine.errors import NotFound, ValidationError
from engine.fastsql import copy_rows
from engine.steps import StepResult
from engine.views import TaskView

from ..beneficiaries.models import OPEN_STATUSES, Beneficiary, Enrolment
from ..entitlements import Entitlements
from ..forms import FormInvalid, load_form
from ..org.models import Area
from ..programmes import PROGRAMMES, SOCIAL, Merit
from . import faults, generation, ledger
from .common import CYCLE_LEVEL, DEFAULT_CYCLE_LEVEL, PROCESS, business_key, parse_month
from .forms import CHECKS
from .models import PayoutCycle, PayoutRate
from .notices import NoticeSweep, deliver_notices
from .rates import rate_rows

C = PayoutCycle.__table__
START_BATCH = 50  # cycles started in one transaction


@dataclass(frozen=True)
class CycleStart:
    cycle_id: int
    business_key: str
    instance_id: int | None
    created: bool  # False: the cycle existed already and nothing was done


@dataclass(frozen=True)
class StepDone:
    step: StepResult
    notices: NoticeSweep  # payout_failed notices delivered after the step (failed transfers)


def cycle_level(structure: str) -> str:
    return CYCLE_LEVEL.get(structure, DEFAULT_CYCLE_LEVEL)


def start_cycle(
    ctx: EngineContext,
    area_code: str,
    month: date | str,
    actor: str | None = None,
    entitlements: Entitlements | None = None,
    programme: str = SOCIAL,
    merit: Merit | None = None,
) -> CycleStart:
    """Start the payout of ``month`` for ``area_code`` and ``programme``: the cycle, its rates, its
    instance and its list."""
    if programme not in PROGRAMMES:
        raise ValidationError.single(
            f"unknown programme {programme!r}; the programmes are {', '.join(PROGRAMMES)}"
        )
    month = parse_month(month)
    key = business_key(area_code, month, programme)
    existing = _find(ctx, key)
    if existing is not None:
        return existing
    now = ctx.now()

    def prepare(conn) -> None:
        if conn.execute(select(Area.code).where(Area.code == area_code)).scalar() is None:
            raise NotFound(f"area {area_code} does not exist")
        cycle_id = conn.execute(
            insert(C).returning(C.c.id),
            {
                "business_key": key, "area_code": area_code, "month": month, "status": "draft",
                "programme": programme,
                "line_count": 0, "total_amount": 0, "created_at": now, "updated_at": now,
            },
        ).scalar_one()  # fmt: skip
        copy_rows(conn, PayoutRate.__table__, rate_rows(cycle_id, month, entitlements, programme, merit))
        generation.generate(conn, cycle_id, now)

    data = {"cycle": key, "month": f"{month:%Y-%m}", "programme": programme}
    try:
        step = engine.start_instance(ctx, PROCESS, key, area_code, data, actor=actor, prepare=prepare)
    except IntegrityError:  # started by someone else meanwhile
        found = _find(ctx, key)
        if found is None:
            raise
        return found
    faults.checkpoint("start.after_commit")
    found = _find(ctx, key)
    return CycleStart(found.cycle_id, key, step.instance_id, True)


def start_cycles(
    ctx: EngineContext,
    root_area: str,
    month: date | str,
    actor: str | None = None,
    level: str | None = None,
    entitlements: Entitlements | None = None,
    programmes: tuple[str, ...] = PROGRAMMES,
    merit: Merit | None = None,
) -> list[CycleStart]:
    """One cycle per programme and area at the cycle level under ``root_area`` (a province) that has
    anyone enrolled in that programme (people being onboarded included: they are paid in cash)."""
    with ctx.db.read() as session:
        wanted = _cycle_areas(session, [root_area], level, programmes)
    return start_many(ctx, wanted, month, actor, entitlements, merit)


def start_many(
    ctx: EngineContext,
    wanted: list[tuple[str, str]],
    month: date | str,
    actor: str | None = None,
    entitlements: Entitlements | None = None,
    merit: Merit | None = None,
) -> list[CycleStart]:
    """``start_cycle`` for each (programme, area) in ``wanted``, in committed batches: each batch's cycles,
    rates and lists written together, then its instances started at once (one run, the others copied:
    ``engine.batch.start_instances``). A cycle that exists already is returned as it is; a batch that
    meets a cycle started meanwhile by someone else is started one cycle at a time."""
    month = parse_month(month)
    keys = {business_key(area, month, programme): (programme, area) for programme, area in wanted}
    with ctx.db.read() as session:
        found = {
            row.business_key: CycleStart(row.id, row.business_key, row.instance_id, False)
            for row in session.execute(
                select(C.c.business_key, C.c.id, C.c.instance_id).where(C.c.business_key.in_(list(keys)))
            )
        }
    todo = [(key, *keys[key]) for key in keys if key not in found]
    started: dict[str, CycleStart] = {}
    rates = {
        programme: rate_rows(0, month, entitlements, programme, merit)
        for programme in {p for _, p, _ in todo}
    }
    for at in range(0, len(todo), START_BATCH):
        batch = todo[at : at + START_BATCH]
        try:
            started |= _start_batch(ctx, batch, month, actor, rates)
        except IntegrityError:  # someone started one of them meanwhile
            for key, programme, area in batch:
                started[key] = start_cycle(ctx, area, month, actor, entitlements, programme, merit)
    return [started.get(key) or found[key] for key in keys]


def _start_batch(ctx: EngineContext, batch: list, month: date, actor: str | None, rates: dict) -> dict:
    now = ctx.now()
    with ctx.db.transaction() as conn:
        made = conn.execute(
            insert(C).returning(C.c.business_key, C.c.id),
            [
                {"business_key": key, "area_code": area, "month": month, "status": "draft",
                 "programme": programme, "line_count": 0, "total_amount": 0, "created_at": now,
                 "updated_at": now}
                for key, programme, area in batch
            ],
        )  # fmt: skip
        cycles = dict(made.all())
        copy_rows(
            conn,
            PayoutRate.__table__,
            [{**r, "cycle_id": cycles[key]} for key, programme, _ in batch for r in rates[programme]],
        )
        generation.generate_many(conn, list(cycles.values()), now)
        starts = [
            NewInstance(key, area, {"cycle": key, "month": f"{month:%Y-%m}", "programme": programme})
            for key, programme, area in batch
        ]
        instances = start_instances(ctx, conn, PROCESS, starts, path_keys=("month", "programme"), actor=actor)
        conn.execute(
            update(C).where(C.c.business_key == bindparam("key")).values(instance_id=bindparam("instance")),
            [{"key": key, "instance": instance} for key, instance in instances.items()],
        )
    return {key: CycleStart(cycles[key], key, instances[key], True) for key, _, _ in batch}


def _cycle_areas(session, roots: list[str], level: str | None, programmes: tuple[str, ...]) -> list[tuple]:
    """(programme, area) of every cycle to start under ``roots``, root by root: who is enrolled where is
    read once for all of them (a whole-table scan at national scale)."""
    found: dict[str, Area] = {}
    for code in roots:
        root = session.get(Area, code)
        if root is None:
            raise NotFound(f"area {code} does not exist")
        found[code] = root
    areas = {
        a.code: a
        for a in session.scalars(
            select(Area).where(Area.structure.in_({r.structure for r in found.values()}))
        )
    }
    enrolled = {
        programme: list(session.execute(_enrolled_areas(programme)).scalars()) for programme in programmes
    }
    started = []
    for code, root in found.items():
        at = level or cycle_level(root.structure)
        wanted = set()
        for programme in programmes:
            for commune in enrolled[programme]:
                area = areas.get(commune)
                while area is not None and area.level != at:
                    area = areas.get(area.parent_code)
                if area is not None and _under(areas, area, code):
                    wanted.add((programme, area.code))
        started += sorted(wanted, key=lambda pc: (PROGRAMMES.index(pc[0]), pc[1]))
    return started


def _enrolled_areas(programme: str):
    """The areas where someone may be owed by ``programme`` (not the rejected or duplicates)."""
    enrolled = select(Enrolment.beneficiary_code).where(Enrolment.programme == programme)
    who = Beneficiary.code.in_(enrolled)
    if programme == SOCIAL:
        who = or_(who, Beneficiary.status.in_(OPEN_STATUSES))
    return (
        select(Beneficiary.area_code)
        .where(who, Beneficiary.status.not_in(("rejected", "duplicate")))
        .distinct()
    )


def start_monthly_cycles(ctx: EngineContext, month: date | str) -> list[CycleStart]:
    """The scheduler's monthly job: every province's cycles for ``month`` (areas with someone to pay).
    Safe to run again: a cycle already started is returned as it is."""
    with ctx.db.read() as session:
        provinces = list(
            session.scalars(select(Area.code).where(Area.level == "province").order_by(Area.code))
        )
        wanted = _cycle_areas(session, provinces, None, PROGRAMMES)
    return start_many(ctx, wanted, month, "scheduler")


def _under(areas: dict, area, root: str) -> bool:
    while area is not None:
        if area.code == root:
            return True
        area = areas.get(area.parent_code)
    return False


def _find(ctx: EngineContext, key: str) -> CycleStart | None:
    with ctx.db.read() as session:
        row = session.execute(select(C.c.id, C.c.instance_id).where(C.c.business_key == key)).one_or_none()
    return None if row is None else CycleStart(row.id, key, row.instance_id, False)


def submit(
    ctx: EngineContext,
    task_id: str,
    raw: dict[str, Any],
    user: str | None = None,
    expected_version: int | None = None,
) -> StepDone:
    """Validate a payout step's form and the cycle's books, then complete the task (FormInvalid if not)."""
    return _submit(ctx, engine.get_task(ctx, task_id), raw, user, expected_version)


def _submit(ctx: EngineContext, task: TaskView, raw: dict[str, Any], user, expected_version) -> StepDone:
    if task.process_key != PROCESS or not task.form_key:
        raise ValidationError.single(f"task {task.id} is not a step of a payout cycle")
    data = load_form(task.form_key, raw)
    check = CHECKS.get(task.form_key)
    if check is not None:  # a step without a check needs no look at the books (its handler holds lines)
        with ctx.db.transaction() as conn:  # the checks see the lines of people who exited held
            cycle = conn.execute(select(C).where(C.c.business_key == task.business_key)).one()
            ledger.hold_exited(conn, cycle.id, ctx.now())
            problems = check(conn, cycle, data)
        if problems:
            raise FormInvalid(problems)
    step = engine.complete_task(ctx, task.id, data, user=user, expected_version=expected_version)
    return StepDone(step, deliver_notices(ctx, cycle_key=task.business_key))


def open_step(ctx: EngineContext, cycle_id: int, bpmn_id: str | None = None):
    """The cycle's open task (with ``bpmn_id``, that one); None when there is none."""
    with ctx.db.read() as session:
        instance_id = session.execute(select(C.c.instance_id).where(C.c.id == cycle_id)).scalar()
    if instance_id is None:
        return None
    tasks = engine.list_tasks(ctx, instance_id=instance_id)
    return next((t for t in tasks if bpmn_id is None or t.bpmn_id == bpmn_id), None)


def do_step(ctx: EngineContext, cycle_id: int, bpmn_id: str, raw: dict[str, Any], user: str | None = None):
    """Submit the form of the cycle's open ``bpmn_id`` task (the CLI's and the simulation's way in)."""
    task = open_step(ctx, cycle_id, bpmn_id)
    if task is None:
        raise NotFound(f"cycle {cycle_id} has no open step {bpmn_id!r}")
    return _submit(ctx, task, raw, user, None)
