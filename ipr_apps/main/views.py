"""The public landing page and /home, which sends each role to its own place."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ipr_apps.models import Role

bp = Blueprint("main", __name__)

HOME_ENDPOINTS = {
    Role.HOLDER: "filing.index",
    Role.REVIEWER: "review.index",
    Role.ADMIN: "admin.index",
    Role.OFFICER: "cases.index",
}


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/home")
@login_required
def home():
    return redirect(url_for(HOME_ENDPOINTS[current_user.role]))
