"""Creating users, checking passwords, and refusing guessers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, ValidationError

from ..org.models import Agency
from .models import LoginAttempt, User

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = timedelta(minutes=15)
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    full_name: str
    agency_code: str
    is_admin: bool
    active: bool
    language: str
    password_changed_at: datetime


@dataclass(frozen=True)
class LoginResult:
    """The account when the login succeeded; else whether it was refused for too many failures (a wrong
    user name and a wrong password look the same)."""

    account: Account | None
    throttled: bool = False


def hash_password(password: str) -> str:
    _check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    username: str,
    password: str,
    agency_code: str,
    at: datetime,
    *,
    full_name: str | None = None,
    is_admin: bool = False,
) -> Account:
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise ValidationError.single("a user name is letters, digits, '.', '_' or '-'", element="username")
    if session.get(Agency, agency_code) is None:
        raise NotFound(f"no agency with code {agency_code!r}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(
        username=username,
        full_name=full_name or username,
        agency_code=agency_code,
        password_hash=hash_password(password),
        is_admin=is_admin,
        active=True,
        language="vi",
        created_at=at,
        password_changed_at=at,
    )
    session.add(user)
    session.flush()
    return _account(user)


def reset_password(session: Session, username: str, password: str, at: datetime) -> Account:
    user = _user_named(session, username)
    user.password_hash = hash_password(password)
    user.password_changed_at = at
    session.flush()
    return _account(user)


def authenticate(
    session: Session, username: str, password: str, address: str | None, at: datetime
) -> Account:
    """The account, if the password is right and neither the user name nor the address is throttled.

    Every attempt is recorded; a throttled attempt fails even with the right password.
    """
    username = (username or "").strip().lower()
    since = at - THROTTLE_WINDOW
    failures = session.scalar(
        select(func.count()).where(
            LoginAttempt.username == username, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
        )
    )
    from_address = (
        session.scalar(
            select(func.count()).where(
                LoginAttempt.address == address, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
            )
        )
        if address
        else 0
    )
    throttled = failures >= MAX_FAILURES_PER_USER or from_address >= MAX_FAILURES_PER_ADDRESS
    user = session.scalar(select(User).where(User.username == username))
    ok = not throttled and user is not None and user.active and verify_password(user.password_hash, password)
    session.add(LoginAttempt(username=username[:60], address=address, at=at, succeeded=ok))
    session.flush()
    if not ok:
        return LoginResult(None, throttled)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(_account(user))


def get_user(session: Session, user_id: int) -> Account | None:
    user = session.get(User, user_id)
    return _account(user) if user is not None and user.active else None


def list_users(session: Session, agency_code: str | None = None) -> list[Account]:
    query = select(User).order_by(User.username)
    if agency_code:
        query = query.where(User.agency_code == agency_code)
    return [_account(u) for u in session.scalars(query)]


def _user_named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _check_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", element="password"
        )
    if password.isdigit() or password.isalpha():
        raise ValidationError.single(
            "a password needs both letters and digits or symbols", element="password"
        )


def _account(user: User) -> Account:
    return Account(
        user.id, user.username, user.full_name, user.agency_code, user.is_admin, user.active, user.language,
        user.password_changed_at,
    )  # fmt: skip
