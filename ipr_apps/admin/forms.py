"""Admin forms."""

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ipr_apps.forms import AppForm, choices
from ipr_apps.models import Role


class StaffUserForm(AppForm):
    """Reviewers and admins are created only here or with `flask ipr create-user`."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        "Role",
        choices=choices(
            [(Role.REVIEWER.value, "Reviewer (customs officer)"), (Role.ADMIN.value, "Admin")]
        ),
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
