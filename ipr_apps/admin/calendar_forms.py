"""The add-a-holiday form of the admin calendar page."""

from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ipr_apps.forms import AppForm
from ipr_apps.services.calendar import NAME_MAX


class HolidayForm(AppForm):
    day = DateField("Date", validators=[DataRequired("Enter a date.")])
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the holiday's name."), Length(max=NAME_MAX)],
        description="For example: Spring Festival.",
    )
    submit = SubmitField("Add holiday")
