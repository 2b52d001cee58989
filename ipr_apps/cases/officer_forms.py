"""Forms of the officer's case pages: opening an ex officio case, recording its outcome.

They check the shape of what is typed; the services (cases.CaseFacts.check,
case_outcomes.record_outcome) own the rules and their errors are shown beside the fields.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ipr_apps.forms import AppForm, choices, country_field
from ipr_apps.models import Channel, Direction
from ipr_apps.services.case_outcomes import NOTE_MAX, OFFICER_OUTCOMES
from ipr_apps.services.cases import TEXT_MAX, CaseFacts


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _hs_code(value):
    """Dots and spaces are ignored, as on the application form."""
    return "".join(value.replace(".", "").split()) if isinstance(value, str) else value


class OpenCaseForm(AppForm):
    channel = SelectField(
        _l("Channel"),
        choices=choices(
            [("", _l("Choose the channel")), *((c.value, c.lazy_label) for c in Channel)]
        ),
        validators=[DataRequired(_l("Choose the channel the goods came through."))],
    )
    direction = RadioField(
        _l("Direction"),
        choices=choices((d.value, d.lazy_label) for d in Direction),
        validators=[DataRequired(_l("Choose import or export."))],
    )
    goods = TextAreaField(
        _l("Goods"),
        validators=[DataRequired(_l("Describe the goods.")), Length(max=TEXT_MAX["goods"])],
        filters=[_strip],
        description=_l("What was detained, as declared and as found (brand, model, marking)."),
    )
    goods_category = StringField(
        _l("Goods category"),
        validators=[Optional(), Length(max=TEXT_MAX["goods_category"])],
        filters=[_strip],
        description=_l("Optional, e.g. lighting, apparel, electronics."),
    )
    hs_code = StringField(
        _l("HS code"),
        validators=[Optional(), Length(max=20)],
        filters=[_hs_code],
        description=_l("6 to 10 digits, as declared (dots and spaces are ignored)."),
    )
    items = IntegerField(
        _l("Items"),
        validators=[InputRequired(_l("Give the number of items.")), NumberRange(min=0)],
        description=_l("The number of pieces detained."),
    )
    value_cny = DecimalField(
        _l("Declared value (yuan)"),
        places=2,
        validators=[InputRequired(_l("Give the declared value.")), NumberRange(min=Decimal(0))],
        description=_l("In CNY, with at most 2 decimals."),
    )
    consignor = StringField(
        _l("Consignor"),
        validators=[Optional(), Length(max=TEXT_MAX["consignor"])],
        filters=[_strip],
    )
    consignee = StringField(
        _l("Consignee"),
        validators=[Optional(), Length(max=TEXT_MAX["consignee"])],
        filters=[_strip],
    )
    country_of_origin = country_field(_l("Country of origin"), description=_l("As declared."))
    # The screening hit the case is opened from, if any (the service checks it is the officer's).
    hit_id = HiddenField()

    def facts(self) -> CaseFacts:
        return CaseFacts(
            channel=Channel(self.channel.data), direction=Direction(self.direction.data),
            goods=self.goods.data, items=self.items.data, value_cny=self.value_cny.data,
            goods_category=self.goods_category.data or None, hs_code=self.hs_code.data or None,
            consignor=self.consignor.data or None, consignee=self.consignee.data or None,
            country_of_origin=self.country_of_origin.data or None,
        )  # fmt: skip


class OutcomeForm(AppForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=choices((o.value, o.lazy_label) for o in OFFICER_OUTCOMES),
        validators=[DataRequired(_l("Choose what became of the goods."))],
    )
    outcome_on = DateField(
        _l("Date of the outcome"),
        validators=[InputRequired(_l("Give the date of the outcome."))],
        description=_l("The day of the decision or hand-over; not before the case was opened."),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[_strip],
        description=_l("Optional. The holder reads it in the notice and in the case history."),
    )
