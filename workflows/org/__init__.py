"""The organisation behind role routing: areas (a tree per administrative structure), agencies, and
which agency plays which role for which area on which date."""

from __future__ import annotations

from .areas import ancestors, ancestry_query, children, descendants_codes, get_area, subtree_query
from .loaders import KONTUM_2024, LoadResult, load_area_file, load_current_units
from .models import LEVELS, ROLES, Agency, Area, RoleAssignment, area_code
from .routing import agencies_for, assign_role, resolve_agency

__all__ = [
    "KONTUM_2024",
    "LEVELS",
    "ROLES",
    "Agency",
    "Area",
    "LoadResult",
    "RoleAssignment",
    "agencies_for",
    "ancestors",
    "ancestry_query",
    "area_code",
    "assign_role",
    "children",
    "descendants_codes",
    "get_area",
    "load_area_file",
    "load_current_units",
    "resolve_agency",
    "subtree_query",
]
