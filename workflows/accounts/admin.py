"""Administrators managing staff accounts: search, edit, deactivate (never delete), reset a password.
Every change is one unit of work with an entry in the append-only history (who, what, old → new)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from engine import EngineContext, history
from engine.errors import ValidationError
from engine.models import HistoryEvent

from ..org.models import Agency
from .models import User
from .service import Account, _account, _check_strength, _user_named, create_user, hash_password

USER_EVENTS = ("user_created", "user_updated", "user_password_reset")


@dataclass(frozen=True)
class AccountChange:
    at: datetime
    kind: str
    actor: str | None
    changes: dict


def search_users(ctx: EngineContext, text: str = "", agency_code: str | None = None) -> list[Account]:
    """Accounts whose user name or full name contains ``text`` (any case), active ones first."""
    with ctx.db.read() as session:
        query = select(User).order_by(User.active.desc(), User.username)
        if text.strip():
            pattern = f"%{text.strip().lower()}%"
            query = query.where(or_(User.username.like(pattern), User.full_name.ilike(pattern)))
        if agency_code:
            query = query.where(User.agency_code == agency_code)
        return [_account(u) for u in session.scalars(query.limit(500))]


def add_user(
    ctx: EngineContext, username: str, password: str, agency_code: str, actor: str, *,
    full_name: str | None = None, is_admin: bool = False,
) -> Account:  # fmt: skip
    _check_strength(password)
    now = ctx.now()
    with ctx.db.write() as session:
        account = create_user(
            session, username, password, agency_code, now, full_name=full_name, is_admin=is_admin
        )
        _note(session, now, "user_created", actor, account.username,
              {"agency_code": [None, agency_code], "is_admin": [None, is_admin]})  # fmt: skip
    return account


def update_user(
    ctx: EngineContext, username: str, actor: str, *, full_name: str | None = None,
    agency_code: str | None = None, is_admin: bool | None = None, active: bool | None = None,
) -> Account:  # fmt: skip
    """Change what is given; an administrator cannot deactivate or demote themselves (no lock-out)."""
    now = ctx.now()
    with ctx.db.write() as session:
        user = _user_named(session, username)
        wanted = {"full_name": full_name, "agency_code": agency_code, "is_admin": is_admin, "active": active}
        changes = {
            k: [getattr(user, k), v] for k, v in wanted.items() if v is not None and getattr(user, k) != v
        }
        if user.username == actor and (active is False or is_admin is False):
            raise ValidationError.single(
                "you cannot deactivate or demote your own account", element="username"
            )
        if "full_name" in changes and not full_name.strip():
            raise ValidationError.single("Vui lòng nhập họ tên.", element="full_name")
        if "agency_code" in changes and session.get(Agency, agency_code) is None:
            raise ValidationError.single(f"Không có cơ quan mã «{agency_code}».", element="agency_code")
        for name, (_, new) in changes.items():
            setattr(user, name, new)
        if changes:
            _note(session, now, "user_updated", actor, user.username, changes)
        session.flush()
        return _account(user)


def reset_user_password(ctx: EngineContext, username: str, password: str, actor: str) -> Account:
    _check_strength(password)
    now = ctx.now()
    with ctx.db.write() as session:
        user = _user_named(session, username)
        user.password_hash = hash_password(password)
        user.password_changed_at = now
        _note(session, now, "user_password_reset", actor, user.username, {})
        session.flush()
        return _account(user)


def account_history(ctx: EngineContext, username: str) -> list[AccountChange]:
    """Every recorded change to one account, oldest first (the password itself is never recorded)."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(HistoryEvent.at, HistoryEvent.kind, HistoryEvent.actor, HistoryEvent.data)
            .where(HistoryEvent.instance_id.is_(None), HistoryEvent.kind.in_(USER_EVENTS))
            .order_by(HistoryEvent.id)
        ).all()
    return [
        AccountChange(at, kind, actor, (data or {}).get("changes", {}))
        for at, kind, actor, data in rows
        if (data or {}).get("username") == username
    ]


def _note(session, at: datetime, kind: str, actor: str, username: str, changes: dict) -> None:
    history.record(
        session.connection(), at, kind, actor=actor, data={"username": username, "changes": changes}
    )
