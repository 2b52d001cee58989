"""/api/v1/stats: the same JSON as `flask ipr export-stats --format json`."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from ipr_apps.api.applications import documented
from ipr_apps.api.auth import api_user, token_required
from ipr_apps.api.parsing import Blueprint
from ipr_apps.api.schemas import StatsQuerySchema, StatsRowSchema
from ipr_apps.models import Role, SecurityAction
from ipr_apps.services import exports, security_log, stats

blp = Blueprint("statistics", __name__, url_prefix="/api/v1/stats",
                description=_l("Approval and recordation statistics per period."))  # fmt: skip


@blp.route("", methods=["GET"])
@token_required(Role.ADMIN)
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, StatsRowSchema(many=True))
@documented(401, 403, 422)
def get_stats(query: dict):
    """Received, approved, rejected per period with the year-on-year change, then recordations
    in force at the period's end, renewals approved and expiries (admins)."""
    rows = stats.rows(query["by"], query["from_"], query["to"], query.get("group_by"))
    detail = exports.log_detail(
        "json", query["by"], query["from_"], query["to"], query.get("group_by")
    )
    security_log.record_now(
        SecurityAction.EXPORT_DOWNLOADED, api_user(), detail={**detail, "via": "api"}
    )
    return json.loads(exports.json_text(rows))
