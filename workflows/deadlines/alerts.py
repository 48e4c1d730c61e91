"""What the inbox and the case page ask of the deadlines: an agency's escalations and reminders, a case's
alerts, acknowledging an escalation, and extending a deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import engine
from engine import EngineContext, history
from engine.errors import Conflict, NotFound, ValidationError
from engine.models import Instance
from engine.views import TaskView

from .models import DeadlineAlert
from .sweep import plan_task_now

_A = DeadlineAlert.__table__
_I = Instance.__table__
COMMENT_MAX = 2000


@dataclass(frozen=True)
class AlertView:
    id: int
    kind: str  # reminder | overdue | escalation
    level: int  # escalations: 1 = the assigned agency's supervisor; reminders: working days before due
    task_id: str
    instance_id: int
    business_key: str
    bpmn_id: str
    task_name: str | None
    due_at: datetime
    agency_code: str | None  # whose inbox it is in
    assigned_agency_code: str | None  # who must do the task
    scheduled_at: datetime
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    comment: str | None
    closed_at: datetime | None
    close_reason: str | None  # completed | cancelled | due_changed

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


_VIEW = select(
    _A.c.id,
    _A.c.kind,
    _A.c.step,
    _A.c.task_id,
    _A.c.instance_id,
    _I.c.business_key,
    _A.c.bpmn_id,
    _A.c.task_name,
    _A.c.due_at,
    _A.c.agency_code,
    _A.c.assigned_agency_code,
    _A.c.scheduled_at,
    _A.c.raised_at,
    _A.c.acknowledged_at,
    _A.c.acknowledged_by,
    _A.c.comment,
    _A.c.closed_at,
    _A.c.close_reason,
).join_from(_A, _I, _I.c.id == _A.c.instance_id)


def alerts_for(
    session: Session,
    agency_code: str,
    kinds: tuple[str, ...] = ("escalation",),
    open_only: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> list[AlertView]:
    """An agency's alerts of ``kinds``, newest first (open ones through a partial index)."""
    query = _VIEW.where(_A.c.agency_code == agency_code, _A.c.kind.in_(kinds))
    if open_only:
        query = query.where(_A.c.closed_at.is_(None))
    query = query.order_by(_A.c.raised_at.desc(), _A.c.id.desc()).limit(limit).offset(offset)
    return [AlertView(*row) for row in session.execute(query)]


def escalations_for(
    session: Session, agency_code: str, open_only: bool = True, limit: int = 100, offset: int = 0
) -> list[AlertView]:
    """Overdue tasks of the agencies ``agency_code`` supervises (at any level), for its inbox."""
    return alerts_for(session, agency_code, ("escalation",), open_only, limit, offset)


def reminders_for(
    session: Session, agency_code: str, open_only: bool = True, limit: int = 100, offset: int = 0
) -> list[AlertView]:
    """The agency's own tasks nearing (reminders) or past (overdue notices) their deadline."""
    return alerts_for(session, agency_code, ("reminder", "overdue"), open_only, limit, offset)


def count_open_escalations(session: Session, agency_code: str) -> int:
    """For a badge in the menu."""
    return session.scalar(
        select(func.count())
        .select_from(_A)
        .where(_A.c.agency_code == agency_code, _A.c.kind == "escalation", _A.c.closed_at.is_(None))
    )


def alerts_of_instance(session: Session, instance_id: int) -> list[AlertView]:
    """Every alert of a case, in the order raised: the case page's deadline panel."""
    query = _VIEW.where(_A.c.instance_id == instance_id).order_by(_A.c.raised_at, _A.c.id)
    return [AlertView(*row) for row in session.execute(query)]


def get_alert(session: Session, alert_id: int) -> AlertView:
    row = session.execute(_VIEW.where(_A.c.id == alert_id)).first()
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return AlertView(*row)


def acknowledge_escalation(
    ctx: EngineContext, alert_id: int, actor: str, comment: str | None = None, agency_code: str | None = None
) -> AlertView:
    """``actor`` (of ``agency_code``, when given: the escalation must be in its inbox) has seen the
    escalation and says what is being done. Once only; a closed escalation cannot be acknowledged."""
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ValidationError.single(f"the comment is over {COMMENT_MAX} characters", element="comment")
    now = ctx.now()
    with ctx.db.write() as session:
        alert = get_alert(session, alert_id)
        if alert.kind != "escalation" or (agency_code is not None and alert.agency_code != agency_code):
            raise NotFound(f"escalation {alert_id} does not exist")
        changed = session.execute(
            update(_A)
            .where(_A.c.id == alert_id, _A.c.acknowledged_at.is_(None), _A.c.closed_at.is_(None))
            .values(acknowledged_at=now, acknowledged_by=actor, comment=comment)
        ).rowcount
        if changed != 1:
            current = get_alert(session, alert_id)
            if current.closed_at is not None:
                raise Conflict(f"escalation {alert_id} is closed ({current.close_reason})")
            raise Conflict(f"escalation {alert_id} was acknowledged by {current.acknowledged_by}")
        history.record(
            session.connection(),
            now,
            "escalation_acknowledged",
            alert.instance_id,
            task_id=alert.task_id,
            bpmn_id=alert.bpmn_id,
            actor=actor,
            data={"level": alert.level, "agency": alert.agency_code, "comment": comment},
        )
        return get_alert(session, alert_id)


def extend_deadline(ctx: EngineContext, task_id: str, new_due: datetime, reason: str, actor: str) -> TaskView:
    """Change a task's deadline (the engine records ``due_changed``), then re-plan its alerts at once:
    those of the old deadline close, the reminders and escalations of the new one are scheduled."""
    task = engine.extend_due(ctx, task_id, new_due, reason, actor)
    plan_task_now(ctx, task_id)
    return task
