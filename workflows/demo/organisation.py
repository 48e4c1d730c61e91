"""A demonstration organisation for a province: one agency per role per level, with supervisors.

Two layouts, one per structure. 2024 (the plan's three tiers): each commune's People's Committee, the
offices of each district (labour, police, post office as the payment provider, treasury, People's
Committee) and their provincial heads. From 1/3/2025 the labour sector's work is split by programme:
social assistance to Health (Sở Y tế, Phòng Y tế), merit allowances to Home Affairs (Sở Nội vụ, Phòng
Nội vụ). 2025 (two tiers from 1/7/2025, districts abolished): each commune's People's Committee also
plays ``district_pc``; the departments are provincial, still split by programme. Running it again
changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ValidationError

from ..org.areas import get_area, subtree_query
from ..org.models import Agency, Area, RoleAssignment, area_code
from ..org.routing import reconcile

DEMO_PROVINCE = {"2024": "62", "2025": "51"}  # Kon Tum; Quảng Ngãi, which took it in on 1 July 2025
DEMO_DATES: dict[str, tuple[date, date | None]] = {
    "2024": (date(2024, 1, 1), date(2025, 7, 1)),  # last day 30/06/2025
    "2025": (date(2025, 7, 1), None),
}
SPLIT = date(2025, 3, 1)  # social assistance to Health, merit to Home Affairs (the ministries' merger)
SOCIAL, MERIT = "social_assistance", "merit"


@dataclass(frozen=True)
class Office:
    """An agency to create at an area: its code suffix, name, supervisor and the roles it plays there."""

    area: Area
    slug: str
    name: str
    supervisor: Office | None = None
    roles: tuple[str, ...] = ()
    programme: str | None = None  # the roles are for this programme only
    until: date | None = None  # the roles end before this day (else the layout's end)
    since: date | None = None  # the roles start on this day (else the layout's start)

    @property
    def code(self) -> str:
        return f"{self.area.code}/{self.slug}"


@dataclass(frozen=True)
class DemoOrganisation:
    structure: str
    province: str
    agencies: int
    assignments: int
    added: int  # rows inserted by this call
    changed: int  # rows corrected by this call


def build_demo_organisation(
    session: Session,
    structure: str = "2024",
    province_code: str | None = None,
    dates: tuple[date, date | None] | None = None,
) -> DemoOrganisation:
    """Create (or bring up to date) the demo agencies and role assignments for one province whose areas
    are already loaded. ``province_code`` is the official code (default: Kon Tum for 2024, Quảng Ngãi
    for 2025); ``dates`` the assignments' ``[from, to)`` (default: 2024 until 30/06/2025, 2025 on)."""
    if structure not in DEMO_DATES:
        raise ValidationError.single(
            f"no demo layout for structure {structure!r}; known: {', '.join(DEMO_DATES)}"
        )
    province = get_area(session, area_code(structure, province_code or DEMO_PROVINCE[structure]))
    if province.level != "province":
        raise ValidationError.single(f"{province.code} is a {province.level}, not a province")
    scope = subtree_query(province.code)
    areas = session.scalars(select(Area).where(Area.code.in_(scope))).all()
    layout = _three_tiers if structure == "2024" else _two_tiers
    offices = layout(province, areas)
    start, end = dates or DEMO_DATES[structure]
    agencies_added, agencies_changed = _upsert_agencies(session, offices, scope)
    assignments, assignments_added, assignments_changed = _upsert_assignments(
        session, offices, scope, start, end
    )
    added, changed = agencies_added + assignments_added, agencies_changed + assignments_changed
    return DemoOrganisation(structure, province.code, len(offices), assignments, added, changed)


