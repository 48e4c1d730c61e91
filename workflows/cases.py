"""The beneficiary's case as the rest of the product sees it: open one, submit a step's form, find who
must act. Views and the CLI call these; they validate, then call the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.steps import StepResult
from engine.views import TaskView

from . import case as _steps  # noqa: F401  (registers the case's forms, checks and handlers)
from .beneficiaries.models import Enrolment
from .beneficiaries.records import create_record, get_record, open_case_with_cccd
from .forms import CHECKS, FormInvalid, load_form
from .org import Agency, resolve_agency
from .payouts.common import PROCESS as PAYOUT_PROCESS

PROCESS = "beneficiary_case"
START_STEPS = ("outreach", "active_cashless")  # the statuses a case can begin in (see gw_entry)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Routed:
    """An open task and the agency that must do it."""

    task: TaskView
    agency_code: str
    agency_name: str


@dataclass(frozen=True)
class Submission:
    step: StepResult
    next_tasks: list[Routed]


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

    from .beneficiaries.codes import new_codes
    from .roster.programmes import programme_of

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
        return NewCase(code, step, [route(ctx, t) for t in step.open_tasks])
    raise AssertionError("unreachable")


def submit(
    ctx: EngineContext,
    task_id: str,
    raw: dict[str, Any],
    user: str | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Validate a step's form (schema, then the step's record checks) and complete the task with it.

    Raises FormInvalid with field-level Vietnamese messages; nothing is changed then.
    """
    task = engine.get_task(ctx, task_id)
    if task.process_key == PAYOUT_PROCESS:  # a payout step is checked against its cycle's books
        from .payouts import submit as submit_payout

        step = submit_payout(ctx, task_id, raw, user=user, expected_version=expected_version).step
        return Submission(step, [route(ctx, t) for t in step.open_tasks])
    if not task.form_key:
        raise FormInvalid({"_schema": [f"Bước {task.name or task.bpmn_id} không có biểu mẫu."]})
    data = load_form(task.form_key, raw)
    check = CHECKS.get(task.form_key)
    if check is not None:
        with ctx.db.read() as session:
            problems = check(session, get_record(session, task.business_key), data)
        if problems:
            raise FormInvalid(problems)
    step = engine.complete_task(ctx, task_id, data, user=user, expected_version=expected_version)
    return Submission(step, [route(ctx, t) for t in step.open_tasks])


def route(ctx: EngineContext, task: TaskView, on: date | None = None) -> Routed:
    """Who must do ``task``: the agency assigned its role at the nearest area at or above the case's."""
    with ctx.db.read() as session:
        agency: Agency = resolve_agency(session, task.role, task.area_code, on or local_today(ctx.now()))
        return Routed(task, agency.code, agency.name)


def local_today(moment: datetime) -> date:
    """The date in Vietnam at ``moment`` (deadlines and effective dates are Vietnamese dates)."""
    return moment.astimezone(VIETNAM).date()
