"""What the payout's modules share: names, statuses, Vietnamese labels, the cycle's key, money on screen."""

from __future__ import annotations

import re
from datetime import date

from ..entitlements import month_start

PROCESS = "monthly_payout"
NOTICE_MESSAGE = "payout_failed"

# The area level one cycle covers, by structure: configuration, since Vietnam reorganises (issue 6).
CYCLE_LEVEL = {"2024": "district", "2025": "commune"}
DEFAULT_CYCLE_LEVEL = "commune"

ACTIVE_STATUSES = ("active_cashless", "cash")  # beneficiaries a list is drawn from

# Cycle statuses, in order.
CYCLE_STATUSES = ("draft", "approved", "funded", "fallback", "paid", "reconciled", "closed")

# Line statuses. Final: paid (account), cash_paid, returned.
PENDING, PAID, FAILED = "pending", "paid", "failed"
CASH_PENDING, CASH_PAID, NOT_COLLECTED = "cash_pending", "cash_paid", "not_collected"
HELD, RETURNED = "held", "returned"
LINE_STATUSES = (PENDING, PAID, FAILED, CASH_PENDING, CASH_PAID, NOT_COLLECTED, HELD, RETURNED)
PAID_STATUSES = (PAID, CASH_PAID)
UNRESOLVED = (PENDING, FAILED, CASH_PENDING)  # money not yet accounted for
NO_RESULT = (PENDING, CASH_PENDING)  # lines waiting for a payment result (a failed transfer has one)
TO_RETURN = (NOT_COLLECTED, HELD)  # money that goes back to the treasury at reconciliation

METHOD_LABELS = {
    "account": "Chuyển khoản",
    "cash_pay_point": "Tiền mặt tại điểm chi trả",
    "cash_home": "Tiền mặt tại nhà",
}
CASH_METHODS = ("cash_pay_point", "cash_home")
STATUS_LABELS = {
    PENDING: "Chờ chi trả",
    PAID: "Đã chi qua tài khoản",
    FAILED: "Chuyển khoản thất bại",
    CASH_PENDING: "Chờ chi tiền mặt (chuyển khoản thất bại)",
    CASH_PAID: "Đã chi tiền mặt",
    NOT_COLLECTED: "Không nhận tiền",
    HELD: "Tạm giữ (thôi hưởng)",
    RETURNED: "Hoàn trả Kho bạc",
}
RECIPIENT_LABELS = {
    "beneficiary": "Người hưởng",
    "guardian": "Người giám hộ",
    "authorised": "Người được ủy quyền",
}
ENTITLEMENT_LABELS = {"monthly": "Trợ cấp hằng tháng", "arrears": "Truy lĩnh"}
RETURN_REASON_LABELS = {NOT_COLLECTED: "Không nhận tiền", HELD: "Thôi hưởng trong kỳ (tạm giữ)"}

_KEY = re.compile(r"^PAY-(?P<area>.+)-(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<merit>NCC))?$")
SOCIAL, MERIT = "social_assistance", "merit"


def business_key(area_code: str, month: date, programme: str = SOCIAL) -> str:
    """``PAY-2024:608-2024-08`` (social assistance) or ``PAY-2024:608-2024-08-NCC`` (merit): the cycle's
    key, and its BPMN instance's business key."""
    return f"PAY-{area_code}-{month:%Y-%m}" + ("-NCC" if programme == MERIT else "")


def parse_business_key(key: str) -> tuple[str, date]:
    found = _KEY.match(key)
    if found is None:
        raise ValueError(f"not a payout cycle key: {key!r}")
    return found["area"], date(int(found["year"]), int(found["month"]), 1)


def parse_month(text: str | date) -> date:
    """``2024-08`` (or any date in the month) → 1 August 2024."""
    if isinstance(text, date):
        return month_start(text)
    found = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text.strip())
    if found is None:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(found[1]), int(found[2]), 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def money(amount: int | None) -> str:
    """1500000 → ``1.500.000 ₫`` (Vietnamese grouping)."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", ".") + " ₫"


def month_label(month: date) -> str:
    return f"{month:%m/%Y}"
