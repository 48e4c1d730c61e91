"""The one place the product's engine is wired: the web app, the scheduler and the CLI call this."""

from __future__ import annotations

from pathlib import Path

from engine import EngineContext
from engine import bootstrap as engine_bootstrap
from engine.clock import Clock, system_clock

from .services import registry

MIGRATIONS = Path(__file__).parent / "migrations" / "versions"


def bootstrap(database_url: str, clock: Clock = system_clock, upgrade: bool = False) -> EngineContext:
    from . import case, dashboard, payouts, roster  # noqa: F401  (registers handlers, forms and job kinds)
    from .deadlines import install as install_deadlines

    ctx = engine_bootstrap(database_url, registry, clock=clock, upgrade=upgrade, migrations=[MIGRATIONS])
    install_deadlines(ctx)  # working-day due times; alerts close with their tasks
    return ctx
