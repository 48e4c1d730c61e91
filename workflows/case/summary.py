"""A case's record as a person sees it: personal numbers masked unless their role needs them, and every
unmasked view recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import EngineContext, history
from engine.models import Instance

from ..beneficiaries.models import CLOSED_STATUSES, Beneficiary
from ..beneficiaries.records import get_record
from ..entitlements import load_entitlements
from ..org.models import Area
from ..privacy import mask, sees_account, sees_cccd
from .common import GENDERS, MOBILITY, REPRESENTATIVE_KINDS

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
    "": "Chưa xác định",
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
    closed: bool = False
    duplicate_of: str = ""  # closed as a duplicate: of this case


def case_summary(
    ctx: EngineContext, code: str, roles: Iterable[str], viewer: str, instance_id: int | None = None
) -> CaseSummary:
    """The record for ``viewer`` whose agency plays ``roles``; unmasked numbers shown are recorded.
    ``instance_id``: the case's instance, when the caller knows it (a task page: its task's)."""
    roles = set(roles)
    show_cccd, show_account = sees_cccd(roles), sees_account(roles)
    with ctx.db.write() as session:
        record = get_record(session, code)
        instance_id = instance_id or _instance_id(session, code)
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
            payment=PAYMENT_LABELS.get(record.payment_method or "", PAYMENT_LABELS[""]),
            bank_code=record.bank_code or "",
            account_number=record.account_number or "" if show_account else mask(record.account_number),
            account_masked=not show_account and bool(record.account_number),
            representative=_representative(record),
            mobility=MOBILITY.get(record.mobility or "", ""),
            instance_id=instance_id,
            closed=record.status in CLOSED_STATUSES,
            duplicate_of=record.duplicate_of or "",
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


def instance_of(ctx: EngineContext, code: str) -> int | None:
    """The case's instance (the newest, if the case was ever restarted)."""
    with ctx.db.read() as session:
        return _instance_id(session, code)


def _instance_id(session: Session, code: str) -> int | None:
    return session.scalar(
        select(Instance.id).where(Instance.business_key == code).order_by(Instance.id.desc()).limit(1)
    )
