"""The public landing page, /home (each role's own place) and the language switch."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ipr_apps import i18n
from ipr_apps.models import Role
from ipr_apps.security import is_safe_next
from ipr_apps.services import users

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


@bp.post("/locale")
def set_locale():
    """The navbar switch: a cookie for everyone, the saved preference for a signed-in user."""
    locale = request.form.get("locale")
    if locale not in i18n.LOCALES:
        abort(400)
    if current_user.is_authenticated:
        users.set_locale(current_user, locale)
    target = request.form.get("next", "")
    response = redirect(target if is_safe_next(target) else url_for("main.index"))
    set_locale_cookie(response, locale)
    return response


def set_locale_cookie(response: Response, locale: str) -> None:
    """The language for this browser, whoever signs in (or nobody)."""
    response.set_cookie(
        i18n.COOKIE, locale, max_age=i18n.COOKIE_MAX_AGE, samesite="Lax", httponly=True,
        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
    )  # fmt: skip