def _upsert_agencies(session: Session, offices: list[Office], scope) -> tuple[int, int]:
    existing = {a.code: a for a in session.scalars(select(Agency).where(Agency.area_code.in_(scope)))}
    added = changed = 0
    for office in offices:  # supervisors come before the offices they supervise
        values = {
            "name": office.name,
            "area_code": office.area.code,
            "supervisor_code": office.supervisor.code if office.supervisor else None,
        }
        agency = existing.get(office.code)
        if agency is None:
            session.add(Agency(code=office.code, **values))
            added += 1
        elif any(getattr(agency, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(agency, field, value)
            changed += 1
    session.flush()
    return added, changed


def _upsert_assignments(
    session: Session, offices: list[Office], scope, start: date, end: date | None
) -> tuple[int, int, int]:
    current: dict[tuple[str, str, str | None], list[RoleAssignment]] = defaultdict(list)
    for row in session.scalars(select(RoleAssignment).where(RoleAssignment.area_code.in_(scope))):
        current[row.role, row.area_code, row.programme].append(row)
    ends_before = {row.id: row.effective_to for rows in current.values() for row in rows}
    total = added = changed = 0
    for office in offices:
        since, until = office.since or start, office.until or end
        for role in office.roles:
            total += 1
            rows = current[role, office.area.code, office.programme]
            row = reconcile(rows, role, office.area.code, office.code, since, until)
            if row is None:
                row = RoleAssignment(
                    role=role,
                    area_code=office.area.code,
                    agency_code=office.code,
                    programme=office.programme,
                    effective_from=since,
                    effective_to=until,
                )
                session.add(row)
                rows.append(row)
                added += 1
            elif ends_before[row.id] != row.effective_to:
                changed += 1
    session.flush()
    return total, added, changed


def _three_tiers(province: Area, areas: list[Area]) -> list[Office]:
    districts = sorted((a for a in areas if a.level == "district"), key=lambda a: a.code)
    if not districts:
        raise ValidationError.single(f"{province.code} has no districts: the 2024 layout needs three tiers")
    where = province.inline_name
    pc = Office(province, "ubnd", f"UBND {where}")
    dolisa = Office(province, "so-ldtbxh", f"Sở LĐTBXH {where}", pc, ("dolisa",), until=SPLIT)
    health = Office(province, "so-yt", f"Sở Y tế {where}", pc, ("dolisa",), SOCIAL, since=SPLIT)
    home = Office(province, "so-nv", f"Sở Nội vụ {where}", pc, ("dolisa",), MERIT, since=SPLIT)
    police = Office(province, "ca", f"Công an {where}", None, ("police",))
    post = Office(province, "bd", f"Bưu điện {where}", None, ("provider",))
    treasury = Office(province, "kbnn", f"Kho bạc Nhà nước {where}", None, ("treasury",))
    offices = [pc, dolisa, health, home, police, post, treasury]
    district_pcs = {}
    labour = ("district_labour",)
    for district in districts:
        where = district.inline_name
        district_pcs[district.code] = Office(district, "ubnd", f"UBND {where}", pc, ("district_pc",))
        offices += [
            district_pcs[district.code],
            Office(district, "ldtbxh", f"Phòng LĐTBXH {where}", dolisa, labour, until=SPLIT),
            Office(district, "yt", f"Phòng Y tế {where}", health, labour, SOCIAL, since=SPLIT),
            Office(district, "nv", f"Phòng Nội vụ {where}", home, labour, MERIT, since=SPLIT),
            Office(district, "ca", f"Công an {where}", police, ("police",)),
            Office(district, "bd", f"Bưu điện {where}", post, ("provider",)),
            Office(district, "kbnn", f"Kho bạc Nhà nước {where}", treasury, ("treasury",)),
        ]
    for commune in _communes(areas):
        if commune.parent_code not in district_pcs:
            raise ValidationError.single(f"commune {commune.code} is not under a district of {province.code}")
        supervisor = district_pcs[commune.parent_code]
        offices.append(Office(commune, "ubnd", f"UBND {commune.inline_name}", supervisor, ("commune",)))
    return offices


def _two_tiers(province: Area, areas: list[Area]) -> list[Office]:
    where = province.inline_name
    pc = Office(province, "ubnd", f"UBND {where}")
    roles = ("dolisa", "district_labour")
    offices = [
        pc,
        Office(province, "so-yt", f"Sở Y tế {where}", pc, roles, SOCIAL),
        Office(province, "so-nv", f"Sở Nội vụ {where}", pc, roles, MERIT),
        Office(province, "ca", f"Công an {where}", None, ("police",)),
        Office(province, "bd", f"Bưu điện {where}", None, ("provider",)),
        # Regional treasuries (since 2025) each serve several provinces; this one stands for the province's.
        Office(province, "kbnn", f"Kho bạc Nhà nước khu vực ({province.name})", None, ("treasury",)),
    ]
    for commune in _communes(areas):
        roles = ("commune", "district_pc")
        offices.append(Office(commune, "ubnd", f"UBND {commune.inline_name}", pc, roles))
    return offices


def _communes(areas: list[Area]) -> list[Area]:
    return sorted((a for a in areas if a.level == "commune"), key=lambda a: a.code)
