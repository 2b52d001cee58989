"""The admin form recording a holder's general guarantee."""

from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ipr_apps.forms import AppForm


class GuaranteeForm(AppForm):
    amount = StringField(
        "Amount (CNY)",
        validators=[DataRequired("Enter the guaranteed amount in CNY."), Length(max=24)],
        description="In yuan, more than 0, at most two decimals, for example 500000.00.",
    )
    until = DateField(
        "Valid until",
        validators=[DataRequired("Enter the last day the guarantee is valid.")],
        description="The last day the guarantee covers (usually one year after it was lodged).",
    )
    submit = SubmitField("Save guarantee")
