"""The one place engine errors become HTTP answers."""

from __future__ import annotations

from flask import Flask, jsonify

from engine.errors import Conflict, EngineError, NotFound, NotReady, ValidationError

STATUS = {NotFound: 404, NotReady: 409, Conflict: 409, ValidationError: 422}


def register(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        code = next((c for kind, c in STATUS.items() if isinstance(exc, kind)), 500)
        body = {"error": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, ValidationError):
            body["problems"] = [
                {"message": p.message, "file": p.file, "element": p.element, "line": p.line}
                for p in exc.problems
            ]
        return jsonify(body), code
