"""The add and rename forms of the admin customs-districts pages."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ipr_apps.forms import AppForm
from ipr_apps.services.districts import NAME_MAX


def _name_local() -> StringField:
    return StringField(
        _l("Name (Chinese)"),
        validators=[
            DataRequired(_l("Enter the district's name in Chinese.")),
            Length(max=NAME_MAX),
        ],
        description=_l("As GACC writes it, for example: 深圳皇岗海关."),
    )


def _name_en() -> StringField:
    return StringField(
        _l("Name (English)"),
        validators=[Optional(), Length(max=NAME_MAX)],
        description=_l("Optional, for example: Shenzhen Huanggang Customs."),
    )


class NewDistrictForm(AppForm):
    code = StringField(
        _l("District code"),
        validators=[DataRequired(_l("Enter the 4-digit customs code.")), Length(max=4)],
        description=_l(
            "The 4-digit GACC customs code, for example 5301. It cannot be changed later."
        ),
    )
    name_local = _name_local()
    name_en = _name_en()
    submit = SubmitField(_l("Add district"))


class DistrictNamesForm(AppForm):
    name_local = _name_local()
    name_en = _name_en()
    submit = SubmitField(_l("Save names"))
