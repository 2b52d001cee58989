"""Account e-mail links: confirming a registration, re-sending it, resetting a password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.auth import signin
from ipr_apps.auth.forms import ForgotPasswordForm, ResetPasswordForm
from ipr_apps.auth.views import UNCONFIRMED_USER
from ipr_apps.errors import ValidationError
from ipr_apps.extensions import limiter
from ipr_apps.forms import AppForm, apply_errors
from ipr_apps.services import password_reset, registration

bp = Blueprint("account", __name__, url_prefix="/auth")


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _resend_limit() -> str:
    return current_app.config["CONFIRM_RESEND_RATE_LIMIT"]


def _invalid_link():
    return render_template("auth/invalid_link.html"), 400


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button, POST confirms: link checkers that open e-mailed links only GET."""
    user = registration.confirmable_user(token)
    if user is None:
        return _invalid_link()
    if user.email_confirmed:
        if current_user.is_authenticated:
            flash(_("Your e-mail address is already confirmed."), "info")
            return redirect(url_for("main.home"))
        flash(_("Your e-mail address is already confirmed; sign in."), "info")
        return redirect(url_for("auth.login"))
    form = AppForm()
    if form.validate_on_submit():
        try:
            user = registration.confirm_email(token)
        except ValidationError:
            return _invalid_link()
        session.pop(UNCONFIRMED_USER, None)
        signin.sign_in(user)
        flash(_("Your e-mail address is confirmed. Welcome!"), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/confirm.html", form=form, email=user.email)


@bp.post("/resend-confirmation")
@limiter.limit(_resend_limit)
def resend_confirmation():
    """Only for the account that has just signed in with the right password."""
    user_id = session.get(UNCONFIRMED_USER)
    if not isinstance(user_id, int):  # its page tells to sign in to get a new link
        return _invalid_link()
    registration.resend_confirmation(user_id)
    return render_template("auth/check_email.html", reason="resend")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("auth.profile"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data)
        return render_template("auth/check_email.html", reason="reset", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = password_reset.resettable_user(token)
    if user is None:
        return _invalid_link()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.new_password.data)
        except ValidationError as error:
            if not error.fields:
                return _invalid_link()
            apply_errors(form, error)
        else:
            flash(_("Your password has been changed. Sign in with your new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, email=user.email)
