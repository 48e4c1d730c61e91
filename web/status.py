"""A plain status page until the inbox arrives: what is deployed, what runs, what waits."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from engine import list_processes
from engine.stats import engine_counts

bp = Blueprint("status", __name__)


@bp.get("/status")
def index():
    ctx = current_app.extensions["ansinh"]
    return render_template("status.html", processes=list_processes(ctx), counts=engine_counts(ctx))


@bp.get("/healthz")
def healthz():
    counts = engine_counts(current_app.extensions["ansinh"])
    return jsonify({"status": "ok", **counts})
