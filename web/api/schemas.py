"""The API's query, body and answer schemas. A task's form data is checked by the step's own form schema
(``workflows.forms``: the one the page renders and validates with), never a copy of it here."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

Str = fields.String


class Said(fields.String):
    """A domain word — a step's name, a form's label or option, a status — in the caller's language
    (``Accept-Language``), as the pages say it; data (names, places, free text) passes as written."""

    def _serialize(self, value, attr, obj, **kwargs):
        from ..domain_text import say  # web.domain_text imports web.api: imported when first used

        text = super()._serialize(value, attr, obj, **kwargs)
        return text if text is None else say(text)


class SaidDetail(fields.String):
    """A timeline entry's detail (``TimelineEntry.detail``), each of its words in the caller's language."""

    def _serialize(self, value, attr, obj, **kwargs):
        from ..domain_text import say

        return obj.detail(say)


class SaidReport(fields.String):
    """A row report's sentence (a roll's rejected row, a data check's result) in the caller's language."""

    def _serialize(self, value, attr, obj, **kwargs):
        from ..report_text import say_report

        text = super()._serialize(value, attr, obj, **kwargs)
        return text if text is None else say_report(text)


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


class PageInfo(Schema):
    page = fields.Integer(required=True)
    has_next = fields.Boolean(required=True)


# --- tasks ---------------------------------------------------------------------------------------------
class TaskQuery(PageQuery):
    claimed = Str(
        validate=validate.OneOf(["mine", "unclaimed"]), metadata={"description": "mine: claimed by me"}
    )
    step = Str(validate=validate.Length(max=100))
    area = Str(validate=validate.Length(max=60))
    status = Str(validate=validate.OneOf(["overdue", "due_soon", "on_time"]))
    q = Str(validate=validate.Length(max=100), metadata={"description": "a name or CCCD digits"})
    sort = Str(load_default="due", validate=validate.OneOf(["due", "created", "name"]))


class TaskRowSchema(Schema):
    id = Str(required=True, attribute="task_id")
    step = Str(required=True)
    step_name = Said(allow_none=True)
    role = Str(allow_none=True)
    area_code = Str(required=True)
    area_name = Str(allow_none=True)
    case_code = Str(required=True)
    beneficiary = Str(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    claimed_by = Str(allow_none=True)


class TaskPageSchema(PageInfo):
    tasks = fields.List(fields.Nested(TaskRowSchema), required=True, attribute="rows")


class FormFieldSchema(Schema):
    name = Str(required=True)
    label = Said(required=True)
    widget = Str(required=True)
    required = fields.Boolean(required=True)
    choices = fields.Dict(keys=Str(), values=Said())
    show_if = fields.Dict(keys=Str(), values=fields.List(fields.Raw()))
    help = Said(allow_none=True)


class TaskSchema(Schema):
    id = Str(required=True)
    instance_id = fields.Integer(required=True)
    business_key = Str(required=True)
    process_key = Str(required=True)
    step = Str(required=True, attribute="bpmn_id")
    name = Said(allow_none=True)
    role = Str(allow_none=True)
    area_code = Str(required=True)
    form_key = Str(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    claimed_by = Str(allow_none=True)


class CompleteBody(Schema):
    data = fields.Dict(keys=Str(), required=True, metadata={"description": "the step's form fields"})
    expected_version = fields.Integer(
        allow_none=True, metadata={"description": "the case version read; a newer one is a conflict (409)"}
    )


class RoutedSchema(Schema):
    task = fields.Nested(TaskSchema, required=True)
    agency_code = Str(required=True)
    agency_name = Str(required=True)


class SubmissionSchema(Schema):
    """Where the case went: the next tasks and who must act, or what it waits for (and until when)."""

    instance_id = fields.Integer(required=True)
    status = Str(required=True, metadata={"description": "the case's state after the step"})
    next_tasks = fields.List(fields.Nested(RoutedSchema), required=True)
    waiting = fields.List(
        Str(), required=True, metadata={"description": "no task open: the events the case waits for, by name"}
    )
    until = fields.DateTime(allow_none=True, metadata={"description": "when the timer it waits for is due"})


# --- cases and beneficiaries -----------------------------------------------------------------------
class CaseQuery(PageQuery):
    q = Str(validate=validate.Length(max=100), metadata={"description": "a name or CCCD digits"})
    area = Str(validate=validate.Length(max=60))
    status = Str(validate=validate.Length(max=20))


class CaseRowSchema(Schema):
    code = Str(required=True)
    full_name = Str(required=True)
    area_code = Str(required=True)
    category_code = Str(required=True)
    status = Str(required=True)
    instance_id = fields.Integer(allow_none=True)
    case_status = Str(allow_none=True)


class CasePageSchema(PageInfo):
    cases = fields.List(fields.Nested(CaseRowSchema), required=True, attribute="rows")


class RecordSchema(Schema):
    """The beneficiary's record as the caller's roles may see it (CCCD and account masked otherwise)."""

    code = Str(required=True)
    full_name = Str(required=True)
    date_of_birth = fields.Date(allow_none=True)
    gender = Str(required=True)
    cccd = Str(required=True)
    cccd_masked = fields.Boolean(required=True)
    phone = Str(required=True)
    area = Str(required=True)
    village = Str(required=True)
    category = Said(required=True)
    status = Said(required=True)
    payment = Said(required=True)
    bank_code = Str(required=True)
    account_number = Str(required=True)
    account_masked = fields.Boolean(required=True)
    representative = Str(required=True)
    mobility = Said(required=True)


class TimelineSchema(Schema):
    at = fields.DateTime(required=True)
    kind = Str(required=True)
    label = Said(required=True)
    step = Said(allow_none=True)
    actor = Str(allow_none=True)
    detail = SaidDetail(required=True)


class CaseSchema(Schema):
    record = fields.Nested(RecordSchema, required=True)
    instance_id = fields.Integer(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)
    timeline = fields.List(fields.Nested(TimelineSchema), required=True)


class OpenCaseBody(Schema):
    code = Str(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$"))
    area_code = Str(required=True, validate=validate.Length(min=1, max=60))
    full_name = Str(required=True, validate=validate.Length(min=2, max=100))
    category_code = Str(required=True, validate=validate.Length(min=1, max=40))


class OpenedSchema(Schema):
    code = Str(required=True)
    instance_id = fields.Integer(required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)


# --- payouts -------------------------------------------------------------------------------------------
class CycleQuery(Schema):
    month = Str(
        validate=validate.Regexp(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$"), metadata={"description": "YYYY-MM"}
    )


PROGRAMME = {"description": "social_assistance | merit"}


class CycleRowSchema(Schema):
    id = fields.Integer(required=True)
    business_key = Str(required=True)
    programme = Str(metadata=PROGRAMME)
    area_code = Str(required=True)
    area_name = Str(required=True)
    month = fields.Date(required=True)
    status = Str(required=True)
    line_count = fields.Integer(required=True)
    total_amount = fields.Integer(required=True, metadata={"description": "đồng"})


class BalanceSchema(Schema):
    """Where the cycle's money stands, to the đồng: paid + to return + returned = transferred."""

    line_count = fields.Integer(required=True)
    total = fields.Integer(required=True)
    transferred = fields.Integer(required=True)
    paid_account = fields.Integer(required=True)
    paid_cash = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    to_return = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    unresolved_lines = fields.Integer(required=True)
    unresolved_amount = fields.Integer(required=True)
    paid_account_lines = fields.Integer(required=True)
    paid_cash_lines = fields.Integer(required=True)
    fallback_lines = fields.Integer(required=True)
    returned_lines = fields.Integer(required=True)
    balanced = fields.Boolean(required=True)


