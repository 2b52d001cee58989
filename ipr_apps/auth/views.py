"""Authentication views: thin wrappers around services.users and services.tokens."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ipr_apps.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    OrganisationForm,
    RegisterForm,
    TokenForm,
)
from ipr_apps.errors import DomainError, ValidationError
from ipr_apps.extensions import limiter
from ipr_apps.forms import apply_errors
from ipr_apps.models import OrgKind, Role, SecurityAction
from ipr_apps.security import is_safe_next, role_required
from ipr_apps.services import security_log, tokens, users
from ipr_apps.services.users import OrganisationDetails

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Signed in as {user.email}.", "success")
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("main.home"))
        flash("Email or password is not correct.", "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    security_log.record_now(SecurityAction.SIGNOUT, current_user, current_user)
    logout_user()  # CSRFProtect has already checked the token on this POST
    flash("You have signed out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        details = OrganisationDetails(kind=OrgKind(form.kind.data), **form.organisation_data())
        try:
            user = users.register_holder(
                form.email.data, form.password.data, form.name.data, details
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


@bp.route("/organisation", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def organisation():
    org = current_user.organisation
    form = OrganisationForm(obj=org, org_email=org.email)
    if form.validate_on_submit():
        details = OrganisationDetails(kind=org.kind, **form.organisation_data())
        try:
            users.update_organisation(current_user, details)
        except DomainError as error:
            apply_errors(form, error)
        else:
            flash("Organisation profile saved.", "success")
            return redirect(url_for("auth.organisation"))
    return render_template("auth/organisation.html", form=form, org=org)


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _, new_token = tokens.create_token(current_user, form.label.data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            form = TokenForm(formdata=None)
    return render_template(
        "auth/tokens.html",
        form=form,
        new_token=new_token,
        tokens=tokens.list_tokens(current_user),
    )


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = tokens.revoke_token(current_user, token_id)
    flash(f"Token “{token.label}” revoked; it no longer works.", "success")
    return redirect(url_for("auth.api_tokens"))
