"""The province's figures, as the dashboard shows them (``workflows.dashboard``): every figure of an area
(cases at each step, cashless coverage against targets, open and overdue work, payouts by month and this
month's progress) and the month's report. For those who watch a territory (district People's Committee,
labour office, province department) within their areas, and administrators; to anyone else, 404."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.errors import NotFound
from workflows.dashboard import dashboard_page
from workflows.dashboard.monthly_report import monthly_report
from workflows.payouts.common import parse_month

from ..security import ctx
from .access import caller_scope, needs, principal
from .base import api_blueprint
from .errors import not_found
from .schemas import CycleQuery

Int, Str = fields.Integer, fields.String
AREA = {"description": "an area code in the caller's view (default: the top of it)"}
blp = api_blueprint("reports", "/reports", "The dashboard's figures and the monthly report of an area.")


class DashboardQuery(Schema):
    area = Str(validate=validate.Length(max=60), metadata=AREA)
    months = Int(
        load_default=12, validate=validate.Range(min=1, max=36), metadata={"description": "payout months"}
    )


class PlaceSchema(Schema):
    code = Str(required=True)
    name = Str(required=True)
    level = Str(required=True, metadata={"description": "province | district | commune"})
    parent_code = Str(allow_none=True)


class FunnelStepSchema(Schema):
    step = Str(required=True)
    name = Str(required=True)
    count = Int(required=True)
    bands = fields.List(Int(), required=True, metadata={"description": "waiting < 7, 7–30, 30–90, > 90 days"})
    oldest_days = Int(allow_none=True)


class FunnelSchema(Schema):
    steps = fields.List(fields.Nested(FunnelStepSchema), required=True)
    by_row = fields.Dict(
        Str(), fields.Dict(Str(), Int()), required=True, metadata={"description": "row → step → people"}
    )


class TargetSchema(Schema):
    area_code = Str(required=True)
    due_on = fields.Date(required=True)
    share_pct = Int(required=True)
    note = Str(allow_none=True)
    set_by = Str(required=True)
    set_at = fields.DateTime(required=True)
    inherited_from = Str(allow_none=True)


class CoverageSchema(Schema):
    code = Str(required=True)
    name = Str(required=True)
    active = Int(required=True)
    by_account = Int(required=True)
    in_cash = Int(required=True)
    share_pct = fields.Float(allow_none=True, metadata={"description": "by account, % of the active"})
    below_target = fields.Boolean(required=True)
    target = fields.Nested(TargetSchema, allow_none=True)


class WorkRowSchema(Schema):
    agency = Str(required=True)
    role = Str(required=True)
    step = Str(required=True)
    step_name = Str(required=True)
    open = Int(required=True)
    overdue = Int(required=True)


class EscalationSchema(Schema):
    agency = Str(required=True)
    step = Str(required=True)
    step_name = Str(required=True)
    count = Int(required=True)


class WorkSchema(Schema):
    rows = fields.List(fields.Nested(WorkRowSchema), required=True)
    by_row = fields.Dict(
        Str(), fields.List(Int()), required=True, metadata={"description": "row → [open, overdue]"}
    )
    escalations = fields.List(
        fields.Nested(EscalationSchema), required=True, metadata={"description": "this month"}
    )


class TallySchema(Schema):
    lines = Int(required=True)
    amount = Int(required=True, metadata={"description": "đồng"})


class MonthSchema(Schema):
    month = fields.Date(required=True)
    outcomes = fields.Dict(
        Str(), fields.Nested(TallySchema), required=True,
        metadata={"description": "account | cash | fallback | not_collected | returned | pending"},
    )  # fmt: skip
    by_account = fields.Nested(TallySchema, required=True)
    paid = fields.Nested(TallySchema, required=True)
    total = fields.Nested(TallySchema, required=True)


class ProgressSchema(Schema):
    code = Str(required=True)
    name = Str(required=True)
    lines = Int(required=True)
    paid = Int(required=True)
    amount = Int(required=True)
    paid_amount = Int(required=True)
    share_pct = fields.Float(required=True)


class PayoutsSchema(Schema):
    months = fields.List(fields.Nested(MonthSchema), required=True, metadata={"description": "oldest first"})
    progress = fields.List(
        fields.Nested(ProgressSchema), required=True, metadata={"description": "this month"}
    )


class DashboardSchema(Schema):
    area = fields.Nested(PlaceSchema, allow_none=True, attribute="frame.area")
    trail = fields.List(fields.Nested(PlaceSchema), required=True, attribute="frame.trail")
    rows = fields.List(fields.Nested(PlaceSchema), required=True, attribute="frame.rows")
    today = fields.Date(required=True)
    this_month = fields.Date(required=True)
    funnel = fields.Nested(FunnelSchema, required=True)
    coverage = fields.List(fields.Nested(CoverageSchema), required=True)
    work = fields.Nested(WorkSchema, required=True)
    payouts = fields.Nested(PayoutsSchema, required=True)


class ReportRowSchema(Schema):
    name = Str(required=True)
    values = fields.List(Int(), required=True, metadata={"description": "lines, amount per group, flattened"})


class MonthlyReportSchema(Schema):
    area_code = Str(required=True)
    area_name = Str(required=True)
    month = fields.Date(required=True)
    due_on = fields.Date(required=True, metadata={"description": "the report is due before this day"})
    issued_on = fields.Date(required=True)
    issuer = Str(required=True)
    recipient = Str(required=True)
    place = Str(required=True)
    groups = fields.List(Str(), required=True)
    rows = fields.List(fields.Nested(ReportRowSchema), required=True)
    total = fields.Nested(ReportRowSchema, required=True)


class MonthlyQuery(CycleQuery):
    area = Str(validate=validate.Length(max=60), metadata=AREA)


@blp.get("/dashboard")
@needs("reports:read")
@blp.arguments(DashboardQuery, location="query", as_kwargs=True)
@blp.response(200, DashboardSchema)
def dashboard(area=None, months=12):
    """Every figure of the dashboard for ``area``: one level down in ``rows`` (a drill-down)."""
    try:
        return dashboard_page(ctx(), caller_scope(), principal().is_admin, area or None, months)
    except NotFound:
        raise not_found() from None


@blp.get("/monthly")
@needs("reports:read")
@blp.arguments(MonthlyQuery, location="query", as_kwargs=True)
@blp.response(200, MonthlyReportSchema)
def monthly(area=None, month=None):
    """The month's payout report of ``area`` (``month`` YYYY-MM, default the month just paid), due
    before the 12th; an administrator watching several provinces names one."""
    try:
        return monthly_report(
            ctx(), caller_scope(), principal().is_admin, area or None, parse_month(month) if month else None
        )
    except NotFound:
        raise not_found() from None
