"""The add-a-day form of the admin calendar page (a closure or a working day)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ipr_apps.forms import AppForm, choices
from ipr_apps.services.calendar import NAME_MAX


class HolidayForm(AppForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter a date."))])
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=NAME_MAX)],
        description=_l("For example: Port closed for the typhoon, or Make-up working day."),
    )
    working = RadioField(
        _l("The day is"),
        choices=choices(
            [
                ("closed", _l("Closed: no work that day (deadlines skip it)")),
                (
                    "working",
                    _l("A working day: a weekend day worked, or an official holiday worked"),
                ),
            ]
        ),
        default="closed",
    )
    submit = SubmitField(_l("Add to the calendar"))
