"""Front-end libraries from npm (node_modules), served by the app itself: never from a CDN; and the
versioned URLs of every file a page links.

Each link to a file of ``static/`` or of the libraries carries a digest of the file's content
(``/static/app.css?v=3f2a9c0e1b``). A response to the current digest may be kept by the browser for a
year without asking again (``immutable``); a changed file has a new URL, so nobody keeps an old one.
Without it a browser asked again for all six files at every full page load (``no-cache``: six 304s
through a worker each time)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, abort, request, send_file

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
    "properties-panel.css": "@bpmn-io/properties-panel/dist/assets/properties-panel.css",
    "bpmn-js-bpmnlint.css": "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
}


YEAR_S = 365 * 24 * 3600


@bp.get("/<path:name>")
def asset(name: str):
    relative = FILES.get(name)
    if relative is None:
        abort(404)
    path = NODE / relative
    if not path.is_file():
        abort(404, description=f"front-end asset missing: run `make setup` ({Path(relative).name})")
    return send_file(path, max_age=86400)


def init_app(app: Flask) -> None:
    static = Path(app.static_folder)

    def file_of(endpoint: str | None, values: dict) -> Path | None:
        if endpoint == "static" and "filename" in values:
            return static / values["filename"]
        if endpoint == "assets.asset" and values.get("name") in FILES:
            return NODE / FILES[values["name"]]
        return None

    @app.url_defaults
    def versioned(endpoint: str, values: dict) -> None:
        path = file_of(endpoint, values) if "v" not in values else None
        digest = version(path) if path is not None else None
        if digest is not None:
            values["v"] = digest

    @app.after_request
    def kept_for_a_year(response):
        path = file_of(request.endpoint, request.view_args or {})
        current = path is not None and request.args.get("v") == version(path)
        if current and response.status_code in (200, 304):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR_S
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response


def version(path: Path) -> str | None:
    """A digest of the file's content (None if there is no such file); read again only when it changes."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]
