"""Who may open a case: the agencies whose areas it is registered in, and the supervisors of the work it
waits on (they may move its tasks, ``workflows.tasks.supervision``, so they read it too). The case page,
its diagram, the API and the inbox's links all ask here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from ..inbox import cases_in_scope
from ..scope import Scope
from ..tasks.supervision import supervised_cases


def cases_open_to(session: Session, scope: Scope, codes: Iterable[str], on: date) -> set[str]:
    """Which of ``codes`` the scope's agency may open on ``on``: its areas' in one statement, and only for
    the others the escalation chains of their open tasks."""
    codes = set(codes)
    own = cases_in_scope(session, scope, codes)
    return own | supervised_cases(session, scope.agency_code, codes - own, on)


def case_open_to(session: Session, scope: Scope, code: str, on: date) -> bool:
    return bool(cases_open_to(session, scope, [code], on))
