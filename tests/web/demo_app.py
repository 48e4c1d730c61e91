"""The app the web and browser tests run: a fresh database with the Kon Tum demo organisation, the
product's BPMN and a few staff accounts — and the record factories they share."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

import engine
from tests.conftest import ROOT, ManualClock
from web import create_app
from workflows.accounts import create_user
from workflows.bootstrap import bootstrap
from workflows.case import service as cases
from workflows.demo.organisation import build_demo_organisation
from workflows.org import area_code, load_area_file
from workflows.tasks import submit_task

PASSWORD = "Mat-khau-2024"
COMMUNE_A = area_code("2024", "23311")  # Xã Đắk Cấm, thành phố Kon Tum
COMMUNE_B = area_code("2024", "23314")  # Xã Kroong, thành phố Kon Tum
CITY = area_code("2024", "608")
DAK_GLEI = area_code("2024", "610")
START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # 08:00 on a Monday in Vietnam
TRANSLATIONS = ROOT / "web" / "translations"
STAFF = {
    "an": f"{COMMUNE_A}/ubnd",
    "binh": f"{COMMUNE_A}/ubnd",
    "cuong": f"{COMMUNE_B}/ubnd",
    "dung": f"{CITY}/ldtbxh",
    "em": f"{CITY}/ca",
    "giang": f"{CITY}/bd",
    "hung": f"{CITY}/ubnd",  # supervises the communes of the city; district_pc of the monthly payout
    "khanh": f"{CITY}/kbnn",  # the treasury
    "long": f"{DAK_GLEI}/bd",  # the provider of another district
    "admin": "2024:62/so-ldtbxh",
}


def _upper(config: dict) -> dict:
    return {key.upper(): value for key, value in config.items()}


def build_app(database_url: str, clock: ManualClock | None = None, **config) -> Flask:
    """The whole app on an empty database; ``app.clock`` moves its time. Dispose its database after."""
    clock = clock or ManualClock(START)
    compile_translations()
    bootstrap(database_url, upgrade=True).db.dispose()  # what `ansinh db upgrade` does before serving
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True, **_upper(config)}
    )
    ctx = app.extensions["ansinh"]
    ctx.clock = clock
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024")
        for username, agency in STAFF.items():
            create_user(session, username, PASSWORD, agency, clock.now, is_admin=username == "admin",
                        full_name=f"Cán bộ {username.title()}")  # fmt: skip
    engine.deploy_paths(ctx, [ROOT / "bpmn"])
    app.clock = clock
    return app


def open_case_at_registration(app: Flask, code: str = "BN-0001", full_name: str = "Y Thị Hoa"):
    """A case in commune A waiting at registration (outreach done); returns the registration task."""
    ctx = app.extensions["ansinh"]
    step = cases.open_case(ctx, code, COMMUNE_A, full_name, "elderly_80_plus_no_pension")
    submit_task(ctx, step.open_tasks[0].id, {"contact_date": "2024-03-01", "channel": "home_visit",
                                               "outcome": "agrees"})  # fmt: skip
    (task,) = engine.get_instance(ctx, step.instance_id).open_tasks
    return task


def compile_translations() -> None:
    """What `make setup` does (pybabel compile), for a test run straight after editing a catalog: each
    .po whose .mo is missing or older is compiled; fuzzy entries are left out, as pybabel does."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        partial = mo.with_suffix(f".mo.{os.getpid()}")
        partial.write_bytes(buffer.getvalue())
        partial.replace(mo)
