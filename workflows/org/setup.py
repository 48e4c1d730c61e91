"""A province's organisation for real use, without the demo: its areas, its agencies with their
supervisors, and their dated role assignments; no people, cases or staff accounts. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from engine.errors import ValidationError

from .loaders import load_area_file, load_current_units
from .models import Area
from .switchover import load_successions

# From when each structure's offices act. Open-ended: a province still on the 2024 structure keeps
# routing to it; loading 2025 beside it is a separate decision with its own dates.
STARTS = {"2024": date(2024, 1, 1), "2025": date(2025, 7, 1)}


@dataclass(frozen=True)
class OrganisationLoaded:
    structure: str
    province: str
    areas_added: int
    areas_changed: int
    areas: int
    agencies: int
    assignments: int
    rows_added: int  # agencies and assignments inserted by this call
    rows_changed: int
    successions: int = 0  # 2024 communes' successors added (once both structures are loaded)


def load_organisation(session: Session, structure: str, until: date | None = None) -> OrganisationLoaded:
    """Load the areas of ``structure`` (2024: Kon Tum's three tiers, from the repository; 2025: Quảng Ngãi's
    two, from ``vietnam-provinces``) and its agencies and role assignments, from the structure's start
    to ``until`` (exclusive; None: open-ended). Running it again changes nothing."""
    # The one layout we have of a province's offices (one agency per role per level) is kept with the demo;
    # a province's real organisation starts from it.
    from ..demo.organisation import DEMO_PROVINCE, build_demo_organisation

    if structure not in STARTS:
        raise ValidationError.single(f"unknown structure {structure!r}; known: {', '.join(STARTS)}")
    areas = (
        load_area_file(session) if structure == "2024" else load_current_units(session, DEMO_PROVINCE["2025"])
    )
    org = build_demo_organisation(session, structure, dates=(STARTS[structure], until))
    # With both structures in, the 2024 communes' successors on 1/7/2025 (carried out by the scheduler).
    both = all(session.get(Area, code) for code in ("2024:62", f"2025:{DEMO_PROVINCE['2025']}"))
    successions = load_successions(session) if both else 0
    return OrganisationLoaded(
        structure, org.province, areas.added, areas.changed, areas.total, org.agencies, org.assignments,
        org.added, org.changed, successions,
    )  # fmt: skip
