"""/api/v1/register: the public register without a token (search, and verify one number)."""

from __future__ import annotations

from flask_babel import gettext as _

from ipr_apps import throttle
from ipr_apps.api.examples import REGISTER_ENTRY_EXAMPLE, REGISTER_PAGE_EXAMPLE
from ipr_apps.api.parsing import Blueprint
from ipr_apps.api.schemas import (
    RegisterEntrySchema,
    RegisterPageSchema,
    RegisterQuerySchema,
    error_documenter,
)
from ipr_apps.errors import NotFound
from ipr_apps.services import register

# OpenAPI documentation (as ERRORS below): English, as the rest of the specification.
DESCRIPTION = (
    "The public register of recordations: no token needed; limited per client address (429 "
    "with Retry-After)."
)
blp = Blueprint("public_register", __name__, url_prefix="/api/v1/register", description=DESCRIPTION)
PUBLIC = []  # OpenAPI: these operations need no bearer token

ERRORS = {
    400: "A NUL character (code 0) in the request: no field accepts one.",
    404: "No recordation has this number.",
    422: "Invalid query (`fields` says which).",
    429: "Too many requests from this address; wait `Retry-After` seconds.",
}


documented = error_documenter(blp, ERRORS)


@blp.route("", methods=["GET"])
@throttle.register_limit
@blp.doc(security=PUBLIC)
@blp.arguments(RegisterQuerySchema, location="query")
@blp.response(200, RegisterPageSchema, example=REGISTER_PAGE_EXAMPLE)
@documented(400, 422, 429)
def search(query: dict):
    """Recordations whose number, right number, mark or title, or holder name (either script)
    starts with `q`, case-insensitively, in every status (active, expired, lapsed, cancelled,
    revoked), by recordation number. An empty `q` finds nothing."""
    page = register.search(query["q"], query.get("cursor"), query["limit"], strict=True)
    return {"items": [register.public_dict(r) for r in page.items], "next": page.next_cursor}


@blp.route("/<path:number>", methods=["GET"])
@throttle.register_limit
@blp.doc(security=PUBLIC)
@blp.response(200, RegisterEntrySchema, example=REGISTER_ENTRY_EXAMPLE)
@documented(400, 404, 429)
def verify(number: str):
    """One recordation by its number (as on the certificate; case and width do not matter):
    whether it is in force, and for which right and holder."""
    recordation = register.find(number)
    if recordation is None:
        raise NotFound(_("No recordation has this number."))
    return register.public_dict(recordation)
