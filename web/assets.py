"""Front-end libraries from npm (node_modules), served by the app itself: never from a CDN."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_file

from .config import PROJECT_ROOT

bp = Blueprint("assets", __name__, url_prefix="/assets")
NODE = PROJECT_ROOT / "node_modules"
# name in URLs → file in node_modules; nothing else in node_modules is reachable.
FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.js": "chart.js/dist/chart.umd.js",
    "bpmn-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
    "diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-font/css/bpmn-embedded.css": "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
}


@bp.get("/<path:name>")
def asset(name: str):
    relative = FILES.get(name)
    if relative is None:
        abort(404)
    path = NODE / relative
    if not path.is_file():
        abort(404, description=f"front-end asset missing: run `make setup` ({Path(relative).name})")
    return send_file(path, max_age=86400)
