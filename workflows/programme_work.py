"""Whose programme a piece of work is, as SQL conditions: since 1/3/2025 social assistance (Sở/Phòng Y tế)
and merit allowances (Sở/Phòng Nội vụ) are different departments' work, and each sees its own in the
inbox and on the dashboard (``Scope.programmes``).

- A person is merit work if enrolled in the merit programme, social-assistance work otherwise (someone
  not yet enrolled is being brought in for social assistance); a person in both is both's.
- A payout cycle's instance is its programme's; any other instance (a beneficiary's case) is its
  person's.
- Whose agencies *do* an instance's work (routing) is one programme: the cycle's, or merit for a person
  enrolled in merit only, social assistance for anyone else (a person in both is routed as social
  assistance, though both departments see the work).
- Whose chains hear of it when it is late (escalation) is every programme the work is: a person in both
  programmes escalates along both chains (Sở Y tế's and Sở Nội vụ's), the routing programme first
  (``work_programmes``).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, and_, case, not_, or_, select, true
from sqlalchemy.sql import ColumnElement

from engine.models import Instance

from .beneficiaries.models import Enrolment
from .payouts.models import PayoutCycle
from .programmes import MERIT, PROGRAMMES, SOCIAL

_E = Enrolment.__table__
_C = PayoutCycle.__table__
_I = Instance.__table__


def _enrolled(programme: str):
    return select(_E.c.beneficiary_code).where(_E.c.programme == programme)


def _cycles(programme: str):
    return select(_C.c.instance_id).where(_C.c.programme == programme, _C.c.instance_id.is_not(None))


def _everything(programmes: Collection[str] | None) -> bool:
    return programmes is None or set(PROGRAMMES) <= set(programmes)


def person_condition(code: ColumnElement, programmes: Collection[str] | None) -> ColumnElement:
    """People whose work belongs to ``programmes`` (None: every programme)."""
    if _everything(programmes):
        return true()
    merit = code.in_(_enrolled(MERIT))
    social = or_(code.not_in(_enrolled(MERIT)), code.in_(_enrolled(SOCIAL)))
    return or_(*([merit] if MERIT in programmes else []), *([social] if SOCIAL in programmes else []))


def instance_condition(
    instance_id: ColumnElement, business_key: ColumnElement, programmes: Collection[str] | None
) -> ColumnElement:
    """Instances (and so their tasks) whose work belongs to ``programmes`` (None: every programme)."""
    if _everything(programmes):
        return true()
    cycles = {p: instance_id.in_(_cycles(p)) for p in PROGRAMMES}
    a_cycle = or_(*cycles.values())
    wanted = [cycles[p] for p in PROGRAMMES if p in programmes]
    return or_(*wanted, and_(not_(a_cycle), person_condition(business_key, programmes)))


def cycle_condition(programme: ColumnElement, programmes: Collection[str] | None) -> ColumnElement:
    return true() if _everything(programmes) else programme.in_(sorted(programmes))


def instance_programme(instance_id: ColumnElement, business_key: ColumnElement) -> ColumnElement:
    """The one programme whose agencies do an instance's work (see the module's docstring)."""
    return case(
        (instance_id.in_(_cycles(MERIT)), MERIT),
        (instance_id.in_(_cycles(SOCIAL)), SOCIAL),
        (and_(business_key.in_(_enrolled(MERIT)), business_key.not_in(_enrolled(SOCIAL))), MERIT),
        else_=SOCIAL,
    )


def programmes_of(conn: Connection, instance_ids: Collection[int]) -> dict[int, str]:
    """Instance id → the programme whose agencies do its work; one query."""
    if not instance_ids:
        return {}
    query = select(_I.c.id, instance_programme(_I.c.id, _I.c.business_key)).where(
        _I.c.id.in_(sorted(set(instance_ids)))
    )
    return dict(conn.execute(query).all())


def work_programmes(conn: Connection, instance_ids: Collection[int]) -> dict[int, tuple[str, ...]]:
    """Instance id → every programme whose work it is, the routing programme (``programmes_of``) first:
    one for a cycle or a person in one programme, both for a person enrolled in both. One query."""
    if not instance_ids:
        return {}
    in_both = and_(
        _I.c.id.not_in(select(_C.c.instance_id).where(_C.c.instance_id.is_not(None))),
        _I.c.business_key.in_(_enrolled(MERIT)),
        _I.c.business_key.in_(_enrolled(SOCIAL)),
    )
    query = select(_I.c.id, instance_programme(_I.c.id, _I.c.business_key), in_both).where(
        _I.c.id.in_(sorted(set(instance_ids)))
    )
    return {
        instance_id: (programme, *(p for p in PROGRAMMES if p != programme and both))
        for instance_id, programme, both in conn.execute(query)
    }
