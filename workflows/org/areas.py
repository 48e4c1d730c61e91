"""Walking the tree of areas, each way in one recursive query (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session

from engine.errors import NotFound

from .models import Area

# Deeper than any real tree (province → district → commune → village); stops a corrupt cycle.
MAX_DEPTH = 16


def ancestry_query(code: str) -> Select:
    """``(code, depth)`` of ``code`` (depth 0) and each area above it (1, 2, …), for use in larger queries."""
    start = select(Area.code, Area.parent_code, literal(0).label("depth")).where(Area.code == code)
    chain = start.cte("ancestry", recursive=True)
    above = select(Area.code, Area.parent_code, (chain.c.depth + 1).label("depth")).join(
        chain, Area.code == chain.c.parent_code
    )
    chain = chain.union_all(above.where(chain.c.depth < MAX_DEPTH))
    return select(chain.c.code, chain.c.depth)


def _subtree(code: str):
    start = select(Area.code, literal(0).label("depth")).where(Area.code == code)
    tree = start.cte("subtree", recursive=True)
    below = select(Area.code, (tree.c.depth + 1).label("depth")).join(tree, Area.parent_code == tree.c.code)
    return tree.union_all(below.where(tree.c.depth < MAX_DEPTH))


def subtree_query(code: str) -> Select:
    """The codes of ``code`` and every area below it, as a subquery for ``area_code IN (…)`` scoping."""
    return select(_subtree(code).c.code)


def get_area(session: Session, code: str) -> Area:
    area = session.get(Area, code)
    if area is None:
        raise NotFound(f"area {code} does not exist")
    return area


def ancestors(session: Session, code: str) -> list[Area]:
    """``code``'s area first, then its parent, up to the root."""
    chain = ancestry_query(code).subquery()
    rows = session.scalars(select(Area).join(chain, Area.code == chain.c.code).order_by(chain.c.depth)).all()
    if not rows:
        raise NotFound(f"area {code} does not exist")
    return list(rows)


def descendants_codes(session: Session, code: str) -> list[str]:
    """``code`` itself first, then every area below it, level by level: what an agency at ``code`` sees."""
    tree = _subtree(code)
    codes = session.scalars(select(tree.c.code).order_by(tree.c.depth, tree.c.code)).all()
    if not codes:
        raise NotFound(f"area {code} does not exist")
    return list(codes)


def children(session: Session, code: str) -> list[Area]:
    return list(session.scalars(select(Area).where(Area.parent_code == code).order_by(Area.code)))
