"""Authentication views: thin wrappers around services.users and services.tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ipr_apps import i18n, throttle
from ipr_apps.auth import signin
from ipr_apps.auth.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    OrganisationForm,
    RegisterForm,
    TokenForm,
)
from ipr_apps.errors import DomainError, ValidationError
from ipr_apps.extensions import limiter
from ipr_apps.forms import apply_errors
from ipr_apps.i18n import ngettext
from ipr_apps.main.views import set_locale_cookie
from ipr_apps.models import EndReason, OrgKind, Role, SecurityAction, today
from ipr_apps.security import is_safe_next, role_required
from ipr_apps.services import registration, security_log, sessions, tokens, users
from ipr_apps.services.users import OrganisationDetails

bp = Blueprint("auth", __name__, url_prefix="/auth")
# The account that signed in with the right password but an unconfirmed address.
UNCONFIRMED_USER = "unconfirmed_user_id"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.setting("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(
    throttle.setting("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], scope="account",
    key_func=throttle.account_key, exempt_when=throttle.no_account,
)  # fmt: skip
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data)
        except users.EmailNotConfirmed as error:
            session[UNCONFIRMED_USER] = error.user.id  # for the re-send button, nothing else
            return render_template("auth/unconfirmed.html", email=error.user.email)
        if user is not None:
            throttle.forget_account_failures()
            signin.sign_in(user)
            flash(_("Signed in as %(email)s.", email=user.email), "success")
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("main.home"))
        flash(_("Email or password is not correct."), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    security_log.record_now(SecurityAction.SIGNOUT, current_user, current_user)
    signin.sign_out()  # CSRFProtect has already checked the token on this POST
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(throttle.setting("SIGNUP_RATE_LIMIT"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        details = OrganisationDetails(kind=OrgKind(form.kind.data), **form.organisation_data())
        try:
            registration.register(
                form.email.data, form.password.data, form.name.data, details,
                locale=i18n.locale_code(),
            )  # fmt: skip
        except DomainError as error:
            apply_errors(form, error)
        else:  # the same page whether or not the address had an account
            return render_template(
                "auth/check_email.html", reason="register", email=form.email.data.strip()
            )
    return render_template("auth/register.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(
                current_user, form.current_password.data, form.new_password.data,
                keep_session=signin.current_session_id(),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(form, LanguageForm(locale=current_user.locale or ""))


def _profile_page(form: ChangePasswordForm, language_form: LanguageForm):
    live = sessions.list_live(current_user, current=signin.current_session_id())
    return render_template(
        "auth/profile.html", form=form, language_form=language_form, sessions=live
    )


@bp.post("/profile/language")
@login_required
def set_language():
    """The saved language: one of ours, or none (the browser's Accept-Language decides)."""
    language_form = LanguageForm()
    if not language_form.validate_on_submit():
        return _profile_page(ChangePasswordForm(formdata=None), language_form), 400
    locale = language_form.locale.data or None
    users.set_locale(current_user, locale)
    response = redirect(url_for("auth.profile", _anchor="language"))
    if locale is None:  # the navbar's cookie would otherwise go on deciding
        response.delete_cookie(i18n.COOKIE)
    else:
        set_locale_cookie(response, locale)
    with i18n.in_language(locale or i18n.from_accept_language()):
        flash(_("Your language has been saved."), "success")
    return response


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
            flash(_("Organisation profile saved."), "success")
            return redirect(url_for("auth.organisation"))
    return render_template("auth/organisation.html", form=form, org=org, today=today())


@bp.route("/tokens", methods=["GET", "POST"])
@limiter.limit(
    throttle.setting("TOKEN_RATE_LIMIT"), methods=["POST"], key_func=throttle.user_key,
    exempt_when=throttle.anonymous,
)  # fmt: skip
@login_required
def api_tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _row, new_token = tokens.create_token(current_user, form.label.data)
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
    flash(_("Token “%(label)s” revoked; it no longer works.", label=token.label), "success")
    return redirect(url_for("auth.api_tokens"))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if session_id == signin.current_session_id():
        signin.sign_out(EndReason.ENDED_BY_USER)
        flash(_("You have signed out."), "info")
        return redirect(url_for("auth.login"))
    sessions.end_one(current_user, session_id)
    flash(_("That session has been signed out."), "success")
    return redirect(url_for("auth.profile", _anchor="sessions"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    ended = len(sessions.end_all(current_user, except_session=signin.current_session_id()))
    if ended == 0:
        flash(_("You had no other sessions to sign out."), "info")
    else:
        message = ngettext(
            "Signed out of %(num)d other session.", "Signed out of %(num)d other sessions.", ended
        )
        flash(message, "success")
    return redirect(url_for("auth.profile", _anchor="sessions"))
