"""The pieces every API blueprint shares: its hooks (token, scope, idempotency, history), its error
shape, and the rate limiter keyed by token."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter import Limiter
from flask_smorest import Blueprint

from . import access, errors, idempotency

PREFIX = "/api/v1"
BLUEPRINTS: list[Blueprint] = []


def rate_key() -> str:
    """Each token has its own budget; calls without a valid token share their address's."""
    caller = g.get("api_principal")
    return f"token:{caller.public_id}" if caller is not None else f"address:{request.remote_addr}"


limiter = Limiter(key_func=rate_key, headers_enabled=True)


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """A blueprint under /api/v1 with the API's hooks and errors; registered by ``web.api.init_app``."""
    blp = Blueprint(f"api_{name}", __name__, url_prefix=f"{PREFIX}{path}", description=description)
    blp.before_request(access.require_token)
    blp.before_request(idempotency.replay_or_claim)
    blp.after_request(idempotency.keep)
    blp.after_request(access.log_call)
    errors.register(blp)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(blp)
    BLUEPRINTS.append(blp)
    return blp
