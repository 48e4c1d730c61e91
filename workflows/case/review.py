"""Review and classification (rà soát, đối chiếu, phân loại) by the district labour office."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema
from sqlalchemy.orm import Session

from ..beneficiaries.models import Beneficiary
from ..forms import form, form_check
from ..forms.fields import choice, flag, require_when, text
from .closing import closing_problems

DECISIONS = {
    "approve": "Duyệt, chuyển làm sạch dữ liệu",
    "supplement": "Trả về xã bổ sung hồ sơ",
    "reject": "Không duyệt (không thuộc diện hưởng)",
}


@form("review")
class ReviewForm(Schema):
    decision = choice("Kết quả rà soát", DECISIONS, widget="radio")
    note = text(
        "Lý do / nội dung cần bổ sung",
        required=False,
        max_length=1000,
        widget="textarea",
        show_if={"decision": ["supplement", "reject"]},
    )

    confirm_closure = flag(
        "Tôi xác nhận đóng hồ sơ này", show_if={"decision": ["reject"]},
        help="Hồ sơ đã đóng chỉ quản trị viên mở lại được.",
    )  # fmt: skip

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        require_when(data, "note", "Lý do / nội dung cần bổ sung", data.get("decision") != "approve", errors)
        if errors:
            raise ValidationError(errors)


@form_check("review")
def check_review(session: Session, record: Beneficiary, data: dict) -> dict[str, list[str]]:
    return closing_problems(session, record, data, "reject") if data.get("decision") == "reject" else {}
