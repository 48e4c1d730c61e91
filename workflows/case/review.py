"""Review and classification (rà soát, đối chiếu, phân loại) by the district labour office."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema

from ..forms import form
from ..forms.fields import choice, require_when, text

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

    @validates_schema(skip_on_field_errors=False)
    def conditional(self, data, **_):
        errors: dict = {}
        require_when(data, "note", "Lý do / nội dung cần bổ sung", data.get("decision") != "approve", errors)
        if errors:
            raise ValidationError(errors)