class TotalSchema(Schema):
    lines = fields.Integer(required=True)
    amount = fields.Integer(required=True)


class CycleSchema(CycleRowSchema):
    transfer_reference = Str(allow_none=True)
    transfer_date = fields.Date(allow_none=True)
    transfer_amount = fields.Integer(allow_none=True)
    funds_received_at = fields.DateTime(allow_none=True)
    reconciled_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    books = fields.Nested(BalanceSchema, required=True)
    by_method = fields.Dict(keys=Str(), values=fields.Nested(TotalSchema), required=True)
    roles = fields.List(Str(), required=True, metadata={"description": "the caller's payout roles here"})
    open_steps = fields.List(fields.Nested(TaskSchema), required=True)


class LineQuery(PageQuery):
    status = Str(validate=validate.Length(max=20))
    method = Str(validate=validate.OneOf(["account", "cash_pay_point", "cash_home"]))
    commune = Str(validate=validate.Length(max=60))
    q = Str(validate=validate.Length(max=100))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class LineSchema(Schema):
    id = fields.Integer(required=True)
    programme = Str(metadata=PROGRAMME)
    beneficiary_code = Str(required=True)
    full_name = Str(required=True)
    beneficiary_cccd = Str(allow_none=True)
    commune_code = Str(required=True)
    month = fields.Date(required=True)
    entitlement = Str(required=True)
    category_code = Str(required=True)
    method = Str(required=True)
    recipient_kind = Str(required=True)
    recipient_name = Str(required=True)
    recipient_cccd = Str(allow_none=True)
    bank_code = Str(allow_none=True)
    account_number = Str(allow_none=True)
    amount = fields.Integer(required=True)
    status = Str(required=True)
    fallback_method = Str(allow_none=True)
    transaction_ref = Str(allow_none=True)
    failure_reason = Str(allow_none=True)


class LinePageSchema(PageInfo):
    lines = fields.List(fields.Nested(LineSchema), required=True, attribute="rows")
    cccd_masked = fields.Boolean(required=True)
    account_masked = fields.Boolean(required=True)


