"""The API's docs page: Swagger UI from npm (swagger-ui-dist), served by the app under its strict CSP
(no inline script: the page's own script reads the document's address from a data attribute)."""

from __future__ import annotations

from flask import Flask, render_template, url_for

from .base import PREFIX


def init_app(app: Flask, api) -> None:
    @app.get(f"{PREFIX}/docs", endpoint="api_docs_page")
    def docs_page():
        return render_template("api_docs.html", spec_url=url_for("api-docs.openapi_json"))
