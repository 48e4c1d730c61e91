"""Creating users, checking passwords, and refusing guessers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, ValidationError

from ..org.models import Agency
from .models import LoginAttempt, User

MIN_PASSWORD_LENGTH = 10
# Throttling slows guessing without giving strangers a lockout button. Each refused attempt makes the
# next one wait longer (1 s, 2 s, 4 s, … up to a cap) — counted per user name *and* address, so a stranger
# guessing an officer's password slows only themselves. Many failures from one address, or for one user
# name from many addresses, also slow down everyone else there — except a user logging in from an address
# they have logged in from successfully before (their office), so an attacker cannot shut them out.
THROTTLE_WINDOW = timedelta(hours=1)  # failures older than this are forgotten
FREE_FAILURES_PER_PAIR = 3  # (user name, address)
FREE_FAILURES_PER_ADDRESS = 20  # any user name from one address
FREE_FAILURES_PER_USER = 10  # one user name from any address
MAX_DELAY = timedelta(minutes=15)
TRUSTED_ADDRESS_DAYS = 90
# argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1; Password Storage Cheat Sheet):
# ~25 ms of one core a check. The library's default (64 MiB, t = 3, 4 lanes) took ~200 ms of CPU, and a
# hundred officers logging in within seconds held both cores of a province server for that long.
# Hashes made with other parameters still verify and are rehashed at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


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
    retry_after_s: int = 0  # when throttled: how long to wait before trying again


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
        raise ValidationError.single(
            "Tên đăng nhập chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.",
            element="username",
        )
    if session.get(Agency, agency_code) is None:
        raise NotFound(f"no agency with code {agency_code!r}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Tên đăng nhập «{username}» đã có người dùng; chọn tên khác.")
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
) -> LoginResult:
    """The account, if the password is right and the attempt is not too soon after earlier failures
    (see THROTTLE_WINDOW). Every attempt is recorded; one that comes too soon is refused unchecked."""
    username = (username or "").strip().lower()
    wait = throttle_wait(session, username, address, at)
    user = session.scalar(select(User).where(User.username == username))
    ok = not wait and user is not None and user.active and verify_password(user.password_hash, password)
    session.add(LoginAttempt(username=username[:60], address=address, at=at, succeeded=ok))
    session.flush()
    if not ok:
        return LoginResult(None, bool(wait), _whole_seconds(wait))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(_account(user))


def throttle_wait(session: Session, username: str, address: str | None, at: datetime) -> timedelta:
    """How long this user name at this address must still wait before a password is checked again."""
    since = at - THROTTLE_WINDOW
    failed = (LoginAttempt.at >= since) & LoginAttempt.succeeded.is_(False)
    name = LoginAttempt.username == username[:60]
    from_address = LoginAttempt.address == address if address else None
    waits = [_wait(session, failed & name & from_address, FREE_FAILURES_PER_PAIR, at)] if address else []
    trusted = address is not None and session.scalar(
        select(LoginAttempt.id)
        .where(name, from_address, LoginAttempt.succeeded.is_(True))
        .where(LoginAttempt.at >= at - timedelta(days=TRUSTED_ADDRESS_DAYS))
        .limit(1)
    )
    if not trusted:
        waits.append(_wait(session, failed & name, FREE_FAILURES_PER_USER, at))
        if address:
            waits.append(_wait(session, failed & from_address, FREE_FAILURES_PER_ADDRESS, at))
    return max(waits, default=timedelta(0))


def _wait(session: Session, failures: ColumnElement[bool], free: int, at: datetime) -> timedelta:
    count, last = session.execute(select(func.count(), func.max(LoginAttempt.at)).where(failures)).one()
    if count < free or last is None:
        return timedelta(0)
    delay = min(timedelta(seconds=2 ** min(count - free, 20)), MAX_DELAY)
    if last.tzinfo is None:  # SQLite's aggregate comes back as naive UTC
        last = last.replace(tzinfo=at.tzinfo)
    return max(last + delay - at, timedelta(0))


def _whole_seconds(wait: timedelta) -> int:
    return int(wait.total_seconds()) + (1 if wait.total_seconds() % 1 else 0)


# an Account's fields, in its order: the page loader's read on every request, without an ORM object
_ACCOUNT = select(
    User.id, User.username, User.full_name, User.agency_code, User.is_admin, User.active, User.language,
    User.password_changed_at,
).where(User.id == bindparam("user_id"))  # fmt: skip


def get_user(session: Session, user_id: int) -> Account | None:
    """An active account by id (one statement)."""
    found = session.connection().execute(_ACCOUNT, {"user_id": user_id}).first()
    return Account(*found) if found is not None and found.active else None


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
        raise ValidationError.single(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.", element="password")
    if password.isdigit() or password.isalpha():
        raise ValidationError.single("Mật khẩu cần có cả chữ và chữ số (hoặc ký hiệu).", element="password")


def _account(user: User) -> Account:
    return Account(
        user.id, user.username, user.full_name, user.agency_code, user.is_admin, user.active, user.language,
        user.password_changed_at,
    )  # fmt: skip
