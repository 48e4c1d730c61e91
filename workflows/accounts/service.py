"""Creating users, checking passwords, and refusing guessers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session, aliased

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
# argon2id at one of the equal minimums of OWASP's Password Storage Cheat Sheet
# (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id):
# m = 46 MiB t = 1, m = 19 MiB t = 2, m = 12 MiB t = 3, m = 9 MiB t = 4 or m = 7 MiB t = 5, each with
# p = 1, "an equal level of defense", differing only in how they trade CPU for memory. We take 7 MiB,
# t = 5: measured here (2 cores, load 6-7) a check costs 31.6 ms of CPU against 41.9 ms for 19 MiB, t = 2
# (two at once), because several logins at once still fit the server's 32 MiB cache. The library's
# default (64 MiB, t = 3, 4 lanes) cost ~200 ms a login.
# Hashes made with other parameters still verify and are rehashed at the next successful login.
_hasher = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1)


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
    """How long this user name at this address must still wait before a password is checked again.

    One statement (a login's first): the window's failures for the pair, the user name and the address,
    and whether the pair has succeeded within TRUSTED_ADDRESS_DAYS."""
    name = LoginAttempt.username == username[:60]
    counted = {"pair": FREE_FAILURES_PER_PAIR, "user": FREE_FAILURES_PER_USER}
    scopes: dict[str, ColumnElement[bool]] = {"user": name}
    wanted = name
    if address:
        from_address = LoginAttempt.address == address
        scopes |= {"pair": name & from_address, "address": from_address}
        counted["address"] = FREE_FAILURES_PER_ADDRESS
        wanted = name | from_address
    failed = LoginAttempt.succeeded.is_(False)
    columns = [
        aggregate.filter(failed & scope)
        for scope in scopes.values()
        for aggregate in (func.count(), func.max(LoginAttempt.at))
    ]
    if address:  # has the user logged in from this address before (their office)?
        earlier = aliased(LoginAttempt)
        columns.append(
            select(earlier.id)
            .where(earlier.username == username[:60], earlier.address == address, earlier.succeeded.is_(True))
            .where(earlier.at >= at - timedelta(days=TRUSTED_ADDRESS_DAYS))
            .limit(1)
            .exists()
        )
    row = session.execute(select(*columns).where(LoginAttempt.at >= at - THROTTLE_WINDOW, wanted)).one()
    found = {scope: row[2 * i : 2 * i + 2] for i, scope in enumerate(scopes)}
    if address and row[-1]:  # a trusted address: only the pair's failures count
        found = {"pair": found["pair"]}
    return max(
        (_delay(count, last, counted[scope], at) for scope, (count, last) in found.items()),
        default=timedelta(0),
    )


def _delay(count: int, last: datetime | None, free: int, at: datetime) -> timedelta:
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
