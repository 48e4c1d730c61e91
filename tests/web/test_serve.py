"""``ansinh serve`` for real: gunicorn with two workers on the test database, a person logging in,
searching by CCCD and registering a beneficiary with a CCCD and an account number — then SIGTERM.

The logs say one line per request (user, route, status, time) and one per step, nothing of
SpiffWorkflow's chatter, and neither the CCCD nor the account number (planted canaries, grepped for);
the shutdown is graceful (exit 0, workers exiting, the scheduler's lease let go)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from sqlalchemy import select

from engine.db import make_engine
from engine.models import SchedulerLease
from tests.web.demo_app import PASSWORD, build_app, open_case_at_registration
from tests.workflows.conftest import REGISTRATION
from workflows.demo.organisation import build_demo_organisation

ANSINH = Path(sys.executable).parent / "ansinh"
CANARY_CCCD = "062150987654"  # a woman born in 1950, as REGISTRATION's date of birth and gender say
CANARY_ACCOUNT = "9876501234"  # ten digits: a Vietcombank account


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Person:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict, token_from: str) -> tuple[int, str]:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.get(token_from)[1]).group(1)
        body = urllib.parse.urlencode({**form, "csrf_token": token}).encode()
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _send(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until_serving(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited while starting"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer within 60 s")


def test_served_by_gunicorn_it_logs_each_request_and_step_without_numbers_and_stops_gracefully(
    database_url, tmp_path
):
    app = build_app(database_url)
    task = open_case_at_registration(app)
    with app.extensions["ansinh"].db.write() as session:  # the server runs on today's date, not the test's
        build_demo_organisation(session, "2024", dates=(date(2024, 1, 1), None))
    app.extensions["ansinh"].db.dispose()
    port = _free_port()
    env = dict(
        os.environ, DATABASE_URL=database_url, ANSINH_INSTANCE_DIR=str(tmp_path), SECRET_KEY="serve-test"
    )
    env.pop("ANSINH_LOG_LEVEL", None)
    env.pop("ANSINH_LIBRARY_LOG_LEVEL", None)
    log_path = Path(tmp_path / "serve.log")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [ANSINH, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_serving(base, server)
            an = Person(base)
            assert an.post("/login", {"username": "an", "password": PASSWORD}, "/login")[0] == 302
            status, page = an.get(f"/?q={CANARY_CCCD}")
            assert status == 200
            form = {**REGISTRATION, "cccd": CANARY_CCCD, "account_number": CANARY_ACCOUNT, "consent": "on",
                    "has_cccd": "on"}  # fmt: skip
            status, _ = an.post(f"/tasks/{task.id}", form, token_from=f"/tasks/{task.id}")
            assert status == 302
            status, case = an.get("/cases/BN-0001")
            assert status == 200 and "BN-0001" in case
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=60)
    output = log_path.read_text()
    assert code == 0, output[-3000:]

    assert CANARY_CCCD not in output and CANARY_ACCOUNT not in output
    assert "State changed" not in output and "alembic" not in output
    requests = re.findall(r"INFO ansinh\.request (\S+) (GET|POST) (\S+) (\d{3}) \d+ms", output)
    assert ("an", "GET", "/", "200") in requests  # the search: its rule, never its query
    assert ("an", "POST", "/tasks/<task_id>", "302") in requests
    assert ("-", "GET", "/login", "200") in requests and ("an", "POST", "/login", "302") in requests
    assert re.search(
        r"INFO ansinh\.steps beneficiary_case BN-0001: register completed by an, running", output
    )
    assert output.count("Worker exiting") == 2
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            lease = conn.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)).one()
        assert lease.expires_at.timestamp() <= time.time()  # let go at shutdown: a standby takes over at once
    finally:
        engine.dispose()
