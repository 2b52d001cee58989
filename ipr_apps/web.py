"""Web wiring shared by every blueprint: login, error pages, headers, template helpers."""

from __future__ import annotations

import logging

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug import exceptions
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from ipr_apps import input_guard, throttle, workflow
from ipr_apps.api import errors as api_errors
from ipr_apps.auth import signin
from ipr_apps.db import db, is_busy_error
from ipr_apps.errors import DatabaseBusy, DomainError, NotFound, PermissionDenied
from ipr_apps.extensions import login_manager
from ipr_apps.models import Role
from ipr_apps.security import SessionInterface, set_security_headers
from ipr_apps.services.countries import country_name, country_with_code
from ipr_apps.timeline import entries as timeline_entries

log = logging.getLogger(__name__)

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    413: _l("File too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Busy, please try again"),
}
# What a page says when the error carries no message of ours (Werkzeug's own descriptions
# are English sentences for developers).
ERROR_MESSAGES = {
    400: _l("The request could not be understood. Go back, reload the page and try again."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The file is larger than this site accepts."),
}


class IdConverter(IntegerConverter):
    """`<int:...>` ids beyond what the database stores are a 404, not an overflow error."""

    def __init__(self, url_map, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, **kwargs)

    def to_python(self, value: str) -> int:
        # Not werkzeug's ValidationError (the `max` check in super()): with it, a path that
        # another rule serves with other methods (GET and PATCH /applications/<id>) was a 405.
        if int(value) > self.max:
            raise exceptions.NotFound()
        return int(value)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(signin.load_user)
    login_manager.unauthorized_handler(signin.unauthorized)
    app.after_request(set_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(DatabaseBusy, _busy)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.context_processor(_template_globals)
    input_guard.init_app(app)


def render_error(status: int, message: str | None = None, **context):
    title = str(ERROR_TITLES.get(status) or _("Error"))
    message = message or ERROR_MESSAGES.get(status)
    page = render_template("errors/error.html", status=status, title=title, message=message,
                           **context)  # fmt: skip
    return page, status


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if api_errors.is_api_request():
        return api_errors.from_http(error)
    response = render_error(error.code, _our_description(error))
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        return (*response, {"Allow": ", ".join(error.valid_methods)})
    return response


def _our_description(error: HTTPException) -> str | None:
    """The error's message when it is ours (abort(400, _("..."))), not Werkzeug's default."""
    if error.code == 500 or error.description == type(error).description:
        return None
    return error.description


def _csrf_error(error: CSRFError):
    if api_errors.is_api_request():
        message = _("CSRF token missing; the API takes bearer tokens.")
        return api_errors.error_response(400, message)
    message = _(
        "The form has expired or was not sent from this site. "
        "Go back, reload the page and try again."
    )
    return render_error(400, message)


def _too_many_requests(error: RateLimitExceeded):
    """429 with Retry-After: the page says how long to wait, the API says it in its JSON."""
    seconds = throttle.retry_after()
    throttle.log_refused_signin()
    if api_errors.is_api_request():
        message = _("Too many requests. Try again in %(seconds)s seconds.", seconds=seconds)
        response = api_errors.error_response(429, message)
    else:
        response = make_response(render_error(429, retry_after=seconds))
    response.headers["Retry-After"] = str(seconds)
    return response


def _domain_error(error: DomainError):
    if api_errors.is_api_request():
        return api_errors.from_domain(error)
    if isinstance(error, NotFound):
        return render_error(404)
    if isinstance(error, PermissionDenied):
        return render_error(403, error.message)
    return render_error(error.http_status, error.message)


def _database_error(error: DBAPIError):
    """A lock not obtained outside a unit of work is "busy" too; anything else is unexpected."""
    if is_busy_error(error):
        return _busy(DatabaseBusy())
    return _unexpected_error(error)


def _busy(error: DatabaseBusy):
    """503 with Retry-After: the request may simply be sent again (nothing was saved)."""
    db.session.rollback()
    log.warning("Database busy: %s %s answered 503", request.method, request.path)
    # DatabaseBusy.message is also stored in jobs' rows (in English): the reader's words here.
    message = _(
        "The database is busy with other work (for example a large import), so nothing was "
        "saved. Please try again in a few seconds."
    )
    if api_errors.is_api_request():
        response = api_errors.error_response(503, message, error.code)
    else:
        response = make_response(render_error(503, message))
    response.headers["Retry-After"] = str(int(current_app.config["BUSY_RETRY_AFTER"]))
    return response


def _unexpected_error(error: Exception):
    """Log the traceback for us; show the user a plain page, never the trace."""
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return _http_error(InternalServerError())


def _template_globals() -> dict:
    return {
        "DECISION_WORKING_DAYS": workflow.DECISION_WORKING_DAYS,
        "Role": Role,
        "country_name": country_name,
        "country_with_code": country_with_code,
        "current_user": current_user,
        "timeline_entries": timeline_entries,
    }
