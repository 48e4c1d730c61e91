"""Where a case stands and how it got there: its diagram and its timeline, in people's words.

Each step's entry says what was entered there, with the form's Vietnamese labels and choices (personal
numbers masked); a deadline's move says why; views of personal data are gathered into one line per run
so that they do not bury the work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import engine
from engine import EngineContext
from engine.history import HistoryEntry
from engine.views import TaskView

from ..deadlines import VIETNAM
from ..forms import FORMS, describe
from ..privacy import mask

EVENT_LABELS = {
    "instance_started": "Mở hồ sơ",
    "instance_ended": "Kết thúc hồ sơ",
    "task_created": "Chuyển đến bước",
    "task_completed": "Hoàn thành bước",
    "task_claimed": "Nhận việc",
    "task_unclaimed": "Trả lại việc",
    "task_assigned": "Giao việc",
    "task_cancelled": "Hủy bước",
    "record_changed": "Cập nhật hồ sơ",
    "message_delivered": "Nhận thông báo",
    "timer_fired": "Hết thời gian chờ",
    "step_resumed": "Tiếp tục xử lý tự động",
    "incident_raised": "Sự cố",
    "incident_resolved": "Đã khắc phục sự cố",
    "pii_viewed": "Xem thông tin cá nhân",
    "due_changed": "Gia hạn",
    "reminder_sent": "Nhắc việc",
    "task_overdue": "Quá hạn",
    "escalation_raised": "Báo quá hạn lên cấp trên",
    "escalation_acknowledged": "Cấp trên đã ghi nhận",
    "escalation_closed": "Đóng cảnh báo quá hạn",
    "case_reopened": "Mở lại hồ sơ",
    "enrolment_changed": "Cập nhật diện hưởng",
}
PERSONAL = frozenset({"cccd", "account_number", "representative_cccd", "new_cccd"})
# The record's and the enrolment's fields that no form names.
RECORD_LABELS = {
    "status": "Trạng thái", "payment_method": "Hình thức nhận", "bank_code": "Ngân hàng",
    "consent_given": "Đồng ý xử lý dữ liệu cá nhân", "consent_at": "Thời điểm đồng ý",
    "closed_reason": "Lý do đóng hồ sơ", "category_code": "Đối tượng", "entitled_from": "Hưởng từ tháng",
    "paid_through": "Đã nhận đến tháng", "children_count": "Số con đang nuôi",
}  # fmt: skip


@dataclass(frozen=True)
class Diagram:
    xml: str
    current: list[str]  # bpmn ids where the case stands
    done: list[str]  # bpmn ids already passed
    waiting: list[engine.Wait] = field(default_factory=list)  # the timers and messages it waits for


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    step: str | None
    actor: str | None
    parts: tuple[
        tuple[str, str], ...
    ] = ()  # what it says, as (a domain word, its value or ""): see ``detail``
    count: int = 1  # gathered entries (views of personal data): how many

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)

    def detail(self, say: Callable[[str], str] = str) -> str:
        """``Hình thức tiếp xúc: Đến nhà; …``, each word of ``parts`` said by ``say`` (another language's)."""
        return "; ".join(f"{say(word)}: {say(value)}" if value else say(word) for word, value in self.parts)


def case_diagram(
    ctx: EngineContext, instance_id: int, open_tasks: Iterable[TaskView], history: Iterable[HistoryEntry]
) -> Diagram:
    """The BPMN the case runs on (its own version, not the newest) and where it stands."""
    done = {e.bpmn_id for e in history if e.kind == "task_completed" and e.bpmn_id}
    return Diagram(
        engine.instance_source(ctx, instance_id), [t.bpmn_id for t in open_tasks], sorted(done),
        engine.instance_waits(ctx, instance_id),
    )  # fmt: skip


def timeline(ctx: EngineContext, instance_id: int, history: Iterable[HistoryEntry]) -> list[TimelineEntry]:
    names, forms = engine.step_names(ctx, instance_id), engine.step_forms(ctx, instance_id)
    entries: list[TimelineEntry] = []
    for e in history:
        step = names.get(e.bpmn_id, e.bpmn_id)
        if e.kind == "pii_viewed" and entries and entries[-1].kind == "pii_viewed":
            last = entries[-1]
            who = last.actor if e.actor in (last.actor or "").split(", ") else f"{last.actor}, {e.actor}"
            entries[-1] = TimelineEntry(last.at, last.kind, None, who, (), last.count + 1)
            continue
        entries.append(TimelineEntry(e.at, e.kind, step, e.actor, _detail(e, forms.get(e.bpmn_id))))
    return entries


# The words ``_detail`` puts before a value (in the catalog, for pages in another language).
DETAIL_LABELS = {
    "due": "Hạn mới",
    "reason": "Lý do",
    "reopened": "Mở lại hồ sơ đã đóng",
    "to": "Giao cho",
    "from": "Lấy lại từ",
    "yes": "Có",
    "no": "Không",
}


def _detail(e: HistoryEntry, form_key: str | None) -> tuple[tuple[str, str], ...]:
    data = e.data or {}
    if e.kind == "task_completed" and form_key in FORMS:
        return entered(form_key, data)
    if e.kind in ("record_changed", "enrolment_changed"):
        labels = _labels()
        changed = sorted(data.get("changes", {}))
        return tuple((labels.get(name, RECORD_LABELS.get(name, name)), "") for name in changed)
    if e.kind == "due_changed":
        new = datetime.fromisoformat(data["new"]).astimezone(VIETNAM) if data.get("new") else None
        until = ((DETAIL_LABELS["due"], f"{new:%d/%m/%Y %H:%M}"),) if new else ()
        return until + (((DETAIL_LABELS["reason"], data["reason"]),) if data.get("reason") else ())
    if e.kind == "instance_started" and (data.get("origin") or {}).get("reopened"):
        return ((DETAIL_LABELS["reopened"], ""), (DETAIL_LABELS["reason"], data["origin"]["reopened"]))
    if e.kind == "task_assigned":
        taken = data.get("from") not in (None, e.actor, data.get("to"))
        return (((DETAIL_LABELS["to"], data["to"]),) if data.get("to") else ()) + (
            ((DETAIL_LABELS["from"], data["from"]),) if taken else ()
        )
    if e.kind == "task_unclaimed":
        return ((DETAIL_LABELS["from"], data["from"]),) if data.get("from") else ()
    if e.kind in ("escalation_acknowledged", "case_reopened"):
        said = data.get("comment") or data.get("reason") or ""
        return ((said, ""),) if said else ()
    if e.kind in ("message_delivered", "incident_raised"):
        return ((data["message"], ""),) if data.get("message") else ()
    return ()


def entered(form_key: str, data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What was entered at a step, as its form names it: ``(("Hình thức tiếp xúc", "Đến nhà"), …)``."""
    parts = []
    for spec in describe(form_key):
        value = data.get(spec.name)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, bool):
            shown = DETAIL_LABELS["yes" if value else "no"]
        elif spec.name in PERSONAL:
            shown = mask(str(value))
        else:
            shown = spec.choices.get(str(value), str(value))
        parts.append((spec.label, shown))
    return tuple(parts)


_LABELS: dict[str, str] = {}


def _labels() -> dict[str, str]:
    """Every form field's label by name (the record's fields carry the names of the forms that set them)."""
    if not _LABELS:
        for key in FORMS:
            _LABELS.update((f.name, f.label) for f in describe(key) if f.name not in _LABELS)
    return _LABELS
