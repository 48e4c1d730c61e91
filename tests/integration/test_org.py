"""The organisation on a real database: the area trees, role resolution by level and date, the
2025 two-tier loader, and the demo organisation on both structures."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from engine.db import Base
from engine.errors import NotFound, ValidationError
from workflows.bootstrap import bootstrap
from workflows.demo.organisation import build_demo_organisation
from workflows.org import (
    ROLES,
    Agency,
    Area,
    RoleAssignment,
    agencies_for,
    ancestors,
    assign_role,
    descendants_codes,
    load_area_file,
    load_current_units,
    resolve_agency,
)

KON_TUM_2024 = "2024:62"
DAK_HA = "2024:615"  # Huyện Đắk Hà
DAK_HA_TOWN = "2024:23500"  # Thị trấn Đắk Hà, in Huyện Đắk Hà
DAK_MAR = "2024:23512"  # Xã Đắk Mar, in Huyện Đắk Hà
QUANG_TRUNG = "2024:23281"  # Phường Quang Trung, in Thành phố Kon Tum
ORG_TABLES = {"areas", "agencies", "role_assignments"}  # other packages' tables are checked by their tests


@pytest.fixture
def db(database_url):
    context = bootstrap(database_url, upgrade=True)
    yield context.db
    context.db.dispose()


@pytest.fixture
def kontum(db):
    """The database with the 2024 Kon Tum tree loaded."""
    with db.write() as session:
        load_area_file(session)
    return db


def add_agency(session, code: str, area: str, name: str | None = None) -> str:
    session.add(Agency(code=code, name=name or code, area_code=area))
    session.flush()
    return code


def _org_tables_only(object_, name, type_, reflected, compare_to) -> bool:
    table = object_ if type_ == "table" else getattr(object_, "table", None)
    return table is None or table.name in ORG_TABLES


def test_migrations_build_exactly_the_models(database_url):
    for _ in range(2):  # a second upgrade changes nothing
        context = bootstrap(database_url, upgrade=True)
        context.db.dispose()
    context = bootstrap(database_url)
    try:
        with context.db.engine.connect() as connection:
            migrated = MigrationContext.configure(connection, opts={"include_object": _org_tables_only})
            diff = compare_metadata(migrated, Base.metadata)
        assert set(Base.metadata.tables) >= ORG_TABLES
        assert diff == []
    finally:
        context.db.dispose()


def test_the_2024_file_loads_kon_tum_once(db):
    with db.write() as session:
        first = load_area_file(session)
    with db.write() as session:
        again = load_area_file(session)
    assert (first.added, first.changed, first.total, first.root) == (113, 0, 113, KON_TUM_2024)
    assert (again.added, again.changed) == (0, 0)
    assert "vietnam-provinces 0.6.0" in first.source
    with db.read() as session:
        areas = session.scalars(select(Area).where(Area.structure == "2024")).all()
        assert Counter(a.level for a in areas) == {"province": 1, "district": 10, "commune": 102}
        assert Counter(a.kind for a in areas if a.level == "commune") == {
            "Xã": 85,
            "Phường": 10,
            "Thị trấn": 7,
        }
        assert all(unicodedata.is_normalized("NFC", a.name) for a in areas)
        province = session.get(Area, KON_TUM_2024)
        assert (province.full_name, province.parent_code, province.official_code) == (
            "Tỉnh Kon Tum",
            None,
            "62",
        )
        districts = {a.full_name for a in areas if a.level == "district"}
        assert {"Thành phố Kon Tum", "Huyện Đắk Hà", "Huyện Tu Mơ Rông", "Huyện Kon Rẫy"} <= districts
        assert session.get(Area, DAK_HA_TOWN).full_name == "Thị trấn Đắk Hà"


def test_an_area_file_lists_parents_first(db, tmp_path):
    path = tmp_path / "areas.json"
    path.write_text(
        json.dumps(
            {
                "structure": "test",
                "areas": [
                    {"code": "1", "name": "A", "kind": "Tỉnh", "level": "province", "parent": None},
                    {"code": "3", "name": "C", "kind": "Xã", "level": "commune", "parent": "2"},
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="names parent 2"), db.write() as session:
        load_area_file(session, path)


def test_ancestors_and_descendants(kontum):
    with kontum.read() as session:
        chain = ancestors(session, DAK_HA_TOWN)
        assert [a.code for a in chain] == [DAK_HA_TOWN, DAK_HA, KON_TUM_2024]
        assert [a.full_name for a in chain] == ["Thị trấn Đắk Hà", "Huyện Đắk Hà", "Tỉnh Kon Tum"]
        assert [a.code for a in ancestors(session, KON_TUM_2024)] == [KON_TUM_2024]

        below_district = descendants_codes(session, DAK_HA)
        assert below_district[0] == DAK_HA and len(below_district) == 1 + 11
        assert DAK_HA_TOWN in below_district and QUANG_TRUNG not in below_district
        below_province = descendants_codes(session, KON_TUM_2024)
        assert below_province[0] == KON_TUM_2024 and len(set(below_province)) == 113
        assert descendants_codes(session, DAK_MAR) == [DAK_MAR]

        for walk in (ancestors, descendants_codes):
            with pytest.raises(NotFound, match="2024:99999"):
                walk(session, "2024:99999")


def test_resolution_picks_the_nearest_level(kontum):
    on = date(2024, 6, 1)
    with kontum.write() as session:
        for code, area in [("ca-tinh", KON_TUM_2024), ("ca-dak-ha", DAK_HA), ("ca-xa", DAK_HA_TOWN)]:
            add_agency(session, code, area)
        assign_role(session, "police", KON_TUM_2024, "ca-tinh", date(2024, 1, 1))
        assign_role(session, "police", DAK_HA, "ca-dak-ha", date(2024, 1, 1))
        assign_role(session, "police", DAK_HA_TOWN, "ca-xa", date(2024, 1, 1))
    with kontum.read() as session:
        assert resolve_agency(session, "police", DAK_HA_TOWN, on).code == "ca-xa"
        assert resolve_agency(session, "police", DAK_MAR, on).code == "ca-dak-ha"
        assert resolve_agency(session, "police", DAK_HA, on).code == "ca-dak-ha"
        assert resolve_agency(session, "police", QUANG_TRUNG, on).code == "ca-tinh"
        assert agencies_for(session, "ca-dak-ha", on) == [("police", DAK_HA)]


def test_resolution_respects_effective_dates(kontum):
    with kontum.write() as session:
        add_agency(session, "old", DAK_HA, "Phòng LĐTBXH huyện Đắk Hà")
        add_agency(session, "new", KON_TUM_2024, "Sở Nội vụ tỉnh Kon Tum")
        add_agency(session, "other", DAK_HA)
        # The old office's last day is 30/06/2025; the new one starts on 01/07/2025.
        assign_role(session, "district_labour", DAK_HA, "old", date(2024, 1, 1), date(2025, 7, 1))
        assign_role(session, "district_labour", DAK_HA, "new", date(2025, 7, 1))
        again = assign_role(session, "district_labour", DAK_HA, "new", date(2025, 7, 1))  # idempotent
        assert session.scalar(select(func.count()).select_from(RoleAssignment)) == 2
        assert again.effective_to is None
        with pytest.raises(ValidationError, match="old does from 01/01/2024"):
            assign_role(session, "district_labour", DAK_HA, "other", date(2025, 1, 1))
    with kontum.read() as session:
        assert resolve_agency(session, "district_labour", DAK_MAR, date(2024, 1, 1)).code == "old"
        assert resolve_agency(session, "district_labour", DAK_MAR, date(2025, 6, 30)).code == "old"
        assert resolve_agency(session, "district_labour", DAK_MAR, date(2025, 7, 1)).code == "new"
        assert resolve_agency(session, "district_labour", DAK_MAR, date(2031, 1, 1)).code == "new"
        with pytest.raises(NotFound, match=r"'district_labour'.*2024:23512.*Xã Đắk Mar.*31/12/2023"):
            resolve_agency(session, "district_labour", DAK_MAR, date(2023, 12, 31))
        assert agencies_for(session, "old", date(2025, 6, 30)) == [("district_labour", DAK_HA)]
        assert agencies_for(session, "old", date(2025, 7, 1)) == []
        assert agencies_for(session, "new", date(2025, 7, 1)) == [("district_labour", DAK_HA)]


def test_resolution_errors_say_what_is_missing(kontum):
    on = date(2024, 6, 1)
    with kontum.read() as session:
        with pytest.raises(NotFound) as missing:
            resolve_agency(session, "treasury", DAK_HA_TOWN, on)
        assert str(missing.value) == (
            "no agency plays role 'treasury' for area 2024:23500 (Thị trấn Đắk Hà) "
            "or any area above it on 01/06/2024"
        )
        with pytest.raises(NotFound, match="area 2024:00000 does not exist"):
            resolve_agency(session, "treasury", "2024:00000", on)
        with pytest.raises(ValidationError, match="unknown role 'mayor'"):
            resolve_agency(session, "mayor", DAK_HA_TOWN, on)
        with pytest.raises(NotFound, match="agency nobody does not exist"):
            agencies_for(session, "nobody", on)


def test_the_2025_loader_builds_two_tiers_beside_2024(kontum):
    with kontum.write() as session:
        first = load_current_units(session, "51")
    with kontum.write() as session:
        again = load_current_units(session, 51)
    assert first.root == "2025:51" and first.added == first.total > 90 and first.changed == 0
    assert (again.added, again.changed) == (0, 0)
    with kontum.read() as session:
        areas = session.scalars(select(Area).where(Area.structure == "2025")).all()
        levels = Counter(a.level for a in areas)
        assert levels["province"] == 1 and "district" not in levels
        assert all(a.parent_code == "2025:51" for a in areas if a.level == "commune")
        assert session.get(Area, "2025:51").full_name == "Tỉnh Quảng Ngãi"
        by_code = {a.official_code: a.full_name for a in areas}
        # Former Kon Tum units, now communes of Quảng Ngãi; same official codes, other places than in 2024.
        assert by_code["23293"] == "Phường Kon Tum"
        assert by_code["23473"] == "Xã Măng Đen"
        assert by_code["23548"] == "Xã Ya Ly"
        assert by_code["21548"] == "Đặc khu Lý Sơn"
        assert session.get(Area, "2024:23284").full_name == "Phường Duy Tân"
        assert session.get(Area, "2025:23284").full_name == "Phường Đăk Cấm"
        assert [a.code for a in ancestors(session, "2025:23293")] == ["2025:23293", "2025:51"]
        assert len(descendants_codes(session, "2025:51")) == first.total
        assert all(unicodedata.is_normalized("NFC", a.name) for a in areas)


def test_an_unknown_province_is_not_found(db):
    with pytest.raises(NotFound, match="no province 62"), db.write() as session:
        load_current_units(session, "62")  # Kon Tum no longer exists


@pytest.mark.parametrize(
    ("structure", "province", "on"),
    [("2024", "62", date(2024, 6, 1)), ("2025", "51", date(2025, 8, 1))],
)
def test_the_demo_organisation_covers_every_commune(db, structure, province, on):
    with db.write() as session:
        if structure == "2024":
            load_area_file(session)
        else:
            load_current_units(session, province)
        first = build_demo_organisation(session, structure)
    with db.write() as session:
        again = build_demo_organisation(session, structure, province)
    assert first.added > 0 and (again.added, again.changed) == (0, 0)
    assert (again.agencies, again.assignments) == (first.agencies, first.assignments)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Agency)) == first.agencies
        assert session.scalar(select(func.count()).select_from(RoleAssignment)) == first.assignments
        communes = session.scalars(
            select(Area.code).where(Area.structure == structure, Area.level == "commune")
        ).all()
        for commune in communes:
            for role in ROLES:
                resolve_agency(session, role, commune, on)
        assert all(unicodedata.is_normalized("NFC", a.name) for a in session.scalars(select(Agency)))


def test_the_2024_demo_follows_the_plan(db):
    with db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
    on = date(2024, 6, 1)
    with db.read() as session:

        def name(role: str, area: str = DAK_HA_TOWN) -> str:
            return resolve_agency(session, role, area, on).name

        assert name("commune") == "UBND thị trấn Đắk Hà"
        assert name("district_labour") == "Phòng LĐTBXH huyện Đắk Hà"
        assert name("police") == "Công an huyện Đắk Hà"
        assert name("provider") == "Bưu điện huyện Đắk Hà"
        assert name("treasury") == "Kho bạc Nhà nước huyện Đắk Hà"
        assert name("district_pc") == "UBND huyện Đắk Hà"
        assert name("dolisa") == "Sở LĐTBXH tỉnh Kon Tum"
        assert name("district_pc", QUANG_TRUNG) == "UBND thành phố Kon Tum"

        def chain(code: str) -> list[str]:
            names = []
            while code:
                agency = session.get(Agency, code)
                names.append(agency.name)
                code = agency.supervisor_code
            return names

        commune = resolve_agency(session, "commune", DAK_HA_TOWN, on).code
        assert chain(commune) == ["UBND thị trấn Đắk Hà", "UBND huyện Đắk Hà", "UBND tỉnh Kon Tum"]
        labour = resolve_agency(session, "district_labour", DAK_HA_TOWN, on).code
        assert chain(labour) == ["Phòng LĐTBXH huyện Đắk Hà", "Sở LĐTBXH tỉnh Kon Tum", "UBND tỉnh Kon Tum"]
        police = resolve_agency(session, "police", DAK_HA_TOWN, on).code
        assert chain(police) == ["Công an huyện Đắk Hà", "Công an tỉnh Kon Tum"]
        assert agencies_for(session, labour, on) == [("district_labour", DAK_HA)]
        # The three-tier organisation ends with the districts, on 30/06/2025.
        with pytest.raises(NotFound, match="01/07/2025"):
            resolve_agency(session, "district_labour", DAK_HA_TOWN, date(2025, 7, 1))


def test_the_2025_demo_has_no_districts(db):
    with db.write() as session:
        load_current_units(session, "51")
        build_demo_organisation(session, "2025")
    on = date(2025, 8, 1)
    kon_tum_ward = "2025:23293"
    with db.read() as session:
        commune = resolve_agency(session, "commune", kon_tum_ward, on)
        assert commune.name == "UBND phường Kon Tum"
        assert resolve_agency(session, "district_pc", kon_tum_ward, on).code == commune.code
        # Social assistance went to Health, merit allowances to Home Affairs (1/3/2025).
        assert resolve_agency(session, "district_labour", kon_tum_ward, on).name == "Sở Y tế tỉnh Quảng Ngãi"
        assert resolve_agency(session, "dolisa", kon_tum_ward, on).name == "Sở Y tế tỉnh Quảng Ngãi"
        merit = resolve_agency(session, "dolisa", kon_tum_ward, on, programme="merit")
        assert merit.name == "Sở Nội vụ tỉnh Quảng Ngãi"
        assert resolve_agency(session, "police", kon_tum_ward, on).name == "Công an tỉnh Quảng Ngãi"
        assert resolve_agency(session, "provider", kon_tum_ward, on).name == "Bưu điện tỉnh Quảng Ngãi"
        assert session.get(Agency, commune.supervisor_code).name == "UBND tỉnh Quảng Ngãi"
        assert agencies_for(session, commune.code, on) == [
            ("commune", kon_tum_ward),
            ("district_pc", kon_tum_ward),
        ]
        with pytest.raises(NotFound):
            resolve_agency(session, "commune", kon_tum_ward, date(2025, 6, 30))
