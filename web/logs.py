"""Logs for operators: one line per request (user, route, status, time, and the CPU time its thread
spent: what the request cost, which the time alone hides on a busy machine), per engine step and per
job, on standard error; the libraries' chatter (SpiffWorkflow's every state change, Alembic, APScheduler's
every tick) only from WARNING unless asked. No line ever carries a CCCD or an account number: the
request line names the route's rule, never the path or query, and a filter on the handler masks any
run of eight or more digits that some other line might carry.

  ANSINH_LOG_LEVEL            our own loggers (ansinh.*), default INFO
  ANSINH_LIBRARY_LOG_LEVEL    SpiffWorkflow, Alembic, APScheduler, gunicorn's, default WARNING
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time

from flask import Flask, g, request
from flask_login import current_user

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
LIBRARIES = ("spiff", "SpiffWorkflow", "alembic", "apscheduler", "werkzeug")
_DIGITS = re.compile(r"\d{8,}")
log = logging.getLogger("ansinh.request")
FILES = frozenset({"static", "assets.asset"})


class MaskNumbers(logging.Filter):
    """Masks every run of 8+ digits (CCCD: 12, account numbers: 8 to 19) in a record's final text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _DIGITS.sub(lambda m: "*" * len(m.group()), message)
        if masked != message or record.exc_info:
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.msg, record.args = masked, None
            if record.exc_text:
                record.exc_text = _DIGITS.sub(lambda m: "*" * len(m.group()), record.exc_text)
        return True


class _StandardError(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test's capture, a redirected stream)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: str = "INFO") -> None:
    """Our handler on the root logger (once per process), and the levels above. One-shot commands pass
    ``WARNING`` (they print their result); servers, the scheduler and job workers log at INFO."""
    root = logging.getLogger()
    if not any(isinstance(h, _StandardError) for h in root.handlers):
        handler = _StandardError()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(MaskNumbers())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("ansinh").setLevel(os.environ.get("ANSINH_LOG_LEVEL", level).upper())
    library_level = os.environ.get("ANSINH_LIBRARY_LOG_LEVEL", "WARNING").upper()
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(library_level)


def init_app(app: Flask) -> None:
    @app.before_request
    def started() -> None:
        g.ansinh_started = time.perf_counter(), time.thread_time()

    @app.after_request
    def logged(response):
        if request.endpoint in FILES:  # static files: not worth a line each
            return response
        started, cpu_started = g.get("ansinh_started") or (None, None)
        ms = (time.perf_counter() - started) * 1000 if started else 0.0
        cpu_ms = (time.thread_time() - cpu_started) * 1000 if started else 0.0
        caller = g.get("api_principal")  # an API call: the token's owner
        user = current_user.username if current_user.is_authenticated else caller.actor if caller else "-"
        rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
        log.info(
            "%s %s %s %s %.0fms cpu %.0fms", user, request.method, rule, response.status_code, ms, cpu_ms
        )
        return response
