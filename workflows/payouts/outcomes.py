"""What one result row does to the lines it names — a pure function, so the rules read in one place.

A line's status only moves forward: ``pending`` → ``paid`` or ``failed`` by account; a cash line (or a
failed transfer turned into one) → ``cash_paid`` or ``not_collected``. Paid is final, and the channel of
a result is explicit (an account results file, or cash results), so a line paid by account can never be
paid in cash too, and a row seen twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .common import (
    CASH_METHODS,
    CASH_PAID,
    CASH_PENDING,
    FAILED,
    HELD,
    NOT_COLLECTED,
    PAID,
    PENDING,
    RETURNED,
    STATUS_LABELS,
)

ACCOUNT, CASH = "account", "cash"
APPLIED, DUPLICATE, REFUSED, SKIPPED = "applied", "duplicate", "refused", "skipped"
NO_RESULT = "Chưa có kết quả chi trả: dòng bỏ qua."
RESULT_LABELS = {"paid": "đã chi", "failed": "thất bại", "not_collected": "không nhận"}


@dataclass(frozen=True)
class ResultRow:
    """One row of a results file (or one cash result entered on screen)."""

    row_no: int
    line_id: int | None = None
    cccd: str | None = None
    result: str | None = None  # paid | failed | not_collected; None: no result yet, the row is skipped
    reason: str | None = None
    reference: str | None = None
    error: str | None = None  # the row could not be read (Vietnamese)
    amount: int | None = None  # in đồng, when the file states it: must equal the line's (lines') amount


@dataclass
class LineState:
    id: int
    beneficiary_code: str
    beneficiary_cccd: str | None
    recipient_cccd: str | None
    method: str
    status: str
    transaction_ref: str | None = None
    amount: int | None = None


@dataclass(frozen=True)
class Change:
    """An UPDATE to apply: guarded by the status the decision was made on."""

    line_id: int
    expected: str
    status: str
    reference: str | None
    reason: str | None


@dataclass(frozen=True)
class RowOutcome:
    row_no: int
    line_ids: tuple[int, ...]
    outcome: str
    message: str


def transition(kind: str, line: LineState, row: ResultRow) -> tuple[str | None, str, str]:
    """(new status or None, outcome, Vietnamese message) for ``row``'s result applied to ``line``."""
    result, status = row.result, line.status
    if status == HELD:
        return None, REFUSED, "Người hưởng đã thôi hưởng: dòng bị tạm giữ, không chi trả."
    if status == RETURNED:
        return None, REFUSED, "Dòng đã hoàn trả Kho bạc."
    if kind == ACCOUNT:
        return _account(line, result, row.reference)
    return _cash(line, result)


def _account(line: LineState, result: str | None, reference: str | None) -> tuple[str | None, str, str]:
    if result not in ("paid", "failed"):
        return None, REFUSED, "Kết quả chuyển khoản chỉ nhận «đã chi» hoặc «thất bại»."
    if line.method != "account":
        return None, REFUSED, "Dòng chi tiền mặt: không nhận kết quả chuyển khoản."
    status = line.status
    if status == PENDING:
        return (PAID if result == "paid" else FAILED), APPLIED, ""
    if status == PAID and result == "paid":
        if reference and line.transaction_ref and reference != line.transaction_ref:
            return None, REFUSED, (
                f"Dòng đã được chi với mã giao dịch {line.transaction_ref}; không chi lần hai."
            )  # fmt: skip
        return None, DUPLICATE, ""
    if status == PAID:
        return None, REFUSED, "Dòng đã được chi qua tài khoản; không thể ghi thất bại."
    if status == FAILED and result == "failed":
        return None, DUPLICATE, ""
    if status == FAILED:
        return None, REFUSED, "Dòng đã ghi nhận chuyển khoản thất bại; tháng này chi bằng tiền mặt."
    return None, REFUSED, "Dòng đã chuyển sang chi tiền mặt; không nhận kết quả chuyển khoản."


def _cash(line: LineState, result: str | None) -> tuple[str | None, str, str]:
    if result not in ("paid", "not_collected"):
        return None, REFUSED, "Kết quả chi tiền mặt chỉ nhận «đã chi» hoặc «không nhận»."
    status, target = line.status, CASH_PAID if result == "paid" else NOT_COLLECTED
    payable = status == CASH_PENDING or (status == PENDING and line.method in CASH_METHODS)
    if payable or (status == NOT_COLLECTED and target == CASH_PAID):
        return target, APPLIED, ""
    if status == target:
        return None, DUPLICATE, ""
    if status == CASH_PAID:
        return None, REFUSED, "Dòng đã chi tiền mặt; không thể ghi không nhận."
    if status == PAID:
        return None, REFUSED, "Dòng đã được chi qua tài khoản; không chi tiền mặt lần nữa."
    return None, REFUSED, "Dòng chuyển khoản chưa chuyển sang chi tiền mặt; chưa ghi kết quả tiền mặt được."


