"""A case as a person sees it: the record with personal numbers masked unless their role needs them
(and every unmasked view recorded), where it stands, and its timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext, history
from engine.models import Instance

from .beneficiaries.models import Beneficiary
from .beneficiaries.records import get_record
from .case.common import GENDERS, MOBILITY, REPRESENTATIVE_KINDS
from .entitlements import load_entitlements
from .org.models import Area
from .privacy import mask, sees_account, sees_cccd

STATUS_LABELS = {
    "outreach": "Đang vận động",
    "registered": "Đã đăng ký",
    "active_cashless": "Nhận qua tài khoản",
    "cash": "Nhận tiền mặt",
    "rejected": "Không đủ điều kiện",
    "deceased": "Đã chết",
    "duplicate": "Trùng hồ sơ",
    "exited": "Thôi hưởng",
}
PAYMENT_LABELS = {
    "account": "Chuyển khoản",
    "cash_pay_point": "Tiền mặt tại điểm chi trả",
    "cash_home": "Tiền mặt tại nhà",
}


@dataclass(frozen=True)
class CaseSummary:
    code: str
    full_name: str
    date_of_birth: date | None
    gender: str
    cccd: str
    cccd_masked: bool
    phone: str
    area: str
    village: str
    category: str
    status: str
    payment: str
    bank_code: str
    account_number: str
    account_masked: bool
    representative: str
    mobility: str
    instance_id: int | None


def case_summary(ctx: EngineContext, code: str, roles: Iterable[str], viewer: str) -> CaseSummary:
    """The record for ``viewer`` whose agency plays ``roles``; unmasked numbers shown are recorded."""
    roles = set(roles)
    show_cccd, show_account = sees_cccd(roles), sees_account(roles)
    with ctx.db.write() as session:
        record = get_record(session, code)
        instance_id = _instance_id(session, code)
        shown = [
            f
            for f, ok in (
                ("cccd", show_cccd and record.cccd),
                ("account", show_account and record.account_number),
            )
            if ok
        ]
        if shown:
            history.record(
                session.connection(), ctx.now(), "pii_viewed", instance_id, actor=viewer,
                data={"beneficiary": code, "fields": shown},
            )  # fmt: skip
        return CaseSummary(
            code=record.code,
            full_name=record.full_name,
            date_of_birth=record.date_of_birth,
            gender=GENDERS.get(record.gender or "", ""),
            cccd=record.cccd or "" if show_cccd else mask(record.cccd),
            cccd_masked=not show_cccd and bool(record.cccd),
            phone=record.phone or "",
            area=_area_label(session, record.area_code),
            village=record.village or "",
            category=_category(record.category_code),
            status=STATUS_LABELS.get(record.status, record.status),
            payment=PAYMENT_LABELS.get(record.payment_method or "", "Chưa xác định"),
            bank_code=record.bank_code or "",
            account_number=record.account_number or "" if show_account else mask(record.account_number),
            account_masked=not show_account and bool(record.account_number),
            representative=_representative(record),
            mobility=MOBILITY.get(record.mobility or "", ""),
            instance_id=instance_id,
        )


@dataclass(frozen=True)
class Diagram:
    xml: str
    current: list[str]  # bpmn ids where the case stands
    done: list[str]  # bpmn ids already passed


def case_diagram(ctx: EngineContext, instance_id: int) -> Diagram:
    """The BPMN the case runs on (its own version, not the newest) and where it stands."""
    view = engine.get_instance(ctx, instance_id)
    done = {
        e.bpmn_id
        for e in engine.instance_history(ctx, instance_id)
        if e.kind == "task_completed" and e.bpmn_id
    }
    return Diagram(
        engine.instance_source(ctx, instance_id), [t.bpmn_id for t in view.open_tasks], sorted(done)
    )


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


def instance_of(ctx: EngineContext, code: str) -> int | None:
    """The case's instance (the newest, if the case was ever restarted)."""
    with ctx.db.read() as session:
        return _instance_id(session, code)


def _instance_id(session: Session, code: str) -> int | None:
    return session.scalar(
        select(Instance.id).where(Instance.business_key == code).order_by(Instance.id.desc()).limit(1)
    )


def _area_label(session: Session, code: str) -> str:
    area = session.get(Area, code)
    return f"{area.kind} {area.name}" if area else code


def _category(code: str) -> str:
    category = load_entitlements().categories.get(code)
    return category.name if category else code


def _representative(record: Beneficiary) -> str:
    if not record.representative_kind:
        return ""
    kind = REPRESENTATIVE_KINDS.get(record.representative_kind, record.representative_kind)
    return f"{kind}: {record.representative_name or ''} ({record.representative_relationship or ''})"
