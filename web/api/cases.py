"""Cases and beneficiaries: list and search within the caller's areas, show one (numbers masked as the
caller's roles require, unmasked views recorded), open a new one (the commune's role)."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.errors import NotFound
from workflows.case import service as cases
from workflows.case.service import case_record, show_case
from workflows.case_listing import list_cases

from ..security import ctx
from . import schemas as s
from .access import caller, caller_scope, needs, principal
from .base import api_blueprint
from .errors import ApiProblem, not_found

blp = api_blueprint("cases", "/cases", "Beneficiaries' cases in the caller's areas.")
people = api_blueprint("beneficiaries", "/beneficiaries", "Beneficiaries' records in the caller's areas.")


@blp.get("")
@needs("cases:read")
@blp.arguments(s.CaseQuery, location="query", as_kwargs=True)
@blp.response(200, s.CasePageSchema)
def list_all(page=1, q=None, area=None, status=None):
    """Cases in the caller's areas, by name; ``q`` searches names (diacritics ignored) or CCCD digits."""
    with ctx().db.read() as db:
        return list_cases(db, caller_scope(), search=q, area=area, status=status, page=page)


@blp.get("/<code>")
@needs("cases:read")
@blp.response(200, s.CaseSchema)
def show(code: str):
    """The case: the record, where it stands (its open tasks) and its timeline."""
    try:
        page = show_case(ctx(), code, caller(), with_diagram=False)
    except NotFound:
        raise not_found() from None
    return {
        "record": page.record, "instance_id": page.record.instance_id, "open_tasks": page.open_tasks,
        "timeline": page.timeline,
    }  # fmt: skip


@blp.post("")
@needs("cases:write")
@blp.arguments(s.OpenCaseBody)
@blp.response(201, s.OpenedSchema)
def open_case(body):
    """Open a beneficiary's case at outreach, in a commune where the caller plays the commune's role."""
    if not caller_scope().covers("commune", body["area_code"]):
        message = _("Chỉ cơ quan cấp xã của địa bàn này được mở hồ sơ.")
        raise ApiProblem(403, "forbidden", message, [{"field": "area_code", "message": message}])
    step = cases.open_case(
        ctx(),
        body["code"],
        body["area_code"],
        body["full_name"],
        body["category_code"],
        actor=principal().actor,
    )
    return {"code": body["code"], "instance_id": step.instance_id, "open_tasks": step.open_tasks}


@people.get("")
@needs("beneficiaries:read")
@people.arguments(s.CaseQuery, location="query", as_kwargs=True)
@people.response(200, s.CasePageSchema)
def list_people(page=1, q=None, area=None, status=None):
    """Beneficiaries in the caller's areas (the same list as the cases', by record)."""
    with ctx().db.read() as db:
        return list_cases(db, caller_scope(), search=q, area=area, status=status, page=page)


@people.get("/<code>")
@needs("beneficiaries:read")
@people.response(200, s.RecordSchema)
def show_person(code: str):
    """One beneficiary's record."""
    return _record(code)


def _record(code: str):
    try:
        return case_record(ctx(), code, caller())
    except NotFound:
        raise not_found() from None
