"""``ansinh serve``: the web app under gunicorn, the production WSGI server.

Why gunicorn rather than waitress: a pre-fork server gives each worker its own interpreter, so CPU-bound
work (SpiffWorkflow steps, forms, templates) uses every core instead of sharing one GIL; it restarts a
worker that dies or hangs (``timeout``), stops gracefully on SIGTERM (each worker finishes its requests
within ``graceful_timeout``), and is what the architecture names for several stateless web workers. Its
``gthread`` workers add threads for requests that wait on the database. It runs on Linux and macOS, where
An Sinh is deployed; waitress would be the choice for Windows.

Each worker builds its own app after the fork (nothing shared but the database) and runs, in threads:
a job worker (background imports), and — unless ``--no-scheduler`` — the scheduler, whose database lease
keeps exactly one active among all workers and machines. A worker that exits hands its job back and
lets the lease go (``web.shutdown``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

log = logging.getLogger("ansinh.server")


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    # Two threads a worker: one request's database waits overlap another's work, and no more requests
    # share a worker's GIL than that. With 4, CPU-bound requests took turns on the GIL: under
    # bench/load_test.py (100 officers at office pace, 4 workers, machine load ~11-12) the inbox's p95
    # was 410 ms with 4 threads and 180 ms with 2, at the same CPU a request (12 ms).
    threads: int = 2
    scheduler: bool = True
    timeout_s: int = 120  # a request (or a stuck worker) longer than this is killed and the worker restarted
    graceful_timeout_s: int = 30  # on SIGTERM, how long workers may finish what they do
    # An idle keep-alive connection is kept this long. gunicorn's default (2 s) is shorter than the pause
    # between a person's clicks, and than a reverse proxy's own keep-alive (nginx: 60 s upstream): the
    # server closed connections just as the next request went out on them ("connection reset by peer",
    # 185 of 5,553 requests under bench/load_test.py). The server must be the side that waits longer.
    keepalive_s: int = 75


class _Gunicorn(BaseApplication):
    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        o = self.options
        settings: dict[str, Any] = {
            "bind": f"{o.host}:{o.port}",
            "workers": o.workers,
            "threads": o.threads,
            "worker_class": "gthread",
            "timeout": o.timeout_s,
            "graceful_timeout": o.graceful_timeout_s,
            "keepalive": o.keepalive_s,
            "accesslog": None,  # ours says who asked (ansinh.request), and never the query string
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "ansinh",
            "worker_exit": _worker_exit,
        }
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 27's runtime control socket: not used
            settings["control_socket_disable"] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app({"SCHEDULER": self.options.scheduler, "JOBS_WORKER": True})


def _worker_exit(server, worker) -> None:
    from . import shutdown

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        shutdown(app)


def serve(options: ServeOptions) -> None:
    """Serve until SIGTERM or Ctrl-C (gunicorn's master then stops its workers gracefully)."""
    log.info(
        "serving on http://%s:%s with %s worker(s) x %s thread(s), scheduler %s",
        options.host, options.port, options.workers, options.threads,
        "in-process (leased)" if options.scheduler else "elsewhere",
    )  # fmt: skip
    _Gunicorn(options).run()
