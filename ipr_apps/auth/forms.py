"""Forms for sign-in, registration, profile, organisation and API tokens."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ipr_apps.forms import AppForm, OrganisationFieldsMixin, choices
from ipr_apps.models import OrgKind

STRENGTH_HINT = (
    "At least 10 characters. A few unrelated words are easy to remember and hard to guess; "
    "avoid common passwords and your own name or e-mail address."
)


class LoginForm(AppForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class PasswordFields:
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=256)],
        description=STRENGTH_HINT,
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class RegisterForm(OrganisationFieldsMixin, PasswordFields, AppForm):
    kind = RadioField(
        "I am",
        choices=choices(
            [
                (OrgKind.HOLDER.value, "a rights holder filing for my own organisation"),
                (OrgKind.AGENCY.value, "an agent (IP law firm) filing for holders I represent"),
            ]
        ),
        default=OrgKind.HOLDER.value,
    )
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        "Email (your sign-in)", validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField("Create account")


class ChangePasswordForm(AppForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=256)],
        description=STRENGTH_HINT,
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", "Passwords differ.")],
    )
    submit = SubmitField("Change password")


class OrganisationForm(OrganisationFieldsMixin, AppForm):
    submit = SubmitField("Save organisation")


class TokenForm(AppForm):
    label = StringField(
        "Label",
        validators=[DataRequired(), Length(max=100)],
        description="What the token is for, e.g. 'docketing system'.",
    )
    submit = SubmitField("Create token")


class ForgotPasswordForm(AppForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a link")


class ResetPasswordForm(AppForm):
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=256)], description=STRENGTH_HINT
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", "Passwords differ.")],
    )
    submit = SubmitField("Set new password")
