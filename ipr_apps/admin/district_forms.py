"""The add and rename forms of the admin customs-districts pages."""

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ipr_apps.forms import AppForm
from ipr_apps.services.districts import NAME_MAX


def _name_local() -> StringField:
    return StringField(
        "Name (Chinese)",
        validators=[DataRequired("Enter the district's name in Chinese."), Length(max=NAME_MAX)],
        description="As GACC writes it, for example: 深圳皇岗海关.",
    )


def _name_en() -> StringField:
    return StringField(
        "Name (English)",
        validators=[Optional(), Length(max=NAME_MAX)],
        description="Optional, for example: Shenzhen Huanggang Customs.",
    )


class NewDistrictForm(AppForm):
    code = StringField(
        "Customs code",
        validators=[DataRequired("Enter the 4-digit customs code."), Length(max=4)],
        description="The 4-digit GACC customs code, for example 5301. It cannot be changed later.",
    )
    name_local = _name_local()
    name_en = _name_en()
    submit = SubmitField("Add district")


class DistrictNamesForm(AppForm):
    name_local = _name_local()
    name_en = _name_en()
    submit = SubmitField("Save names")
