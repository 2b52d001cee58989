"""/api/v1/screening: declaration lines screened against the active recordations (officers)."""

from __future__ import annotations

from ipr_apps.api.auth import api_user, token_required
from ipr_apps.api.examples import SCREENING_EXAMPLE, SCREENING_RESPONSE_EXAMPLE
from ipr_apps.api.parsing import Blueprint
from ipr_apps.api.schemas import ScreeningRequestSchema, ScreeningResultSchema, error_documenter
from ipr_apps.models import Role, RunSource
from ipr_apps.screening.engine import LineResult
from ipr_apps.screening.reasons import localised
from ipr_apps.services import screening

# OpenAPI documentation (as ERRORS below): English, as the rest of the specification.
DESCRIPTION = "Declaration lines screened against the recorded facts."
blp = Blueprint("screening", __name__, url_prefix="/api/v1/screening", description=DESCRIPTION)

ERRORS = {
    400: "Malformed request (the body is not valid JSON).",
    401: "No valid bearer token.",
    403: "Only customs officers screen declarations.",
    413: "Request body too large.",
    422: "Invalid input: `fields.lines` maps a line's index (from 0) to its fields' messages; "
    "nothing was screened or kept.",
}

documented = error_documenter(blp, ERRORS)


@blp.route("", methods=["POST"])
@token_required(Role.OFFICER)
@blp.arguments(ScreeningRequestSchema, example=SCREENING_EXAMPLE)
@blp.response(200, ScreeningResultSchema, example=SCREENING_RESPONSE_EXAMPLE)
@documented(400, 401, 403, 413, 422)
def screen(data: dict):
    """Screen up to 2,000 declaration lines now (officers); the run and its hits are kept.

    For each line, in the order sent, the active recordations it may infringe with their
    score and the reasons in plain words (an empty list when none reaches `threshold`).
    The rules: the recorded mark in the description or brand (case, full-width forms,
    punctuation, spacing and Traditional/Simplified Chinese do not matter), the HS code under
    a recorded genuine goods' code, a consignor or consignee that is a recorded known
    infringer (legal-form suffixes ignored, small spelling differences allowed), neither
    party a recorded legitimate trader, and the infringer's known port. A line from a
    recorded legitimate importer or exporter is never a hit. The same lines uploaded on the
    screening page give the same hits; larger files go there, as a batch."""
    run, results = screening.screen_lines(
        api_user(), data["lines"], data["threshold"], RunSource.API
    )
    return {
        "run_id": run.id,
        "threshold": run.threshold,
        "index_version": run.index_version,
        "lines": [_line_result(result) for result in results],
    }


def _line_result(result: LineResult) -> dict:
    return {
        "declaration_number": result.line.declaration_number,
        "line_number": result.line.line_number,
        "hits": [
            {"recordation_id": hit.recordation_id, "recordation_number": hit.number,
             "score": hit.score, "rules": list(hit.rules),
             "reasons": localised(hit.rules, hit.reasons)}
            for hit in result.hits
        ],
    }  # fmt: skip
