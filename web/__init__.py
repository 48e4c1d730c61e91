"""The Flask app: an app factory, blueprints per area, thin views over ``workflows`` and ``engine``."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then the environment, then ``test_config``; the engine is wired here, not at import."""
    from workflows.bootstrap import bootstrap

    from . import (
        admin,
        admin_org,
        admin_processes,
        admin_tokens,
        api,
        assets,
        auth,
        bulk,
        cases,
        compression,
        dashboard,
        domain_text,
        errors,
        files,
        i18n,
        inbox,
        logs,
        new_case,
        payout_imports,
        payouts,
        report_text,
        roster,
        search,
        security,
        status,
        tasks,
    )

    app = Flask(__name__)
    app.config.from_mapping(
        DATABASE_URL=None,
        SECRET_KEY=None,
        SCHEDULER=False,
        SCHEDULER_INTERVAL_S=30,
        IDLE_TIMEOUT_S=30 * 60,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the session's idle timeout already bounds it
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        PAYOUT_IMPORT_CHUNK_ROWS=1000,  # rows per transaction of a results import: the progress bar's step
        JOBS_WORKER=False,  # a thread running background jobs in this process (on under `ansinh serve`)
        TRUSTED_PROXIES=None,  # reverse proxies in front (None: ANSINH_TRUSTED_PROXIES, default 0)
    )
    if test_config:
        app.config.update(test_config)
    proxies = app.config["TRUSTED_PROXIES"]
    proxies = config.trusted_proxies() if proxies is None else int(proxies)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or config.database_url()
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or config.secret_key()
    # The schema is `ansinh db upgrade`'s business: a worker never migrates, it refuses a stale schema.
    app.extensions["ansinh"] = bootstrap(app.config["DATABASE_URL"])
    logs.init_app(app)  # first: its clock starts before any other hook
    security.init_app(app)
    i18n.init_app(app)
    domain_text.init_app(app)
    assets.init_app(app)
    report_text.init_app(app)
    blueprints = (auth.bp, inbox.bp, tasks.bp, cases.bp, bulk.bp, payouts.bp, payout_imports.bp, admin.bp,
                  admin_processes.bp, admin_org.bp,
                  admin_tokens.bp,
                  assets.bp, status.bp, dashboard.bp, files.bp)  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    for blueprint in (roster.bp, search.bp, new_case.bp):  # bringing people in, finding cases
        app.register_blueprint(blueprint)
    errors.register(app)
    compression.init_app(app)
    api.init_app(app)
    if app.config["JOBS_WORKER"]:
        from workflows.jobs import start_worker

        start_worker(app.extensions["ansinh"])
    if app.config["SCHEDULER"]:
        from workflows.dashboard import start_years
        from workflows.payouts import start_monthly_cycles
        from workflows.scheduler import start_background

        interval = app.config["SCHEDULER_INTERVAL_S"]
        app.extensions["ansinh_scheduler"] = start_background(
            app.extensions["ansinh"], interval, start_monthly_cycles=start_monthly_cycles,
            start_years=start_years,
        )  # fmt: skip
    return app


def shutdown(app: Flask) -> None:
    """A graceful end for one process: the scheduler lets its lease go, the job worker hands its job back
    (another process resumes it at once), the connections close."""
    from workflows.jobs import WORKER

    scheduler = app.extensions.pop("ansinh_scheduler", None)
    if scheduler is not None:
        scheduler.shutdown()
    ctx = app.extensions["ansinh"]
    worker = ctx.extensions.pop(WORKER, None)
    if worker is not None:
        worker.stop()
    ctx.db.dispose()