def decide(
    kind: str, rows: Iterable[ResultRow], lines: dict[int, LineState]
) -> tuple[list[RowOutcome], list[Change]]:
    """Outcomes for ``rows`` in order, and the changes to apply; ``lines`` is updated as rows apply, so
    a line named twice in one file changes once."""
    by_cccd: dict[str, set[int]] = {}
    for line in lines.values():
        for cccd in (line.beneficiary_cccd, line.recipient_cccd):
            if cccd:
                by_cccd.setdefault(cccd, set()).add(line.id)
    outcomes, changes = [], []
    for row in rows:
        if row.result is None and not row.error:
            outcomes.append(RowOutcome(row.row_no, _named(row, []), SKIPPED, NO_RESULT))
            continue
        targets, problem = _targets(row, lines, by_cccd)
        if problem:
            outcomes.append(RowOutcome(row.row_no, _named(row, targets), REFUSED, problem))
            continue
        results = []
        for line_id in targets:
            line = lines[line_id]
            new_status, outcome, message = transition(kind, line, row)
            if new_status is not None:
                changes.append(Change(line_id, line.status, new_status, row.reference, row.reason))
                line.status, line.transaction_ref = new_status, row.reference or line.transaction_ref
            results.append((outcome, message, line.status))
        outcomes.append(RowOutcome(row.row_no, tuple(targets), *_summarise(results)))
    return outcomes, changes


def _named(row: ResultRow, targets: list[int]) -> tuple[int, ...]:
    """The lines a row is about: those it reached, else the line id it gives (one not in this cycle)."""
    if targets:
        return tuple(targets)
    return (row.line_id,) if row.line_id is not None else ()


def _targets(row: ResultRow, lines: dict[int, LineState], by_cccd) -> tuple[list[int], str]:
    if row.error:
        return [], row.error
    if row.line_id is not None:
        line = lines.get(row.line_id)
        if line is None:
            return [], f"Không có dòng số {row.line_id} trong danh sách kỳ này."
        if row.cccd and row.cccd not in (line.beneficiary_cccd, line.recipient_cccd):
            return [row.line_id], f"Số CCCD {row.cccd} không khớp với dòng số {row.line_id}."
        return [row.line_id], _amount_problem(row, [line])
    if not row.cccd:
        return [], "Thiếu mã dòng hoặc số CCCD."
    found = sorted(by_cccd.get(row.cccd, ()))
    if not found:
        return [], f"Không có người hưởng có số CCCD {row.cccd} trong danh sách kỳ này."
    if len({lines[i].beneficiary_code for i in found}) > 1:
        return found, f"Số CCCD {row.cccd} ứng với nhiều người hưởng; hãy ghi mã dòng."
    return found, _amount_problem(row, [lines[i] for i in found])


def _amount_problem(row: ResultRow, targets: list[LineState]) -> str:
    """A stated amount must be what the named line(s) pay: a typo or a shifted column pays nobody."""
    if row.amount is None:
        return ""
    owed = sum(line.amount or 0 for line in targets)
    if row.amount == owed:
        return ""
    what = "dòng" if len(targets) == 1 else f"{len(targets)} dòng"
    return f"Số tiền {_dong(row.amount)} đồng khác số tiền của {what} ({_dong(owed)} đồng); không ghi nhận."


def _dong(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _summarise(results: list[tuple[str, str, str]]) -> tuple[str, str]:
    applied = [status for outcome, _, status in results if outcome == APPLIED]
    if applied:
        suffix = f" ({len(applied)} dòng)" if len(results) > 1 else ""
        return APPLIED, f"Đã ghi nhận: {STATUS_LABELS[applied[0]].lower()}{suffix}."
    refused = [message for outcome, message, _ in results if outcome == REFUSED]
    if refused:
        return REFUSED, refused[0]
    label = STATUS_LABELS[results[0][2]].lower()
    return DUPLICATE, f"Đã ghi nhận trước đó ({label}); không ghi lần hai."
