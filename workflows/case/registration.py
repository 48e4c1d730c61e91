"""Registration of the payment method (đăng ký phương thức chi trả) by the commune."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, post_load, validates_schema
from sqlalchemy.orm import Session

from ..beneficiaries.enrolments import enrol
from ..beneficiaries.models import Beneficiary
from ..beneficiaries.records import change_record, open_case_with_cccd
from ..deadlines.calendar import VIETNAM
from ..forms import form, form_check
from ..forms.fields import choice, day, flag, require_when, text
from ..programmes import PROGRAMME_LABELS, PROGRAMMES, category_names, per_child, programme_of
from ..services import registry
from ..validators import (
    InvalidValue,
    normalize_name,
    normalize_phone,
    validate_cccd,
)
from .account_fields import check_account, number_field, provider_field
from .common import (
    ACCOUNT_HOLDERS,
    CASH_PREFERENCE,
    GENDERS,
    MOBILITY,
    REPRESENTATIVE_KINDS,
    as_date,
    step_session,
)

METHODS = {
    "existing_account": "Tài khoản đã có",
    "new_account": "Mở tài khoản mới tại tổ chức chi trả",
    "cash": "Tiền mặt",
}
REPRESENTED = ["guardian", "authorised"]


def _category_groups() -> dict[str, dict[str, str]]:
    """Both programmes' categories, each under its programme's name (the plan covers both)."""
    return {PROGRAMME_LABELS[p]: category_names(p) for p in PROGRAMMES}


def offer_categories(schema: Schema) -> None:
    """Offer both programmes' categories in ``category_code``, grouped by programme, and accept only
    those; the case is then enrolled, paid and routed by the chosen category's programme."""
    groups = _category_groups()
    categories = {code: name for names in groups.values() for code, name in names.items()}
    field = schema.fields["category_code"]
    field.metadata["choices"] = categories
    field.metadata["groups"] = {heading: list(names) for heading, names in groups.items()}
    field.validators = [v for v in field.validators if not hasattr(v, "choices")]
    field.validators.append(_one_of(categories, "đối tượng hưởng"))


def _paid_per_child(code: str) -> bool:
    programme = programme_of(code)
    return programme is not None and per_child(programme, code)


def _per_child_codes() -> list[str]:
    return [code for code in category_names() if _paid_per_child(code)]


def _children(value: str) -> str:
    if not value.isdigit() or not 1 <= int(value) <= 20:
        raise InvalidValue("Số con đang nuôi phải là một số nguyên từ 1 đến 20")
    return str(int(value))


def children_field():
    """Single parents are paid per child (Decree 20/2021, Art. 6(1)(e)): shown, and then required, only
    for a per-child category."""
    return text(
        "Số con đang nuôi", max_length=2, rule=_children, show_if={"category_code": _per_child_codes()},
        help="Người đơn thân nuôi con: được hưởng theo từng con đang nuôi",
    )  # fmt: skip


def check_children(data: dict, errors: dict) -> None:
    by_child = _paid_per_child(data.get("category_code") or "")
    require_when(data, "children_count", "Số con đang nuôi", by_child, errors)
    if data.get("children_count") and not by_child:
        errors.setdefault("children_count", []).append(
            "Chỉ ghi số con đang nuôi cho người đơn thân nuôi con."
        )


