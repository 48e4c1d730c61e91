"""The beneficiary's case: open one (from a roll, a decision or the API) and show one. Views and the
CLI call these; each opens its own unit of work and returns plain data. A step's form is submitted
through ``workflows.tasks``; this process's part of the task page is registered in ``task_page``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.errors import NotFound
from engine.steps import StepResult
from engine.views import TaskView

from ..beneficiaries.models import Beneficiary, Enrolment
from ..beneficiaries.records import create_record, open_case_with_cccd
from ..deadlines import local_date
from ..forms import FormInvalid, load_form
from ..org import ROLES, resolve_agency
from ..programme_work import programmes_of
from ..tasks.routing import Routed, route
from ..tasks.service import Viewer
from .access import case_open_to
from .summary import CaseSummary, case_summary, instance_of
from .timeline import Diagram, TimelineEntry, case_diagram, timeline

PROCESS = "beneficiary_case"
START_STEPS = ("outreach", "active_cashless")  # the statuses a case can begin in (see gw_entry)


def open_case(
    ctx: EngineContext,
    code: str,
    area_code: str,
    full_name: str,
    category_code: str,
    *,
    actor: str | None = None,
    start_at: str = "outreach",
    origin: dict[str, Any] | None = None,
    enrolment: dict[str, Any] | None = None,
    **details: Any,
) -> StepResult:
    """Create the beneficiary's record and start their case, together or not at all.

    ``start_at`` is where the case begins: ``outreach`` (a new person, or one still paid in cash) or
    ``active_cashless`` (someone on an existing roll already paid into an account). ``origin`` says where
    the case came from (a roll's file and row, a decision); it is written into the case's first history
    line. ``enrolment`` (programme, category, months owed) is stored with the record when given.
    """
    if start_at not in START_STEPS:
        raise ValueError(f"a case starts at {' or '.join(START_STEPS)}, not {start_at!r}")
    at = ctx.now()

    def create(conn) -> None:
        with Session(bind=conn) as session:
            cccd = details.get("cccd")
            if cccd and open_case_with_cccd(session, cccd):
                raise FormInvalid({"cccd": ["Số CCCD này đã có trong một hồ sơ đang mở."]})
            create_record(session, code, area_code, category_code, full_name, at, status=start_at, **details)
            if enrolment is not None:
                session.add(
                    Enrolment(beneficiary_code=code, category_code=category_code, created_at=at, **enrolment)
                )
                session.flush()

    initial = {"beneficiary": code, "category_code": category_code, "start_at": start_at}
    return engine.start_instance(
        ctx, PROCESS, code, area_code, initial, actor=actor, prepare=create, origin=origin
    )


@dataclass(frozen=True)
class NewCase:
    code: str
    step: StepResult
    next_tasks: list[Routed]


def open_new_case(ctx: EngineContext, commune: str, raw: dict[str, Any], actor: str) -> NewCase:
    """A commune officer opens the case of a newly approved person (form ``new_case``: the decision, the
    category, the month owed from, the person). Raises FormInvalid with field-level messages."""
    from sqlalchemy.exc import IntegrityError

    from ..beneficiaries.codes import new_codes
    from ..roster.programmes import programme_of

    data = load_form("new_case", raw)
    has_cccd = data.get("has_cccd", True)
    details = {
        "date_of_birth": date.fromisoformat(data["date_of_birth"]), "gender": data["gender"],
        "cccd": data.get("cccd") if has_cccd else None, "phone": data.get("phone"),
        "village": data["village"], "address": data.get("address"),
    }  # fmt: skip
    first = date.fromisoformat(data["entitled_from"]).replace(day=1)
    enrolment = {
        "programme": programme_of(data["category_code"]), "entitled_from": first,
        "children_count": int(data["children_count"]) if data.get("children_count") else None,
        "source": f"decision {data['decision_number']} of {data['decision_date']}"[:200],
    }  # fmt: skip
    origin = {"decision": data["decision_number"], "decision_date": data["decision_date"]}
    for attempt in range(3):  # two officers taking the same next number: the later one takes the one after
        with ctx.db.read() as session:
            (code,) = new_codes(session.connection(), commune.rpartition(":")[2], 1)
        try:
            step = open_case(
                ctx, code, commune, data["full_name"], data["category_code"], actor=actor, origin=origin,
                enrolment=enrolment, **details,
            )  # fmt: skip
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        return NewCase(code, step, route(ctx, step.open_tasks))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class CasePage:
    record: CaseSummary
    open_tasks: list[TaskView]
    timeline: list[TimelineEntry]
    diagram: Diagram | None


def case_record(ctx: EngineContext, code: str, viewer: Viewer) -> CaseSummary:
    """The case's record for ``viewer`` (masked as their roles require); NotFound unless it is in their
    areas or waits on work their agency supervises (``case_open_to``)."""
    with ctx.db.read() as session:
        if not case_open_to(session, viewer.scope, code, local_date(ctx.now())):
            raise NotFound(f"case {code} does not exist")
    return case_summary(ctx, code, viewer.scope.roles, viewer.username)


def show_case(ctx: EngineContext, code: str, viewer: Viewer, with_diagram: bool = True) -> CasePage:
    """A case for ``viewer``: its record (masked as their roles require), where it stands, its timeline
    and diagram. NotFound to a viewer who may not open it (``case_record``)."""
    record = case_record(ctx, code, viewer)
    if record.instance_id is None:
        return CasePage(record, [], [], None)
    instance = engine.get_instance(ctx, record.instance_id)
    history = engine.instance_history(ctx, record.instance_id)
    diagram = case_diagram(ctx, record.instance_id, instance.open_tasks, history) if with_diagram else None
    return CasePage(record, instance.open_tasks, timeline(ctx, record.instance_id, history), diagram)


def case_bpmn(ctx: EngineContext, code: str, viewer: Viewer, say: Callable[[str], str] | None = None) -> str:
    """The BPMN the case runs on (its own version), for its diagram, its lanes named by the agencies that
    play them and, with ``say``, its other names said in the reader's language; NotFound to a viewer who
    may not open the case."""
    with ctx.db.read() as session:
        if not case_open_to(session, viewer.scope, code, local_date(ctx.now())):
            raise NotFound(f"case {code} does not exist")
    instance_id = instance_of(ctx, code)
    if instance_id is None:
        raise NotFound(f"case {code} has no process")
    source = engine.instance_source(ctx, instance_id)
    return engine.rename_lanes(source, _lane_names(ctx, code, instance_id), say)


def _lane_names(ctx: EngineContext, code: str, instance_id: int) -> dict[str, str]:
    """Role → the name of the agency that plays it for this case today (its area, its programme): a lane
    is named by its role in the BPMN (``commune``), people read who does the work."""
    today = local_date(ctx.now())
    with ctx.db.read() as session:
        area_code = session.scalar(select(Beneficiary.area_code).where(Beneficiary.code == code))
        programme = programmes_of(session.connection(), [instance_id])[instance_id]
        names = {}
        for role in ROLES:
            try:
                names[role] = resolve_agency(session, role, area_code, today, programme).name
            except NotFound:
                continue
    return names
