"""JSON API v1 (flask-smorest): the same services as the pages, behind bearer tokens."""

from __future__ import annotations

from flask import Flask, Response
from flask_smorest import Api

from ipr_apps import i18n
from ipr_apps.api.errors import is_api_request


class IprApi(Api):
    """flask-smorest's Api without its app-wide error handlers: ipr_apps.web answers errors
    for both the pages (HTML) and /api/ (the JSON error format).

    No catch-all `default` response either: it pointed at flask-smorest's error schema, which
    is not ours, and hid which statuses an endpoint really gives; each endpoint lists its
    errors with `documented(...)` instead."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        pass


api = IprApi()

API_CONFIG = {
    "API_TITLE": "IPR customs recordation API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def init_app(app: Flask) -> None:
    from ipr_apps.api import applications, docs, screening, stats
    from ipr_apps.extensions import csrf

    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api.init_app(
        app,
        spec_kwargs={"info": {"description": DESCRIPTION}, "security": [{"bearer": []}]},
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "`flask ipr create-token`"}
    )
    for blueprint in (applications.blp, stats.blp, screening.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    from ipr_apps.api import register  # the public register: no token

    csrf.exempt(register.blp)
    api.register_blueprint(register.blp)
    app.register_blueprint(docs.bp)
    app.after_request(_no_store)


def _no_store(response: Response) -> Response:
    """API answers hold personal and case data: no browser or proxy may keep a copy. Their
    messages are in the language of Accept-Language, which the answer names."""
    if is_api_request():
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Language"] = i18n.HTML_LANG[i18n.locale_code()]
        response.vary.add("Accept-Language")
    return response


DESCRIPTION = """Drive the recordation workflow without a browser.

Authenticate with `Authorization: Bearer <token>`; create tokens with
`flask --app app ipr create-token EMAIL` or on the API tokens page (linked from your profile).
Errors have the form `{"error": {"code": ..., "message": ..., "fields": {...}}}`:
400/422 invalid input, 401 no valid token, 403 role not allowed, 404 not found (or not yours),
409 not allowed in the current state (or lost a race), 413 upload too large.

Customs officers screen declaration lines against the recorded facts with
`POST /api/v1/screening` (the same rules and hits as the screening page).

The public register (`/api/v1/register`) needs no token; it is limited per client address
(429 with `Retry-After` past the limit).
"""
