"""The admin form recording a holder's general guarantee."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ipr_apps.forms import AppForm


class GuaranteeForm(AppForm):
    amount = StringField(
        _l("Amount (CNY)"),
        validators=[DataRequired(_l("Enter the guaranteed amount in CNY.")), Length(max=24)],
        description=_l("In yuan, more than 0, at most two decimals, for example 500000.00."),
    )
    until = DateField(
        _l("Valid until"),
        validators=[DataRequired(_l("Enter the last day the guarantee is valid."))],
        description=_l("The last day the guarantee covers (usually one year after it was lodged)."),
    )
    submit = SubmitField(_l("Save guarantee"))
