"""Record cleaning with the police against the national population database, and CCCD issuance."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema
from sqlalchemy.orm import Session

from ..beneficiaries.models import Beneficiary
from ..beneficiaries.records import open_case_with_cccd
from ..forms import form, form_check
from ..forms.fields import choice, day, flag, require_when, text
from ..services import registry
from ..validators import InvalidValue, normalize_name, validate_cccd
from .closing import closing_problems
from .common import as_date, record_change, step_session

RESULTS = {
    "matched": "Khớp đúng với CSDL dân cư",
    "corrected": "Có sai lệch, đã điều chỉnh thông tin",
    "deceased": "Đã chết",
    "not_found": "Không tìm thấy trong CSDL dân cư",
    "duplicate": "Trùng với người hưởng khác",
}


@form("cccd_issuance")
class CccdIssuanceForm(Schema):
    cccd = text("Số CCCD đã cấp", max_length=12, rule=lambda v: validate_cccd(v))
    issued_on = day("Ngày cấp")


@form_check("cccd_issuance")
def check_issuance(session: Session, record: Beneficiary, data: dict) -> dict[str, list[str]]:
    return _cccd_problems(session, record, data.get("cccd"), "cccd")


@registry.handler("beneficiary.set_cccd")
def set_cccd(call) -> dict:
    record_change(call, {"cccd": call.data["cccd"]}, "cccd_issued")
    return {"cccd": call.data["cccd"]}


@form("police_check")
class PoliceCheckForm(Schema):
    result = choice("Kết quả đối chiếu", RESULTS, widget="radio")
    corrected_full_name = text(
        "Họ tên đúng", required=False, max_length=100, rule=normalize_name, show_if={"result": ["corrected"]}
    )
    corrected_date_of_birth = day("Ngày sinh đúng", required=False, show_if={"result": ["corrected"]})
    corrected_cccd = text(
        "Số CCCD đúng",
        required=False,
        max_length=12,
        rule=lambda v: validate_cccd(v),
        show_if={"result": ["corrected"]},
    )
    date_of_death = day("Ngày chết", required=False, show_if={"result": ["deceased"]})
    duplicate_of = text("Mã hồ sơ trùng", required=False, max_length=40, show_if={"result": ["duplicate"]})
    confirm_closure = flag(
        "Tôi xác nhận đóng hồ sơ này", show_if={"result": ["duplicate", "deceased"]},
        help="Hồ sơ đã đóng chỉ quản trị viên mở lại được.",
    )  # fmt: skip
    note = text("Ghi chú", required=False, max_length=1000, widget="textarea")

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        corrected = ("corrected_full_name", "corrected_date_of_birth", "corrected_cccd")
        if data.get("result") == "corrected" and not any(data.get(name) for name in corrected):
            errors["corrected_full_name"] = [
                "Nhập ít nhất một thông tin đã điều chỉnh (họ tên, ngày sinh hoặc CCCD)."
            ]
        require_when(data, "date_of_death", "Ngày chết", data.get("result") == "deceased", errors)
        require_when(data, "duplicate_of", "Mã hồ sơ trùng", data.get("result") == "duplicate", errors)
        if errors:
            raise ValidationError(errors)


@form_check("police_check")
def check_police(session: Session, record: Beneficiary, data: dict) -> dict[str, list[str]]:
    if data.get("result") == "duplicate":
        return closing_problems(session, record, data, data["result"], data.get("duplicate_of"))
    if data.get("result") == "deceased":
        return closing_problems(session, record, data, data["result"])
    if data.get("result") != "corrected":
        return {}
    if data.get("corrected_cccd"):
        dob = as_date(data.get("corrected_date_of_birth")) or record.date_of_birth
        return _cccd_problems(session, record, data["corrected_cccd"], "corrected_cccd", dob)
    return {}


@registry.handler("beneficiary.flag_duplicates")
def flag_duplicates(call) -> dict:
    """Before the police look: is this CCCD also on another open case? The police form shows it."""
    with step_session(call) as session:
        record = session.get(Beneficiary, call.business_key)
        other = open_case_with_cccd(session, record.cccd, except_code=record.code) if record.cccd else None
    return {"duplicate_of": other}


@registry.handler("beneficiary.apply_corrections")
def apply_corrections(call) -> dict:
    data = call.data
    changes = {}
    if data.get("corrected_full_name"):
        changes["full_name"] = data["corrected_full_name"]
    if data.get("corrected_date_of_birth"):
        changes["date_of_birth"] = as_date(data["corrected_date_of_birth"])
    if data.get("corrected_cccd"):
        changes["cccd"] = data["corrected_cccd"]
    diff = record_change(call, changes, "police_correction")
    return {"corrected": sorted(diff)}


def _cccd_problems(
    session, record: Beneficiary, cccd: str | None, field: str, dob=None
) -> dict[str, list[str]]:
    if not cccd:
        return {}
    try:
        validate_cccd(cccd, dob or record.date_of_birth, record.gender)
    except InvalidValue as exc:
        return {field: [exc.message]}
    other = open_case_with_cccd(session, cccd, except_code=record.code)
    if other:
        return {field: [f"Số CCCD này đã có trong hồ sơ đang mở {other}."]}
    return {}
