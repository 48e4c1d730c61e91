"""The province department's own year as BPMN (bpmn/province_year.bpmn): it sets the year's coverage
targets for its localities (plan V.1), reviews the first year of the plan (sơ kết, plan I.2) and every
November checks and reports to the Ministry and the province (plan III.6). The scheduler starts one
instance per province and year; each review gets the year's figures attached as xlsx.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time

from marshmallow import Schema, ValidationError, validates_schema
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.models import Instance
from engine.services import ServiceCall

from ..deadlines.calendar import VIETNAM
from ..forms import form
from ..forms.fields import choice, flag, require_when, text
from ..org.areas import subtree_query
from ..org.models import Area, RoleAssignment
from ..services import registry
from ..tasks.registry import TaskPageParts, task_page
from ..tasks.service import submit_form as _submit_form
from .models import CoverageTarget, ReviewDocument
from .year_figures import year_figures_xlsx

PROCESS = "province_year"
PLAN_START = date(2024, 2, 28)  # Kế hoạch 700/KH-UBND tỉnh Kon Tum, 28/02/2024
REVIEW_MONTH = 11  # "định kỳ tháng 11 hằng năm"
KINDS = {"annual": "Kiểm tra, đánh giá hằng năm", "one_year": "Sơ kết một năm thực hiện Kế hoạch"}
DECISIONS = {"approve": "Duyệt, gửi Bộ và UBND tỉnh", "revise": "Trả lại để sửa"}

_D = ReviewDocument.__table__
_T = CoverageTarget.__table__


@dataclass(frozen=True)
class YearStart:
    business_key: str
    instance_id: int
    created: bool


@dataclass(frozen=True)
class Document:
    id: int
    kind: str
    filename: str
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class YearView:
    business_key: str
    province: str
    year: int
    documents: list[Document]


def business_key(province: str, year: int) -> str:
    return f"YEAR-{province}-{year}"


def is_year_key(key: str) -> bool:
    return key.startswith("YEAR-")


def parse_key(key: str) -> tuple[str, int]:
    """``YEAR-2024:62-2026`` → (province code, year)."""
    province, year = key.removeprefix("YEAR-").rsplit("-", 1)
    return province, int(year)


def moments(year: int, plan_start: date = PLAN_START) -> dict[str, str]:
    """The timers' dates (ISO with Vietnam's offset): the November review, and the one-year review when
    the plan's first anniversary falls in ``year`` (else "")."""
    at = lambda day: datetime.combine(day, time(8, 0), VIETNAM).isoformat()  # noqa: E731
    anniversary = _anniversary(plan_start)
    return {
        "review_at": at(date(year, REVIEW_MONTH, 1)),
        "one_year_at": at(anniversary) if anniversary.year == year else "",
    }


def start_year(
    ctx: EngineContext, province: str, year: int, actor: str | None = None, plan_start: date = PLAN_START
) -> YearStart:
    """Start ``province``'s year (once: starting it again returns the running one)."""
    key = business_key(province, year)
    found = _find(ctx, key)
    if found is not None:
        return YearStart(key, found, False)
    data = {
        "year": year,
        "province": province,
        "plan_start": plan_start.isoformat(),
        **moments(year, plan_start),
    }
    step = engine.start_instance(ctx, PROCESS, key, province, data, actor=actor)
    return YearStart(key, step.instance_id, True)


def start_years(ctx: EngineContext, year: int) -> list[YearStart]:
    """The scheduler's yearly job: every province whose department (``dolisa``) is assigned that year."""
    first = date(year, 1, 1)
    with ctx.db.read() as session:
        provinces = session.scalars(
            select(Area.code)
            .join(RoleAssignment, RoleAssignment.area_code == Area.code)
            .where(Area.level == "province", RoleAssignment.role == "dolisa")
            .where((RoleAssignment.effective_to.is_(None)) | (RoleAssignment.effective_to > first))
            .distinct()
            .order_by(Area.code)
        ).all()
    return [start_year(ctx, code, year, actor="scheduler") for code in provinces]


