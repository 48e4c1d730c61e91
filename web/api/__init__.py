"""The REST API at /api/v1 for the systems around the province (banks, the post office, the treasury):
flask-smorest over the same functions and form schemas as the pages, with bearer tokens, the pages'
role-and-area scoping, idempotent POSTs, per-token rate limits, JSON errors in Vietnamese or English,
the OpenAPI document at /api/v1/openapi.json and its docs page at /api/v1/docs (served locally)."""

from __future__ import annotations

import os

from flask import Flask
from flask_smorest import Api

from ..security import csrf
from . import access, base, docs, errors

API_CONFIG = {
    "API_TITLE": "An Sinh API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": base.PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Authenticate with `Authorization: Bearer <token>` (tokens are created by an administrator "
                "at /admin/api-tokens, with scopes and an expiry). Every POST accepts an `Idempotency-Key` "
                "header: the same key and body return the first answer; another body with it, 422. "
                "Errors are `{status, code, message, errors: [{field, message}]}` in the "
                "`Accept-Language` asked for (vi by default, en)."
            )
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    },
    "API_RATE_LIMIT": "300 per minute",  # per token
    "RATELIMIT_STORAGE_URI": "memory://",  # per process: several workers need a shared store (redis://…)
    "RATELIMIT_HEADERS_ENABLED": True,
}


class ScopedApi(Api):
    """flask-smorest's Api, except that it leaves the pages' error handling alone: the API's errors are
    registered on its own blueprints."""

    ERROR_SCHEMA = errors.ErrorSchema

    def _register_error_handlers(self):
        return None


def init_app(app: Flask) -> None:
    from . import cases, payouts, processes, reports, rolls, task_holders, tasks  # noqa: F401  (their routes)

    for name, value in API_CONFIG.items():
        app.config.setdefault(name, value)
    for name in ("API_RATE_LIMIT", "RATELIMIT_STORAGE_URI"):  # the environment may set these two
        if os.environ.get(f"ANSINH_{name}"):
            app.config[name] = os.environ[f"ANSINH_{name}"]
    app.before_request(_identify_api_caller)  # before the limiter's own hook, which keys on the token
    base.limiter.init_app(app)
    api = ScopedApi(app)
    for blueprint in base.BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # bearer tokens, not cookies: no cross-site request can carry one
    docs.init_app(app, api)


def _identify_api_caller():
    from flask import request

    if request.blueprint and request.blueprint.startswith("api_"):
        access.identify()
