"""The API's one error shape: ``{status, code, message, errors: [{field, message}]}``, in the language
the caller asked for (``Accept-Language``: vi by default, or en). Registered on each API blueprint, so the
pages keep their own error pages."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from engine.errors import Busy, Conflict, EngineError, NotFound, NotReady, ValidationError
from workflows.apiaccess import KeyInProgress, KeyReused
from workflows.forms import FormInvalid
from workflows.payouts import ImportRefused

from ..conflicts import say_conflict
from .messages import localise

PREFIX = "/api/"


class FieldErrorSchema(Schema):
    field = fields.String(
        required=True, metadata={"description": "the field (``_schema`` for the whole body)"}
    )
    message = fields.String(required=True)


class ErrorSchema(Schema):
    status = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. validation_failed"})
    message = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), load_default=list)


class ApiProblem(Exception):
    """An answer other than success, raised from a view or a hook."""

    def __init__(self, status: int, code: str, message: str, errors: list[dict] | None = None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors, self.headers = (
            status,
            code,
            message,
            errors or [],
            headers,
        )


def not_found() -> ApiProblem:
    """Missing, or not the caller's to see: the two look the same."""
    return ApiProblem(404, "not_found", _("Không tìm thấy."))


def language() -> str:
    return str(get_locale() or "vi")


def answer(status: int, code: str, message: str, errors: list[dict] | None = None, headers=None):
    lang = language()
    details = [{"field": e["field"], "message": localise(str(e["message"]), lang)} for e in errors or []]
    response = jsonify({"status": status, "code": code, "message": message, "errors": details})
    response.status_code = status
    response.headers["Content-Language"] = lang
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested messages (``{"json": {"rows": {0: {"result": [...]}}}}``) as a flat list."""
    if isinstance(messages, (list, tuple)):
        return [
            {"field": prefix or "_schema", "message": str(m)} for m in messages if not isinstance(m, dict)
        ] + [item for m in messages if isinstance(m, dict) for item in field_errors(m, prefix)]
    found = []
    for key, value in messages.items():
        name = str(key) if key not in ("json", "query", "form", "files", "headers", "view_args") else ""
        found += field_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
    return found


STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def status_message(status: int) -> tuple[str, str]:
    code = STATUS_CODES.get(status, "error")
    messages = {  # through gettext, so the English catalog has them
        400: _("Yêu cầu không hợp lệ."),
        401: _("Thiếu mã truy cập hoặc mã truy cập không hợp lệ, đã hết hạn hay đã bị thu hồi."),
        403: _("Mã truy cập không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy."),
        405: _("Phương thức không được hỗ trợ."),
        409: _("Xung đột: dữ liệu vừa được thay đổi bởi người khác."),
        413: _("Dữ liệu gửi lên quá lớn."),
        415: _("Kiểu nội dung không được hỗ trợ."),
        422: _("Dữ liệu không hợp lệ."),
        429: _("Quá nhiều yêu cầu. Vui lòng thử lại sau."),
    }
    return code, messages.get(status, _("Lỗi máy chủ."))


def http_error(exc: HTTPException):
    status = exc.code or 500
    code, message = status_message(status)
    data = getattr(exc, "data", None) or {}
    errors = field_errors(data["messages"]) if "messages" in data else []
    headers = dict(exc.get_headers()) if status in (401, 405, 429) else {}
    headers.pop("Content-Type", None)
    return answer(status, code, message, errors, headers)


ENGINE_ERRORS = (
    (NotFound, 404, "not_found"),
    (NotReady, 409, "not_ready"),
    (Conflict, 409, "conflict"),
    (ValidationError, 422, "validation_failed"),
    (Busy, 503, "busy"),
)


def register(blueprint) -> None:
    @blueprint.errorhandler(ApiProblem)
    def problem(exc: ApiProblem):
        return answer(exc.status, exc.code, exc.message, exc.errors, exc.headers)

    @blueprint.errorhandler(FormInvalid)
    def form_invalid(exc: FormInvalid):
        errors = [{"field": name, "message": m} for name, messages in exc.errors.items() for m in messages]
        return answer(422, "validation_failed", _("Dữ liệu không hợp lệ."), errors)

    @blueprint.errorhandler(ImportRefused)
    def import_refused(exc: ImportRefused):
        return answer(422, "import_refused", localise(str(exc), language()))

    @blueprint.errorhandler(KeyReused)
    def key_reused(exc: KeyReused):
        message = _("Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.")
        return answer(
            422, "idempotency_key_reused", message, [{"field": "Idempotency-Key", "message": message}]
        )

    @blueprint.errorhandler(KeyInProgress)
    def key_in_progress(exc: KeyInProgress):
        return answer(
            409,
            "idempotency_key_in_progress",
            _("Yêu cầu đầu tiên với Idempotency-Key này chưa xong; hãy thử lại sau."),
        )

    @blueprint.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        found = next(((status, code) for kind, status, code in ENGINE_ERRORS if isinstance(exc, kind)), None)
        if found is None:
            return server_error(exc)
        status, code = found
        errors = []
        if isinstance(exc, ValidationError):
            errors = [{"field": p.element or p.file or "_schema", "message": str(p)} for p in exc.problems]
        return answer(status, code, status_message(status)[1] if status != 409 else say_conflict(exc), errors)

    blueprint.register_error_handler(HTTPException, http_error)

    @blueprint.errorhandler(IntegrityError)
    def duplicate(exc: IntegrityError):
        return answer(409, "conflict", _("Đã có bản ghi trùng khoá (ví dụ: mã hồ sơ đã tồn tại)."))

    @blueprint.errorhandler(Exception)
    def server_error(exc: Exception):
        current_app.logger.exception("API request failed")
        return answer(500, "server_error", _("Lỗi máy chủ."))
