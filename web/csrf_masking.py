"""The form token, masked afresh in every response (against BREACH).

Pages are compressed (``web.compression``), and each carries the session's CSRF token. A secret repeated
verbatim in compressed responses can be recovered by an attacker who can make the victim's browser send
many requests carrying guesses and can observe the responses' sizes (BREACH). So no page carries the token
itself: ``csrf_token()`` in a template gives ``pad + token XOR pad`` (url-safe base64) with a new random
pad for each response, as Django does; ``MaskedCSRFProtect`` takes the pad off before Flask-WTF checks
the token as usual (signature, session, expiry). A token sent unmasked (Flask-WTF's own, which always
holds a ``.``) is checked as it is.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect, generate_csrf, validate_csrf


def mask(token: str) -> str:
    raw = token.encode("ascii")
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).decode("ascii")


def unmask(value: str | None) -> str | None:
    """The signed token inside ``value``; ``value`` itself when it is not a masked token (validation then
    refuses it as it would any wrong token)."""
    if not value or "." in value:
        return value
    try:
        data = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return value
    half = len(data) // 2
    if not half or len(data) != 2 * half:
        return value
    pad, masked = data[:half], data[half:]
    try:
        return bytes(a ^ b for a, b in zip(masked, pad, strict=True)).decode("ascii")
    except UnicodeDecodeError:
        return value


def masked_token() -> str:
    """The session's CSRF token for a page: masked with a new pad for each response, the same within one
    (an inbox page has a form per row: one repeated value compresses to nothing, fresh pads would not)."""
    if "csrf_masked" not in g:
        g.csrf_masked = mask(generate_csrf())
    return g.csrf_masked


def validate_masked(value: str | None) -> None:
    """``flask_wtf.csrf.validate_csrf`` for a token a page sent (raises ValidationError)."""
    validate_csrf(unmask(value))


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's protection, reading the masked token from the form or the X-CSRFToken header."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = masked_token
        app.context_processor(lambda: {"csrf_token": masked_token})  # after Flask-WTF's own: it wins

    def _get_csrf_token(self):
        return unmask(super()._get_csrf_token())
