"""Where a case stands and how it got there: its diagram and its timeline, in people's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import engine
from engine import EngineContext


@dataclass(frozen=True)
class Diagram:
    xml: str
    current: list[str]  # bpmn ids where the case stands
    done: list[str]  # bpmn ids already passed
    waiting: list[engine.Wait] = field(default_factory=list)  # the timers and messages it waits for


def case_diagram(ctx: EngineContext, instance_id: int) -> Diagram:
    """The BPMN the case runs on (its own version, not the newest) and where it stands."""
    view = engine.get_instance(ctx, instance_id)
    done = {
        e.bpmn_id
        for e in engine.instance_history(ctx, instance_id)
        if e.kind == "task_completed" and e.bpmn_id
    }
    return Diagram(
        engine.instance_source(ctx, instance_id), [t.bpmn_id for t in view.open_tasks], sorted(done),
        engine.instance_waits(ctx, instance_id),
    )  # fmt: skip


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
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    step: str | None
    actor: str | None
    detail: str

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)


def timeline(ctx: EngineContext, instance_id: int) -> list[TimelineEntry]:
    names = engine.step_names(ctx, instance_id)
    entries = []
    for e in engine.instance_history(ctx, instance_id):
        data = e.data or {}
        detail = ""
        if e.kind == "record_changed":
            detail = ", ".join(sorted(data.get("changes", {})))
        elif e.kind in ("message_delivered",) or e.kind == "incident_raised":
            detail = data.get("message", "")
        entries.append(TimelineEntry(e.at, e.kind, names.get(e.bpmn_id, e.bpmn_id), e.actor, detail))
    return entries
