"""Requests refused before any view runs: an untrusted Host, or a NUL character in the input."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, SecurityError

from ipr_apps.api import errors as api_errors

NUL = "\x00"
NUL_MESSAGE = _l(
    "The request contains a NUL character (code 0), which no field accepts. "
    "Remove it and send the request again."
)
HOST_MESSAGE = _l("This server does not answer to the host name in the request's Host header.")


def init_app(app: Flask) -> None:
    # First of all before_request functions: nothing else (sessions, CSRF, limits) should
    # spend work on a request that is refused anyway.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_input)
    app.register_error_handler(SecurityError, untrusted_host)


def refuse_bad_input() -> None:
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception  # TRUSTED_HOSTS refused the Host header
    if _has_nul():
        raise BadRequest(str(NUL_MESSAGE))


def _has_nul() -> bool:
    """Query, form fields (names and values), upload names and the path: PostgreSQL cannot
    store NUL in text, and no field has a use for it."""
    if NUL in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if NUL in key or NUL in value:
                return True
    return any(NUL in (upload.filename or "") for upload in request.files.values())


def untrusted_host(error: SecurityError) -> Response:
    """A plain answer: without a trusted host no URL can be built, so no page can be shown."""
    if api_errors.is_api_request():
        return api_errors.error_response(400, str(HOST_MESSAGE))
    return Response(str(HOST_MESSAGE), status=400, mimetype="text/plain")
