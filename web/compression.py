"""Responses travel compressed (Flask-Compress: zstd, brotli or gzip, as the browser offers): commune
officers work on slow mobile links, and a first visit must stay small.

Static files are read whole before compressing: Flask-Compress would otherwise stream-compress the open
file and drop it without closing it (and never offer gzip for a stream). The files are small and the
browser keeps them for a day (``max_age``)."""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask_compress import Compress

compress = Compress()


def init_app(app: Flask) -> None:
    # Brotli and gzip first: at Flask-Compress's default levels they make the inbox's first visit ~1 KB
    # smaller than zstd (26.8 KB against 27.8 KB, tests/web/test_weak_connections.py).
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip", "zstd", "deflate"])
    compress.init_app(app)
    app.after_request(_whole_file)  # registered after Compress's hook, so it runs before it


def _whole_file(response: Response) -> Response:
    if not response.direct_passthrough or response.mimetype not in current_app.config["COMPRESS_MIMETYPES"]:
        return response
    try:
        data = b"".join(response.response)
    finally:
        close = getattr(response.response, "close", None)
        if close is not None:
            close()
    response.direct_passthrough = False
    response.set_data(data)
    return response
