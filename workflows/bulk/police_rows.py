"""Which task each uploaded row of police results is for, decided for the whole file with a few
queries before anything is changed; then each accepted row completes its task on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import EngineContext
from engine.errors import Conflict, NotFound
from engine.fastsql import select_in
from engine.models import HistoryEvent, Instance, OpenTask

from ..beneficiaries.models import Beneficiary
from ..case.police import RESULTS
from ..deadlines import local_date
from ..forms import FormInvalid, load_form
from ..tasks import submit_task
from .pending import FORM_KEY, Pending, pending_tasks
from .report import ALREADY_DONE, DONE, ERROR, SKIPPED, RowResult
from .sheets import SheetRow, as_day, as_digits, as_text, fold

TEXT_FIELDS = ("corrected_full_name", "duplicate_of", "note")
DAY_FIELDS = ("corrected_date_of_birth", "date_of_death")
LABELS = {
    "result": "Kết quả", "corrected_full_name": "Họ tên đúng", "corrected_date_of_birth": "Ngày sinh đúng",
    "corrected_cccd": "Số CCCD đúng", "date_of_death": "Ngày chết", "duplicate_of": "Trùng với mã hồ sơ",
    "note": "Ghi chú",
}  # fmt: skip
OUT_OF_SCOPE = "Công việc này không thuộc địa bàn hoặc nhiệm vụ của đơn vị; không được xử lý."


@dataclass
class RowPlan:
    row: SheetRow
    outcome: RowResult | None = None  # decided without touching the task
    task: Pending | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def submit(self, ctx: EngineContext, user: str) -> RowResult:
        task = self.task
        try:
            done = submit_task(ctx, task.task_id, self.raw, user=user)
        except FormInvalid as invalid:
            return self._result(ERROR, form_errors(invalid))
        except (Conflict, NotFound):
            return self._result(ERROR, "Hồ sơ vừa được người khác cập nhật; tải lại danh sách và thử lại.")
        moves = [f"«{r.task.name or r.task.bpmn_id}» — {r.agency_name}" for r in done.next_tasks]
        if moves:
            return self._result(DONE, f"Đã cập nhật; chuyển bước {', '.join(moves)}.")
        closed = done.step.status == "completed"
        return self._result(DONE, "Đã cập nhật; hồ sơ đã đóng." if closed else "Đã cập nhật.")

    def _result(self, status: str, message: str) -> RowResult:
        code = self.task.code if self.task else None
        task_id = self.task.task_id if self.task else None
        return RowResult(self.row.number, status, message, self.row.values, task_id, code)


def resolve_rows(
    session: Session, areas: Sequence[str], rows: Sequence[SheetRow], user: str
) -> list[RowPlan]:
    """A plan per row: its outcome when it can be decided now (skipped, refused, already done), else
    the open task it completes."""
    pending = {p.task_id: p for p in pending_tasks(session, areas)}
    plans = [_parse(row) for row in rows]
    facts = _Facts(session, set(areas), pending, plans)
    seen: dict[str, int] = {}
    for plan in plans:
        if plan.outcome is None:
            _decide(plan, facts, seen, user)
    return plans


def form_errors(invalid: FormInvalid) -> str:
    parts = []
    for name, messages in invalid.errors.items():
        text = " ".join(messages)
        parts.append(text if name == "_schema" else f"{LABELS.get(name, name)}: {text}")
    return "; ".join(parts)


def _parse(row: SheetRow) -> RowPlan:
    cells = row.cells
    plan = RowPlan(row)
    result = as_text(cells.get("result"))
    entered = [result, *(as_text(cells.get(n)) for n in (*TEXT_FIELDS, *DAY_FIELDS, "corrected_cccd"))]
    if not any(entered):
        plan.outcome = RowResult(row.number, SKIPPED, "Chưa ghi kết quả; dòng này được bỏ qua.", row.values)
        return plan
    choices = {fold(label): code for code, label in RESULTS.items()} | {code: code for code in RESULTS}
    code = choices.get(fold(result)) if result else None
    if code is None:
        labels = "; ".join(f"«{label}»" for label in RESULTS.values())
        given = f"Kết quả «{result}» không có trong danh sách" if result else "Chưa chọn kết quả"
        plan.outcome = RowResult(row.number, ERROR, f"{given}; chọn một trong: {labels}.", row.values)
        return plan
    plan.raw = {"result": code, "corrected_cccd": as_digits(cells.get("corrected_cccd"), 12)}
    plan.raw.update({n: as_text(cells.get(n)) for n in TEXT_FIELDS})
    plan.raw.update({n: as_day(cells.get(n)) for n in DAY_FIELDS})
    plan.raw = {k: v for k, v in plan.raw.items() if v}
    plan.raw["confirm_closure"] = True  # a result written on the officer's own row is their confirmation
    return plan


class _Facts:
    """What the rows need to know beyond the pending list, fetched in a few set-wise queries."""

    def __init__(self, session: Session, scope: set[str], pending: dict[str, Pending], plans) -> None:
        self.scope, self.pending = scope, pending
        wanted = [p for p in plans if p.outcome is None]
        ids = {_cell(p, "task_id") for p in wanted} - set(pending)
        cccds = {_cell(p, "cccd") for p in wanted} | {p.raw.get("corrected_cccd") for p in wanted}
        codes = {_cell(p, "code") for p in wanted}
        tasks = select(OpenTask.id, OpenTask.area_code)
        self.open = {r.id: r for r in select_in(session, tasks, OpenTask.id, ids)}
        created = select(HistoryEvent.task_id, HistoryEvent.instance_id, HistoryEvent.bpmn_id).where(
            HistoryEvent.kind == "task_created"
        )
        self.created = {r.task_id: r for r in select_in(session, created, HistoryEvent.task_id, ids)}
        known = select(Beneficiary.code, Beneficiary.cccd, Beneficiary.area_code, Instance.id).join(
            Instance, Instance.business_key == Beneficiary.code
        )
        by_cccd = select_in(session, known, Beneficiary.cccd, cccds)
        self.known = [
            r for r in by_cccd + select_in(session, known, Beneficiary.code, codes) if r.area_code in scope
        ]
        instances = {r.instance_id for r in self.created.values()} | {r.id for r in self.known}
        instances |= {p.instance_id for p in pending.values() if p.cccd in cccds or p.code in codes}
        self.areas = dict(select_in(session, select(Instance.id, Instance.area_code), Instance.id, instances))
        done = select(HistoryEvent.instance_id, HistoryEvent.task_id, HistoryEvent.at, HistoryEvent.data)
        done = done.where(HistoryEvent.kind == "task_completed", HistoryEvent.bpmn_id == FORM_KEY)
        self.completed: dict[int, list] = {}
        for r in sorted(select_in(session, done, HistoryEvent.instance_id, instances), key=lambda r: r.at):
            self.completed.setdefault(r.instance_id, []).append(r)

    def completion(self, instance_id: int, task_id: str | None = None):
        rows = [r for r in self.completed.get(instance_id, []) if task_id in (None, r.task_id)]
        return rows[-1] if rows else None


def _decide(plan: RowPlan, facts: _Facts, seen: dict[str, int], user: str) -> None:
    number, values = plan.row.number, plan.row.values
    task_id, cccd, code = _cell(plan, "task_id"), _cell(plan, "cccd"), _cell(plan, "code")

    def refuse(message: str, status: str = ERROR) -> None:
        plan.outcome = RowResult(number, status, message, values, task_id or None, code or None)

    try:
        data, invalid = load_form(FORM_KEY, plan.raw), None
    except FormInvalid as error:
        data, invalid = None, error
    if task_id and task_id not in facts.pending:
        return refuse(*_not_pending(facts, task_id, data))
    if task_id:
        task = facts.pending[task_id]
    elif not (cccd or code):
        return refuse("Dòng không có mã công việc, số CCCD hay mã hồ sơ để biết là của ai.")
    else:
        matches = [
            p for p in facts.pending.values() if (not cccd or p.cccd == cccd) and (not code or p.code == code)
        ]
        if len(matches) > 1:
            listed = ", ".join(p.code for p in matches)
            return refuse(
                f"Có {len(matches)} hồ sơ đang chờ làm sạch cùng số CCCD «{cccd}» ({listed}); "
                "ghi mã hồ sơ hoặc mã công việc để chọn."
            )
        if not matches:
            return refuse(*_no_match(facts, cccd, code, data))
        task = matches[0]
        previous = facts.completion(task.instance_id)
        if previous is not None and previous.data == data:
            return refuse(_already(previous), ALREADY_DONE)
    if cccd and task.cccd and cccd != task.cccd:
        return refuse(
            f"Số CCCD «{cccd}» không khớp với hồ sơ {task.code} của công việc này "
            f"(trong hồ sơ: {task.cccd}); kiểm tra lại dòng, có thể các dòng đã bị xáo trộn khi sắp xếp."
        )
    if code and code != task.code:
        return refuse(f"Mã hồ sơ «{code}» không khớp với công việc này (của hồ sơ {task.code}).")
    if invalid is not None:
        return refuse(form_errors(invalid))
    if task.task_id in seen:
        return refuse(f"Trùng với dòng {seen[task.task_id]} (cùng hồ sơ {task.code}); chỉ xử lý dòng đó.")
    seen[task.task_id] = number
    if task.claimed_by not in (None, user):
        return refuse(f"Công việc đang do «{task.claimed_by}» nhận xử lý; cần người đó bỏ nhận trước.")
    plan.task = task
    return None


def _not_pending(facts: _Facts, task_id: str, data: dict | None) -> tuple[str, ...]:
    if task_id in facts.open:
        return (OUT_OF_SCOPE,)
    created = facts.created.get(task_id)
    if created is None:
        return (f"Không tìm thấy công việc có mã «{task_id}».",)
    if created.bpmn_id != FORM_KEY or facts.areas.get(created.instance_id) not in facts.scope:
        return (OUT_OF_SCOPE,)
    previous = facts.completion(created.instance_id, task_id)
    if previous is None:
        return ("Công việc không còn mở (hồ sơ đã chuyển bước khác hoặc đã đóng); không xử lý.",)
    note = "" if previous.data == data else " Kết quả ghi ở dòng này khác với kết quả đã xử lý."
    return (_already(previous) + note, ALREADY_DONE)


def _no_match(facts: _Facts, cccd: str, code: str, data: dict | None) -> tuple[str, ...]:
    for known in facts.known:
        if (not cccd or known.cccd in (cccd, (data or {}).get("corrected_cccd"))) and code in (
            known.code,
            "",
        ):
            previous = facts.completion(known.id)
            if previous is not None and previous.data == data:
                return (_already(previous), ALREADY_DONE)
    what = f"số CCCD «{cccd}»" if cccd else f"mã hồ sơ «{code}»"
    return (f"Không có hồ sơ nào đang chờ làm sạch dữ liệu với {what} trong địa bàn của đơn vị.",)


def _already(previous) -> str:
    label = RESULTS.get((previous.data or {}).get("result"), "?")
    day = local_date(previous.at)
    return f"Đã xử lý trước đó ngày {day:%d/%m/%Y} (kết quả: {label}); không xử lý lại."


def _cell(plan: RowPlan, key: str) -> str:
    value = plan.row.cells.get(key)
    if key == "cccd":
        return as_digits(value, 12)
    return as_text(value).lower() if key == "task_id" else as_text(value)
