"""Holder pages."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ipr_apps.models import Role, Status
from ipr_apps.security import role_required
from ipr_apps.services import listings

bp = Blueprint("filing", __name__, url_prefix="/applications")


@bp.get("/")
@role_required(Role.HOLDER)
def index():
    raw = request.args.get("status", "")
    status = Status(raw) if raw in {s.value for s in Status} else None
    page = listings.applications_of(
        current_user, status, request.args.get("cursor"), current_app.config["PAGE_SIZE"]
    )
    return render_template("filing/index.html", page=page, status=status, Status=Status)
