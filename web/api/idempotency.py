"""``Idempotency-Key`` on every POST: the same key and body answer as the first time did, without running
again; the key with another body is refused (422). Keys belong to the token that used them."""

from __future__ import annotations

import hashlib
import json

from flask import Response, current_app, g, request
from flask_babel import gettext as _

from engine.errors import Busy
from workflows.apiaccess import claim_key, keep_answer, release_key

from ..security import ctx
from .access import principal
from .errors import ApiProblem

HEADER = "Idempotency-Key"
MAX_KEY = 200


def replay_or_claim():
    """Before a POST with a key: the stored answer if there is one; else claim the key and run."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 0 < len(key) <= MAX_KEY:
        message = _("Idempotency-Key phải có từ 1 đến %(n)s ký tự.", n=MAX_KEY)
        raise ApiProblem(400, "bad_request", message, [{"field": HEADER, "message": message}])
    stored = claim_key(ctx(), principal().token_id, key, request_fingerprint())
    if stored is not None:
        response = Response(stored.body, status=stored.status, content_type=stored.content_type)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_key = key
    return None


def keep(response: Response) -> Response:
    """After it: keep the answer for the key, or give the key back if the server failed."""
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    if response.status_code >= 500:
        try:
            release_key(ctx(), principal().token_id, key)
        except Busy:  # the claim is let go by itself after ABANDONED_AFTER
            current_app.logger.warning("Idempotency-Key not released: the database stayed busy")
    else:
        keep_answer(
            ctx(),
            principal().token_id,
            key,
            response.status_code,
            response.get_data(as_text=True),
            response.content_type or "application/json",
        )
    return response


def request_fingerprint() -> str:
    """What "the same body" means: the operation, and the JSON (key order aside) or the form and files."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}".encode())
    body = request.get_json(silent=True) if request.is_json else None
    if body is not None:
        digest.update(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    elif request.files or request.form:
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"\0form\0{name}\0{value}".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"\0file\0{name}\0{upload.filename}\0".encode() + hashlib.sha256(content).digest())
    else:
        digest.update(request.get_data())
    return digest.hexdigest()
