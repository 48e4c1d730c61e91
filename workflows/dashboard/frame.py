"""Where a dashboard page stands: the area shown, the way back up (breadcrumb), the rows one level down,
and every area below mapped to the row it rolls up into — so each figure is one grouped query over the
areas in scope, added up into rows in memory, never a query per area."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound

from ..org.models import Area
from ..programmes import PROGRAMME_LABELS, PROGRAMMES
from ..scope import Scope

# The roles that watch a territory rather than work cases in it: the dashboard's audience.
DASHBOARD_ROLES = ("district_pc", "district_labour", "dolisa")
TARGET_ROLES = ("dolisa",)  # who sets the coverage targets (plan V.1: the province department)
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


@dataclass(frozen=True)
class Place:
    code: str
    name: str  # "Huyện Đắk Hà"
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Frame:
    """``area`` is None for the top of a user who watches several trees (an administrator)."""

    area: Place | None
    trail: list[Place]  # from the top of the user's view down to ``area`` (excluded)
    rows: list[Place]  # one level below ``area`` (or ``area`` itself when it is a commune)
    row_of: dict[str, str] = field(default_factory=dict)  # every area in view → its row's code
    places: dict[str, Place] = field(default_factory=dict)  # every area in view
    parents: dict[str, str | None] = field(default_factory=dict)  # every area's parent (for routing)
    can_set_targets: bool = False
    programmes: frozenset[str] | None = None  # whose work and figures: None for every programme

    @property
    def codes(self) -> list[str]:
        """The areas the figures read: ``area`` and everything below it that the user may see."""
        return sorted(self.row_of)

    @property
    def programme_names(self) -> list[str]:
        """ "Ưu đãi người có công" for Home Affairs' view; empty when every programme is shown."""
        return [PROGRAMME_LABELS[p] for p in PROGRAMMES if p in self.programmes] if self.programmes else []

    @property
    def level(self) -> str:
        return self.area.level if self.area else "all"


def watched_areas(session: Session, scope: Scope, is_admin: bool) -> tuple[dict[str, Place], set[str]]:
    """Every area (one query) and those this user may watch: a dashboard role's areas, all for admins."""
    places = {
        code: Place(code, f"{kind} {name}", level, parent)
        for code, kind, name, level, parent in session.execute(
            select(Area.code, Area.kind, Area.name, Area.level, Area.parent_code)
        )
    }
    if is_admin:
        return places, set(places)
    allowed = {a for role in DASHBOARD_ROLES for a in scope.areas_by_role.get(role, ())}
    return places, allowed & set(places)


def build_frame(session: Session, scope: Scope, is_admin: bool, area_code: str | None) -> Frame:
    """The page's frame; NotFound for an area outside the user's view (the page answers 404)."""
    places, allowed = watched_areas(session, scope, is_admin)
    if not allowed:
        raise NotFound("no area to watch")
    tops = sorted((places[c] for c in allowed if places[c].parent_code not in allowed), key=_order)
    if area_code is None and len(tops) == 1:
        area_code = tops[0].code
    children: dict[str | None, list[Place]] = {}
    for code in allowed:
        children.setdefault(places[code].parent_code, []).append(places[code])
    targets = is_admin or any(scope.areas_by_role.get(r) for r in TARGET_ROLES)
    if area_code is None:
        rows, area, trail = tops, None, []
    else:
        if area_code not in allowed:
            raise NotFound(f"area {area_code} is not in view")
        area = places[area_code]
        rows = sorted(children.get(area_code, []), key=_order) or [area]
        trail = _trail(places, allowed, area)
    row_of: dict[str, str] = {}
    if area is not None:
        row_of[area.code] = area.code
    for row in rows:
        stack = [row.code]
        while stack:
            code = stack.pop()
            row_of[code] = row.code
            stack.extend(p.code for p in children.get(code, ()))
    view = {c: places[c] for c in row_of}
    parents = {code: place.parent_code for code, place in places.items()}
    programmes = None if is_admin else scope.programmes(DASHBOARD_ROLES)
    return Frame(area, trail, rows, row_of, view, parents, targets, programmes)


def _trail(places: dict[str, Place], allowed: set[str], area: Place) -> list[Place]:
    trail = []
    code = area.parent_code
    while code is not None and code in allowed:
        trail.append(places[code])
        code = places[code].parent_code
    return list(reversed(trail))


def _order(place: Place) -> tuple:
    return (LEVEL_ORDER.get(place.level, 9), place.name)
