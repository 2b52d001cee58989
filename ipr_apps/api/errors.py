"""The API's error body: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ipr_apps.errors import DomainError

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
    500: "server_error", 503: "busy",
}  # fmt: skip


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, code: str | None = None, fields=None):
    """The error body; `message` (and library messages in `fields`) in the reader's language."""
    from ipr_apps.api.messages import translate, translate_fields

    body = {"error": {"code": code or HTTP_CODES.get(status, "error"),
                      "message": translate(str(message)),
                      "fields": translate_fields(fields or {})}}  # fmt: skip
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ipr_apps"'
    return response


def from_domain(error: DomainError):
    return error_response(error.http_status, error.message, error.code,
                          getattr(error, "fields", None))  # fmt: skip


def from_http(error: HTTPException):
    """Werkzeug/webargs errors; webargs puts field messages in `data["messages"]`."""
    from ipr_apps.api.messages import http_message

    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = _flatten(data.get("messages", {}))
    message = _("Invalid input.") if fields and status != 500 else http_message(error)
    return error_response(status, message, fields=fields)


def _flatten(messages) -> dict:
    """webargs nests by location ('json', 'query', 'files', 'form'); drop that level."""
    if isinstance(messages, dict) and set(messages) <= {
        "json",
        "query",
        "files",
        "form",
        "view_args",
    }:
        merged: dict = {}
        for value in messages.values():
            merged.update(value if isinstance(value, dict) else {"_": value})
        return merged
    return messages if isinstance(messages, dict) else {"_": messages}