def year_view(ctx: EngineContext, key: str) -> YearView:
    """What a task of the year is shown beside: the year and the documents attached so far."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(_D.c.id, _D.c.kind, _D.c.filename, _D.c.sha256, _D.c.created_at)
            .where(_D.c.business_key == key)
            .order_by(_D.c.id)
        ).all()
    province, year = parse_key(key)
    return YearView(key, province, year, [Document(*row) for row in rows])


def get_document(ctx: EngineContext, document_id: int) -> tuple[str, str, bytes] | None:
    """(business key, file name, content) of an attached document."""
    with ctx.db.read() as session:
        row = session.execute(
            select(_D.c.business_key, _D.c.filename, _D.c.content).where(_D.c.id == document_id)
        ).one_or_none()
    return None if row is None else (row.business_key, row.filename, row.content)


# --- forms ----------------------------------------------------------------------------------------------


@form("year_targets")
class TargetsForm(Schema):
    confirmed = flag("Đã giao chỉ tiêu cho các địa phương trên bảng tình hình")
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def must_confirm(self, data, **_):
        if not data.get("confirmed"):
            raise ValidationError({"confirmed": ["Vui lòng xác nhận đã giao chỉ tiêu."]})


@form("year_review_report")
class ReportForm(Schema):
    report_number = text("Số hiệu báo cáo", max_length=60, help="Ví dụ: 125/BC-SLĐTBXH")
    summary = text("Kết quả thực hiện, đánh giá", max_length=5000, widget="textarea")
    recommendations = text("Kiến nghị, đề xuất", required=False, max_length=3000, widget="textarea")


@form("year_review_approval")
class ApprovalForm(Schema):
    decision = choice("Quyết định", DECISIONS, widget="radio")
    note = text("Ý kiến", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        require_when(data, "note", "Lý do trả lại", data.get("decision") == "revise", errors)
        if errors:
            raise ValidationError(errors)


# --- service-task handlers -----------------------------------------------------------------------------


@registry.handler("province_year.check_targets")
def check_targets(call: ServiceCall) -> dict:
    """How many targets fall due in the year for areas of the province: none sends the task back."""
    year = int(call.data["year"])
    count = call.db.execute(
        select(func.count())
        .select_from(_T)
        .where(_T.c.area_code.in_(subtree_query(call.area_code)))
        .where(_T.c.due_on.between(date(year, 1, 1), date(year, 12, 31)))
    ).scalar()
    return {"count": int(count or 0)}


@registry.handler("province_year.attach_figures")
def attach_figures(call: ServiceCall) -> dict:
    """The figures up to the review's month, as xlsx, kept with the year (in the step's transaction)."""
    kind = str(call.params["kind"])
    today = call.at.astimezone(VIETNAM).date()
    year = int(call.data["year"])
    months = 12 if kind == "one_year" or today.year != year else today.month  # the plan's year, or Jan→now
    with Session(bind=call.db) as session:
        content = year_figures_xlsx(session, call.area_code, today, KINDS[kind], months)
    digest = hashlib.sha256(content).hexdigest()
    filename = f"so-lieu-{kind.replace('_', '-')}-{call.area_code.replace(':', '-')}-{year}.xlsx"
    document_id = call.db.execute(
        insert(_D).returning(_D.c.id),
        {"business_key": call.business_key, "kind": kind, "filename": filename, "content": content,
         "sha256": digest, "created_at": call.at},
    ).scalar_one()  # fmt: skip
    return {"document_id": document_id, "sha256": digest}


@registry.handler("province_year.record_sent")
def record_sent(call: ServiceCall) -> dict:
    return {"kind": str(call.params["kind"]), "sent_at": call.at.isoformat()}


def _anniversary(start: date) -> date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _find(ctx: EngineContext, key: str) -> int | None:
    with ctx.db.read() as session:
        return session.scalar(
            select(Instance.id).where(Instance.process_key == PROCESS, Instance.business_key == key)
        )


def _beside(ctx: EngineContext, task, roles: tuple[str, ...], viewer: str) -> YearView:
    return year_view(ctx, task.business_key)


task_page(PROCESS, TaskPageParts(kind="year", beside=_beside, submit=_submit_form))
