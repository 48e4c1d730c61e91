"""While another writer holds SQLite's write lock past the wait allowed, a call is answered 503 with the
API's JSON error (``busy``), never a 500 or a traceback; the next call after the lock is let go works."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.web.demo_app import COMMUNE_A, build_app
from workflows.apiaccess import create_token


def test_a_call_that_cannot_get_the_write_lock_is_answered_503_busy(tmp_path):
    path = tmp_path / "busy.db"
    app = build_app(f"sqlite:///{path}?timeout=0.3")
    ctx = app.extensions["ansinh"]
    token = create_token(ctx, "t", ["cases:write"], app.clock() + timedelta(days=1), "admin", username="an")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token.secret}", "Accept-Language": "en"}
    body = {"code": "BN-BUSY", "area_code": COMMUNE_A, "full_name": "Y Thị Hoa",
            "category_code": "elderly_80_plus_no_pension"}  # fmt: skip
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = client.post("/api/v1/cases", json=body, headers=headers)
    finally:
        holder.rollback()
        holder.close()
    assert busy.status_code == 503, busy.get_data(as_text=True)
    assert busy.get_json()["code"] == "busy"
    assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 201
    ctx.db.dispose()
