"""Creating, listing, revoking and checking API tokens.

A token reads ``ansinh_<public id>_<secret>``; the public id finds the row, and only the secret's SHA-256
is stored (the secret is 256 random bits, so a slow password hash would add nothing but latency on every
call). Creating and revoking a token are written to the history under the administrator who did it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from engine import EngineContext, history
from engine.errors import NotFound, Problem, ValidationError

from ..accounts.models import User
from ..org.models import Agency
from .models import ApiToken

PREFIX = "ansinh_"
MAX_LIFETIME = timedelta(days=366)
LAST_USED_RESOLUTION = timedelta(minutes=1)  # fewer writes: "last used" is good to the minute
SCOPES = {
    "cases:read": "Xem hồ sơ, tìm kiếm hồ sơ",
    "cases:write": "Mở hồ sơ mới",
    "tasks:read": "Xem việc cần làm",
    "tasks:write": "Nhận việc, trả lại, giao việc, hoàn thành việc",
    "beneficiaries:read": "Xem người hưởng",
    "payouts:read": "Xem kỳ chi trả, danh sách chi trả",
    "payouts:write": "Gửi kết quả chi trả",
    "processes:read": "Xem các phiên bản quy trình",
    "processes:write": "Tải lên, kiểm tra, triển khai quy trình (quản trị)",
    "reports:read": "Xem báo cáo và số liệu tổng hợp",
    "rolls:read": "Xem các lần nhập danh sách đối tượng",
    "rolls:write": "Nhập danh sách đối tượng đang hưởng",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the actor named in the history, the agency whose scope applies, what it may do."""

    token_id: int
    public_id: str
    actor: str
    agency_code: str
    is_admin: bool
    scopes: frozenset[str]
    language: str = "vi"


@dataclass(frozen=True)
class TokenInfo:
    id: int
    public_id: str
    name: str
    owner: str  # a user name, or "system:<name>"
    agency_code: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True)
class NewToken:
    info: TokenInfo
    secret: str  # shown once: it cannot be read back


def create_token(
    ctx: EngineContext,
    name: str,
    scopes: list[str],
    expires_at: datetime,
    created_by: str,
    *,
    username: str | None = None,
    system_name: str | None = None,
    agency_code: str | None = None,
) -> NewToken:
    """A token for a user (acts as them) or for a system (acts for ``agency_code`` as ``system:<name>``)."""
    now = ctx.now()
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append(("Vui lòng nhập tên mã truy cập.", "name"))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        problems.append((f"Quyền không hợp lệ: {', '.join(unknown) or '(trống)'}.", "scopes"))
    if not (now < expires_at <= now + MAX_LIFETIME):
        problems.append(("Ngày hết hạn phải sau hôm nay và trong vòng một năm.", "expires_at"))
    if bool(username) == bool(system_name):
        problems.append(("Chọn đúng một chủ sở hữu: một người dùng hoặc một hệ thống.", "owner"))
    if problems:
        raise ValidationError([Problem(message, element=element) for message, element in problems])
    public_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with ctx.db.write() as session:
        user_id = None
        if username:
            user = session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None or not user.active:
                raise NotFound(f"no active user {username!r}")
            user_id, agency_code = user.id, user.agency_code
        elif not system_name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise ValidationError.single("Tên hệ thống chỉ gồm chữ, số, '.', '_' hoặc '-'.", element="owner")
        if not agency_code or session.get(Agency, agency_code) is None:
            raise NotFound(f"no agency with code {agency_code!r}")
        token = ApiToken(
            public_id=public_id,
            secret_hash=_digest(secret),
            name=name[:100],
            user_id=user_id,
            system_name=system_name,
            agency_code=agency_code,
            scopes=sorted(set(scopes)),
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        session.add(token)
        session.flush()
        info = _info(token, username)
        history.record(
            session.connection(),
            now,
            "api_token_created",
            actor=created_by,
            data={
                "token": public_id,
                "owner": info.owner,
                "agency": agency_code,
                "scopes": list(info.scopes),
            },
        )
    return NewToken(info, f"{PREFIX}{public_id}_{secret}")


def revoke_token(ctx: EngineContext, public_id: str, revoked_by: str) -> None:
    now = ctx.now()
    with ctx.db.write() as session:
        done = session.execute(
            update(ApiToken)
            .where(ApiToken.public_id == public_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=revoked_by)
        ).rowcount
        if not done and session.scalar(select(ApiToken.id).where(ApiToken.public_id == public_id)) is None:
            raise NotFound(f"no API token {public_id!r}")
        if done:
            history.record(
                session.connection(), now, "api_token_revoked", actor=revoked_by, data={"token": public_id}
            )


def list_tokens(ctx: EngineContext) -> list[TokenInfo]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(ApiToken, User.username).outerjoin(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        ).all()
        return [_info(token, username) for token, username in rows]


def authenticate_token(ctx: EngineContext, raw: str) -> Principal | None:
    """The caller a presented token stands for; None for anything unknown, revoked or expired, or a
    token whose user has been deactivated. Each refusal looks the same to the caller."""
    if not raw.startswith(PREFIX) or raw.count("_") < 2:
        return None
    public_id, _, secret = raw[len(PREFIX) :].partition("_")
    now = ctx.now()
    with ctx.db.read() as session:
        row = session.execute(
            select(ApiToken, User)
            .outerjoin(User, User.id == ApiToken.user_id)
            .where(ApiToken.public_id == public_id)
        ).first()
        if row is None:
            _digest(secret)  # the same work as a real check
            return None
        token, user = row
        if not hmac.compare_digest(token.secret_hash, _digest(secret)):
            return None
        if token.revoked_at is not None or token.expires_at <= now:
            return None
        if token.user_id is not None and (user is None or not user.active):
            return None
        return Principal(
            token_id=token.id,
            public_id=token.public_id,
            actor=user.username if user is not None else f"system:{token.system_name}",
            agency_code=user.agency_code if user is not None else token.agency_code,
            is_admin=bool(user is not None and user.is_admin),
            scopes=frozenset(token.scopes),
            language=user.language if user is not None else "vi",
        )


def record_call(ctx: EngineContext, principal: Principal, method: str, path: str, status: int) -> None:
    """Every API call goes in the history under its token's owner; "last used" follows, to the minute."""
    now = ctx.now()
    with ctx.db.transaction() as conn:
        history.record(
            conn,
            now,
            "api_call",
            actor=principal.actor,
            data={"token": principal.public_id, "method": method, "path": path[:300], "status": status},
        )
        conn.execute(
            update(ApiToken)
            .where(
                ApiToken.id == principal.token_id,
                (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(token: ApiToken, username: str | None) -> TokenInfo:
    return TokenInfo(
        token.id,
        token.public_id,
        token.name,
        username or f"system:{token.system_name}",
        token.agency_code,
        tuple(token.scopes),
        token.created_by,
        token.created_at,
        token.expires_at,
        token.revoked_at,
        token.last_used_at,
    )
