"""Admin forms."""

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ipr_apps.forms import AppForm, choices
from ipr_apps.models import Role


class StaffUserForm(AppForm):
    """Reviewers, admins and port officers are created only here or with
    `flask ipr create-user`."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        "Role",
        choices=choices(
            [
                (Role.REVIEWER.value, "Reviewer (customs officer)"),
                (Role.ADMIN.value, "Admin"),
                (Role.OFFICER.value, "Port officer (detention cases)"),
            ]
        ),
    )
    # Choices are the active districts, filled in by the view (district_choices).
    district = SelectField(
        "Customs district",
        choices=[],
        default="",
        description="Port officers only: the customs district they work in. Reviewers and "
        "admins have none.",
    )
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(max=256)],
        description="At least 10 characters. Give it to the person; they can change it "
        "on their profile page.",
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")


def district_choices(districts) -> list:
    """The district select's options: none (not an officer), then each active district."""
    return choices([("", "— none (not an officer) —")] + [
        (d.code, f"{d.code} {d.display_name}") for d in districts
    ])  # fmt: skip
