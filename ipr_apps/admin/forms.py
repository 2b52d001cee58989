"""Admin forms."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ipr_apps.forms import AppForm, choices
from ipr_apps.models import Role


class StaffUserForm(AppForm):
    """Reviewers, admins and port officers are created only here or with
    `flask ipr create-user`."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=choices(
            [
                (Role.REVIEWER.value, _l("Reviewer (customs officer)")),
                (Role.ADMIN.value, _l("Administrator")),
                (Role.OFFICER.value, _l("Port officer (detention cases)")),
            ]
        ),
    )
    # Choices are the active districts, filled in by the view (district_choices).
    district = SelectField(
        _l("Customs district"),
        choices=[],
        default="",
        description=_l(
            "Port officers only: the customs district they work in. Reviewers and admins have none."
        ),
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l(
            "At least 10 characters. Give it to the person; they can change it "
            "on their profile page."
        ),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
    )
    submit = SubmitField(_l("Create account"))


def district_choices(districts) -> list:
    """The district select's options: none (not an officer), then each active district."""
    return choices([("", _("— none (not an officer) —"))] + [
        (d.code, f"{d.code} {d.reader_name}") for d in districts
    ])  # fmt: skip
