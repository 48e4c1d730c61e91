"""The one place errors become HTTP answers: JSON for the API and scripts, pages for people."""

from __future__ import annotations

from flask import Flask, flash, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from engine.errors import Busy, Conflict, EngineError, NotFound, NotReady, ValidationError

from .api import errors as api_errors
from .conflicts import say_conflict
from .domain_text import say_error

STATUS = {NotFound: 404, NotReady: 409, Conflict: 409, ValidationError: 422, Busy: 503}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        code = next((c for kind, c in STATUS.items() if isinstance(exc, kind)), 500)
        if not _wants_json():
            message = say_conflict(exc) if code == 409 else str(exc)
            return render_template("error.html", code=code, message=message), code
        body = {"error": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, ValidationError):
            body["problems"] = [
                {"message": p.message, "file": p.file, "element": p.element, "line": p.line}
                for p in exc.problems
            ]
        return jsonify(body), code

    @app.errorhandler(405)
    def method_not_allowed(exc):
        if request.path.startswith(api_errors.PREFIX):
            return api_errors.http_error(exc)
        return exc

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_template("error.html", code=400, message=exc.description), 400

    @app.errorhandler(404)
    def not_found(exc):
        if request.path.startswith(api_errors.PREFIX):  # no route matched: still the API's error shape
            return api_errors.http_error(exc)
        if _wants_json():
            return jsonify({"error": "NotFound", "message": "not found"}), 404
        return render_template("error.html", code=404, message=None), 404


def flash_problems(errors: dict[str, list[str]]) -> None:
    """A small form's field messages (it has no page of its own to show them beside its fields)."""
    for messages in errors.values():
        for message in messages:
            flash(say_error(message), "error")
