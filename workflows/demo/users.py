"""One demo user per agency, named after it, plus an administrator; all share one published password."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts import User, hash_password
from ..org import Agency, RoleAssignment, subtree_query

DEMO_PASSWORD = "AnSinh@2024"
ADMIN = "admin"
# Agency code suffixes that would make long user names: the provincial departments.
SHORT_SLUGS = {"so-ldtbxh": "sold", "so-nv": "sonv"}


class DemoUser(NamedTuple):
    username: str
    agency_name: str
    roles: tuple[str, ...]


def username_for(agency_code: str) -> str:
    """``"2024:23311/ubnd"`` → ``"ubnd.23311"``; ``"2024:62/so-ldtbxh"`` → ``"sold.62"``."""
    area, _, slug = agency_code.partition("/")
    official = area.rpartition(":")[2]
    return f"{SHORT_SLUGS.get(slug, slug.replace('-', ''))}.{official}"


def create_demo_users(
    session: Session, province_code: str, admin_agency: str, password: str, at: datetime
) -> int:
    """A user for every agency of the province that has none by its demo name yet; returns how many.

    The password is hashed once and the hash shared: argon2 takes ~25 ms a hash by design, and a demo
    password is public anyway. Real accounts come from ``create_user``, one salt each.
    """
    agencies = session.execute(
        select(Agency.code, Agency.name).where(Agency.area_code.in_(subtree_query(province_code)))
    ).all()
    wanted = {username_for(code): (code, f"Cán bộ {name}", False) for code, name in agencies}
    wanted[ADMIN] = (admin_agency, "Quản trị hệ thống", True)
    existing = set(session.scalars(select(User.username).where(User.username.in_(list(wanted)))))
    missing = [name for name in wanted if name not in existing]
    if not missing:
        return 0
    password_hash = hash_password(password)
    for username in missing:
        agency_code, full_name, is_admin = wanted[username]
        session.add(
            User(
                username=username,
                full_name=full_name,
                agency_code=agency_code,
                password_hash=password_hash,
                is_admin=is_admin,
                active=True,
                language="vi",
                created_at=at,
                password_changed_at=at,
            )
        )
    session.flush()
    return len(missing)


def demo_users(session: Session, under: str | None = None) -> list[DemoUser]:
    """The demo users (of agencies in ``under``'s subtree, if given), province first, then by area."""
    query = select(User.username, Agency.code, Agency.name, Agency.area_code).join(
        Agency, Agency.code == User.agency_code
    )
    if under is not None:
        query = query.where(Agency.area_code.in_(subtree_query(under)))
    rows = [row for row in session.execute(query) if row.username in (ADMIN, username_for(row.code))]
    roles: dict[str, list[str]] = {}
    codes = [row.code for row in rows]
    for agency_code, role in session.execute(
        select(RoleAssignment.agency_code, RoleAssignment.role)
        .where(RoleAssignment.agency_code.in_(codes))
        .order_by(RoleAssignment.role)
    ):
        if role not in roles.setdefault(agency_code, []):
            roles[agency_code].append(role)
    rows.sort(key=lambda r: (len(r.area_code), r.area_code, r.username != ADMIN, r.code))
    return [DemoUser(r.username, r.name, tuple(roles.get(r.code, ()))) for r in rows]
