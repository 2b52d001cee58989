"""Officers' screening pages: paste or upload lines, the results of a run, a case from a hit."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("screenings", __name__, url_prefix="/screening")

from ipr_apps.screenings import batch_views, holder_views  # noqa: E402, F401
