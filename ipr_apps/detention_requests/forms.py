"""Forms of the request-for-detention pages. They check shape only (numbers, dates, lengths);
the services check the rest and name every bad field, which the views put beside it."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ipr_apps.documents.forms import ACCEPT
from ipr_apps.forms import AppForm, choices
from ipr_apps.models import Channel, Direction
from ipr_apps.services.detention_requests import REASON_MAX


def _enum_choices(enum, blank: str) -> list:
    return choices([("", blank), *((member.value, member.lazy_label) for member in enum)])


def _text(label, most: int, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=most)], **kwargs)


class ConsignmentMixin:
    """What both the holder's request and the officer's case say about the consignment."""

    channel = SelectField(
        _l("Channel"), choices=_enum_choices(Channel, _l("Choose…")),
        validators=[InputRequired(_l("Choose how the goods travel."))],
    )  # fmt: skip
    direction = SelectField(
        _l("Direction"), choices=_enum_choices(Direction, _l("Choose…")),
        validators=[InputRequired(_l("Choose import or export."))],
    )  # fmt: skip
    goods = TextAreaField(
        _l("Goods"), validators=[DataRequired(_l("Describe the goods.")), Length(max=2000)],
        description=_l(
            "What the goods are and how they infringe, e.g. “LED bulbs bearing the mark”."
        ),
    )  # fmt: skip
    hs_code = _text(_l("HS code"), 20, description=_l("6 to 10 digits, if known."))
    consignor = _text(_l("Consignor"), 300, description=_l("Who sends the goods (name, address)."))
    consignee = _text(_l("Consignee"), 300, description=_l("Who receives them (name, address)."))


class RequestForm(ConsignmentMixin, AppForm):
    """The holder's request for detention, with its evidence files."""

    port_code = SelectField(
        _l("Likely port (customs district)"),
        validators=[InputRequired(_l("Choose the district."))],
        description=_l("The customs district of the port where the goods are expected."),
    )  # fmt: skip
    items = IntegerField(
        _l("Items"), validators=[Optional(), NumberRange(min=0)], description=_l("If known.")
    )
    value_cny = DecimalField(
        _l("Value (yuan)"), places=2, validators=[Optional(), NumberRange(min=0)],
        description=_l("The goods' value in CNY, if known."),
    )  # fmt: skip
    expected_from = DateField(_l("Expected from"), validators=[Optional()])
    expected_until = DateField(
        _l("Expected until"), validators=[Optional()],
        description=_l("When the goods are expected at the port, as far as known."),
    )  # fmt: skip
    note = TextAreaField(
        _l("Grounds for detention"), validators=[Optional(), Length(max=5000)],
        description=_l(
            "Why you believe the goods infringe your right, and what the evidence shows."
        ),
    )  # fmt: skip
    evidence = MultipleFileField(
        _l("Evidence files"), render_kw={"accept": ACCEPT, "multiple": True},
        description=_l(
            "At least one file: PDF, JPEG or PNG, e.g. a test purchase, photos, shipping "
            "documents. Hold Ctrl (or ⌘) to choose several."
        ),
    )  # fmt: skip

    def set_districts(self, districts) -> None:
        self.port_code.choices = choices(
            [("", _("Choose…")), *((d.code, f"{d.code} {d.reader_name}") for d in districts)]
        )


class RefuseForm(AppForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)]
    )
