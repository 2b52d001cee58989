"""Forms for sign-in, registration, profile, organisation and API tokens."""

from __future__ import annotations

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from ipr_apps.forms import AppForm, OrganisationFieldsMixin, choices
from ipr_apps.i18n import LOCALES, NAMES
from ipr_apps.models import OrgKind


def _strength_hint() -> str:
    return _(
        "At least %(count)s characters. A few unrelated words are easy to remember and hard "
        "to guess; avoid common passwords and your own name or e-mail address.",
        count=current_app.config["PASSWORD_MIN_LENGTH"],
    )


STRENGTH_HINT = LazyString(_strength_hint)  # the policy's length, read when shown
PASSWORDS_DIFFER = _l("Passwords differ.")


class LoginForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class PasswordFields:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=256)],
        description=STRENGTH_HINT,
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[DataRequired(), EqualTo("password", PASSWORDS_DIFFER)]
    )


class RegisterForm(OrganisationFieldsMixin, PasswordFields, AppForm):
    kind = RadioField(
        _l("I am"),
        choices=choices(
            [
                (OrgKind.HOLDER.value, _l("a rights holder filing for my own organisation")),
                (
                    OrgKind.AGENCY.value,
                    _l("an agent (IP law firm) filing for holders I represent"),
                ),
            ]
        ),
        default=OrgKind.HOLDER.value,
    )
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email (your sign-in)"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Create account"))


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        description=STRENGTH_HINT,
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", PASSWORDS_DIFFER)],
    )
    submit = SubmitField(_l("Change password"))


# "" is no saved choice: the browser's Accept-Language decides. The languages' own names
# are never translated (a reader lost in the other language still finds theirs).
FOLLOW_BROWSER = ""


class LanguageForm(AppForm):
    locale = RadioField(
        _l("Language of pages and e-mails"),
        choices=choices(
            [(FOLLOW_BROWSER, _l("Follow my browser")), *((c, NAMES[c]) for c in LOCALES)]
        ),
        validators=[AnyOf([FOLLOW_BROWSER, *LOCALES])],
        default=FOLLOW_BROWSER,
    )
    save_language = SubmitField(_l("Save language"))


class OrganisationForm(OrganisationFieldsMixin, AppForm):
    submit = SubmitField(_l("Save organisation"))


class TokenForm(AppForm):
    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What the token is for, e.g. 'docketing system'."),
    )
    submit = SubmitField(_l("Create token"))


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(AppForm):
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=256)], description=STRENGTH_HINT
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", PASSWORDS_DIFFER)],
    )
    submit = SubmitField(_l("Set new password"))
