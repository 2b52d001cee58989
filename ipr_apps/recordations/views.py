"""Recordation pages for the holder, its agent and customs staff."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ipr_apps.errors import DomainError
from ipr_apps.models import Role, today
from ipr_apps.security import role_required
from ipr_apps.services import recordation_access

bp = Blueprint("recordations", __name__, url_prefix="/recordations")
VIEWERS = (Role.HOLDER, Role.REVIEWER, Role.ADMIN)


def _visible(recordation_id: int):
    try:
        return recordation_access.get_recordation(current_user, recordation_id)
    except DomainError:
        abort(404)


@bp.get("/<int:recordation_id>")
@role_required(*VIEWERS)
def show(recordation_id: int):
    recordation = _visible(recordation_id)
    return render_template("recordations/show.html", recordation=recordation, today=today())


from ipr_apps.recordations import change_views  # noqa: E402,F401  (renewal and amendment routes)