@form("registration")
class RegistrationForm(Schema):
    full_name = text("Họ và tên", max_length=100, rule=normalize_name)
    date_of_birth = day("Ngày sinh")
    gender = choice("Giới tính", GENDERS, widget="radio")
    has_cccd = flag("Đã có thẻ CCCD", load_default=True)
    cccd = text("Số CCCD", max_length=12, show_if={"has_cccd": [True]}, rule=lambda v: validate_cccd(v))
    phone = text("Số điện thoại di động", required=False, max_length=20, rule=normalize_phone)
    village = text("Thôn, tổ dân phố", max_length=100)
    address = text("Địa chỉ chi tiết", required=False, max_length=300)
    category_code = choice("Đối tượng hưởng", {})
    children_count = children_field()
    method = choice("Phương thức nhận", METHODS, widget="radio")
    bank_code = provider_field({"method": ["existing_account"]})
    account_number = number_field({"method": ["existing_account"]})
    account_holder = choice("Chủ tài khoản", ACCOUNT_HOLDERS, required=False)
    mobility = choice("Khả năng đi lại", MOBILITY, required=False)
    cash_preference = choice("Nơi nhận tiền mặt", CASH_PREFERENCE, show_if={"method": ["cash"]})
    representative_kind = choice("Người nhận thay", REPRESENTATIVE_KINDS, required=False)
    representative_name = text(
        "Họ tên người đại diện",
        max_length=100,
        show_if={"representative_kind": REPRESENTED},
        rule=normalize_name,
    )
    representative_cccd = text(
        "Số CCCD người đại diện",
        max_length=12,
        show_if={"representative_kind": REPRESENTED},
        rule=lambda v: validate_cccd(v),
    )
    representative_phone = text(
        "Số điện thoại người đại diện",
        max_length=20,
        required=False,
        show_if={"representative_kind": REPRESENTED},
        rule=normalize_phone,
    )
    representative_relationship = text(
        "Quan hệ với người hưởng", max_length=50, show_if={"representative_kind": REPRESENTED}
    )
    authorisation_document = text(
        "Giấy tờ giám hộ / ủy quyền",
        max_length=100,
        show_if={"representative_kind": REPRESENTED},
        help="Số, ngày của quyết định công nhận giám hộ hoặc giấy ủy quyền có chứng thực",
    )
    consent = flag(
        "Người hưởng đồng ý cho xử lý dữ liệu cá nhân",
        help="Theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_categories(self)

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict[str, list[str]] = {}
        require_when(data, "cccd", "Số CCCD", data.get("has_cccd", True), errors)
        check_children(data, errors)
        existing = data.get("method") == "existing_account"
        check_account(data, existing, errors)
        require_when(data, "cash_preference", "Nơi nhận tiền mặt", data.get("method") == "cash", errors)
        represented = data.get("representative_kind") in REPRESENTED
        for name, label in (
            ("representative_name", "Họ tên người đại diện"),
            ("representative_cccd", "Số CCCD người đại diện"),
            ("representative_relationship", "Quan hệ với người hưởng"),
            ("authorisation_document", "Giấy tờ giám hộ / ủy quyền"),
        ):
            require_when(data, name, label, represented, errors)
        holder = data.get("account_holder") or "beneficiary"
        if holder != "beneficiary" and data.get("representative_kind") != holder:
            errors.setdefault("account_holder", []).append(
                "Tài khoản đứng tên người đại diện chỉ khi đã khai người đại diện cùng loại."
            )
        if not data.get("consent"):
            errors.setdefault("consent", []).append(
                "Cần có sự đồng ý của người hưởng (hoặc người đại diện) để xử lý dữ liệu cá nhân."
            )
        if data.get("cccd") and data.get("date_of_birth") and data.get("gender"):
            try:
                validate_cccd(data["cccd"], data["date_of_birth"], data["gender"])
            except InvalidValue as exc:
                errors.setdefault("cccd", []).append(exc.message)
        if errors:
            raise ValidationError(errors)

    @post_load
    def derived(self, data, **_):
        data["has_representative"] = data.get("representative_kind") in REPRESENTED
        data.setdefault("mobility", "mobile")
        data.setdefault("cash_preference", "")
        return data


def _one_of(choices: dict[str, str], what: str):
    def check(value: str) -> None:
        if value not in choices:
            raise ValidationError(f"Vui lòng chọn {what} trong danh sách.")

    check.choices = choices
    return check


@form_check("registration")
def check_registration(session: Session, record: Beneficiary, data: dict) -> dict[str, list[str]]:
    """A CCCD already on another open case is refused here."""
    cccd = data.get("cccd") if data.get("has_cccd", True) else None
    other = open_case_with_cccd(session, cccd, except_code=record.code) if cccd else None
    if other:
        return {"cccd": [f"Số CCCD này đã có trong hồ sơ đang mở {other}; không đăng ký trùng."]}
    return {}


@registry.handler("beneficiary.save_registration")
def save_registration(call) -> dict:
    data = call.data
    represented = data.get("representative_kind") in REPRESENTED
    changes = {
        "full_name": data["full_name"],
        "date_of_birth": as_date(data["date_of_birth"]),
        "gender": data["gender"],
        "cccd": data.get("cccd") if data.get("has_cccd", True) else None,
        "phone": data.get("phone"),
        "village": data["village"],
        "address": data.get("address"),
        "category_code": data["category_code"],
        "mobility": data.get("mobility") or "mobile",
        "representative_kind": data.get("representative_kind") if represented else None,
        "account_holder": data.get("account_holder") or "beneficiary",
        "consent_given": bool(data.get("consent")),
        "consent_at": call.at,
    }
    for name in (
        "representative_name",
        "representative_cccd",
        "representative_phone",
        "representative_relationship",
        "authorisation_document",
    ):
        changes[name] = data.get(name) if represented else None
    with step_session(call) as session:
        change_record(
            session, call.business_key, changes, call.at, instance_id=call.instance_id, reason="registration",
            status_move=("outreach", "registered"),
        )  # fmt: skip
        # Owed from the month of registration; a roll import that knows the months better ("Hưởng từ
        # tháng", "Đã nhận đến tháng") has written them first, and they are kept. The category says the
        # programme: a merit category enrols (and so routes) the case as merit work.
        this_month = call.at.astimezone(VIETNAM).date()
        children = int(data["children_count"]) if data.get("children_count") else None
        enrol(
            session, call.business_key, programme_of(data["category_code"]), data["category_code"], call.at,
            entitled_from=this_month, children_count=children, children_from=this_month,
            source="registration", instance_id=call.instance_id,
        )  # fmt: skip
    return {"saved": True}
