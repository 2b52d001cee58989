"""Holders' page: how often each of their recordations was hit, and what came of the cases."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from ipr_apps.models import Role
from ipr_apps.screening import rules
from ipr_apps.screenings.views import bp
from ipr_apps.security import role_required
from ipr_apps.services import screening_holders


@bp.get("/hits")
@role_required(Role.HOLDER)
def holder_hits():
    size = current_app.config["PAGE_SIZE"]
    page = screening_holders.hits_by_recordation(current_user, request.args.get("cursor"), size)
    return render_template(
        "screenings/holder_hits.html", page=page, default_threshold=rules.DEFAULT_THRESHOLD
    )