class ResultLineBody(Schema):
    line_id = fields.Integer(validate=validate.Range(min=1), metadata={"description": "or cccd"})
    cccd = Str(validate=validate.Regexp(r"^\d{12}$"))
    result = Str(required=True, validate=validate.OneOf(["paid", "failed", "not_collected"]))
    reason = Str(validate=validate.Length(max=300))
    reference = Str(validate=validate.Length(max=100), metadata={"description": "the transaction reference"})


class ResultsBody(Schema):
    kind = Str(load_default="account", validate=validate.OneOf(["account", "cash"]))
    lines = fields.List(
        fields.Nested(ResultLineBody), required=True, validate=validate.Length(min=1, max=50000)
    )


class ResultsFileForm(Schema):
    kind = Str(load_default="account", validate=validate.OneOf(["account", "cash"]))


class ResultsFileUpload(Schema):
    file = Upload(
        required=True, metadata={"description": "CSV or XLSX: line id or CCCD, result, reason, reference"}
    )


class ImportSchema(Schema):
    id = fields.Integer(required=True, attribute="import_id")
    cycle_id = fields.Integer(required=True)
    kind = Str(required=True)
    file_name = Str(required=True)
    status = Str(required=True)
    rows_total = fields.Integer(required=True)
    rows_done = fields.Integer(required=True)
    applied = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    skipped = fields.Integer(required=True, metadata={"description": "rows with no result yet, left alone"})
    already_imported = fields.Boolean(required=True, metadata={"description": "the same results came before"})


class ImportRowSchema(Schema):
    row = fields.Integer(required=True)
    line_ids = fields.List(fields.Integer(), required=True)
    outcome = Str(required=True)
    message = Str(required=True)


class ImportDetailSchema(ImportSchema):
    rows = fields.List(fields.Nested(ImportRowSchema), required=True)


# --- process versions ---------------------------------------------------------------------------------
class ProcessSchema(Schema):
    key = Str(required=True)
    version = fields.Integer(required=True)
    version_id = fields.Integer(required=True)
    name = Str(allow_none=True)
    deployed_at = fields.DateTime(required=True)


class DeployedSchema(Schema):
    key = Str(required=True)
    version = fields.Integer(required=True)
    version_id = fields.Integer(required=True)
    name = Str(allow_none=True)
    created = fields.Boolean(required=True, metadata={"description": "false: the same content was deployed"})


class ProblemSchema(Schema):
    message = Str(required=True)
    file = Str(allow_none=True)
    element = Str(allow_none=True, metadata={"description": "the BPMN/DMN element id"})
    line = fields.Integer(allow_none=True)


class CheckedSchema(Schema):
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


# --- a task's detail: what the task page shows beside the form (after the case and cycle schemas) -------
class SaidSchema(Schema):
    """What an officer before the caller said about this task."""

    at = fields.DateTime(required=True)
    who = Str(allow_none=True)
    step = Said(required=True, metadata={"description": "the step it was said at, by name"})
    text = Str(required=True)
    kind = Str(
        required=True,
        validate=validate.OneOf(["note", "directive"]),
        metadata={
            "description": "note: the last step's note (e.g. a reviewer's reason for sending a registration "
            "back); directive: a supervisor's answer to this task's escalation"
        },
    )


class YearBesideSchema(Schema):
    business_key = Str(required=True)
    province = Str(required=True)
    year = fields.Integer(required=True)


class BesideSchema(Schema):
    """What the task page shows beside the form: one of ``case``, ``cycle`` or ``year``, by ``kind``."""

    kind = Str(required=True, metadata={"description": "case | payout | year | none"})
    case = fields.Nested(
        RecordSchema, allow_none=True, metadata={"description": "the case's record (masked)"}
    )
    cycle = fields.Nested(CycleRowSchema, allow_none=True, metadata={"description": "the payout cycle"})
    year = fields.Nested(YearBesideSchema, allow_none=True, metadata={"description": "the province's year"})


class TaskDetailSchema(TaskSchema):
    version = fields.Integer(required=True, metadata={"description": "send it back as expected_version"})
    form = fields.List(fields.Nested(FormFieldSchema), required=True)
    values = fields.Dict(keys=Str(), required=True, metadata={"description": "the case's data for the form"})
    due = Str(
        required=True,
        validate=validate.OneOf(["on_time", "due_soon", "overdue"]),
        metadata={"description": "where the task stands against its deadline"},
    )
    held_by = Str(
        allow_none=True,
        metadata={"description": "someone else holds the task: the caller may read it, not complete it"},
    )
    said = fields.List(
        fields.Nested(SaidSchema),
        required=True,
        metadata={"description": "the return reason and the supervisor's directives, as the page shows them"},
    )
    beside = fields.Nested(BesideSchema, required=True)
