"""Reviewer pages."""

from flask import Blueprint, current_app, render_template, request

from ipr_apps.models import Role
from ipr_apps.security import role_required
from ipr_apps.services import listings

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@role_required(Role.REVIEWER, Role.ADMIN)
def index():
    page = listings.unclaimed_queue(request.args.get("cursor"), current_app.config["PAGE_SIZE"])
    return render_template("review/index.html", page=page)
