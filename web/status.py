"""A status page for officers (what is deployed, what runs, what waits) and a bare health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import login_required
from sqlalchemy import text

from engine import list_processes
from engine.stats import engine_counts

bp = Blueprint("status", __name__)


@bp.get("/status")
@login_required
def index():
    ctx = current_app.extensions["ansinh"]
    return render_template("status.html", processes=list_processes(ctx), counts=engine_counts(ctx))


@bp.get("/healthz")
def healthz():
    """Up or down, nothing more: counts and process names are for logged-in officers (/status)."""
    try:
        with current_app.extensions["ansinh"].db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception:
        return jsonify({"status": "down"}), 503
    return jsonify({"status": "up"})
