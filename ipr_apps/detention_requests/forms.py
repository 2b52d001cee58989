"""Forms of the request-for-detention pages. They check shape only (numbers, dates, lengths);
the services check the rest and name every bad field, which the views put beside it."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ipr_apps.documents.forms import ACCEPT
from ipr_apps.forms import AppForm, choices
from ipr_apps.models import Channel, Direction
from ipr_apps.services.detention_requests import REASON_MAX


def _enum_choices(enum, blank: str) -> list:
    return choices([("", blank), *((member.value, member.label) for member in enum)])


def _text(label: str, most: int, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=most)], **kwargs)


class ConsignmentMixin:
    """What both the holder's request and the officer's case say about the consignment."""

    channel = SelectField(
        "Channel", choices=_enum_choices(Channel, "Choose…"),
        validators=[InputRequired("Choose how the goods travel.")],
    )  # fmt: skip
    direction = SelectField(
        "Direction", choices=_enum_choices(Direction, "Choose…"),
        validators=[InputRequired("Choose import or export.")],
    )  # fmt: skip
    goods = TextAreaField(
        "Goods", validators=[DataRequired("Describe the goods."), Length(max=2000)],
        description="What the goods are and how they infringe, e.g. “LED bulbs bearing the mark”.",
    )  # fmt: skip
    hs_code = _text("HS code", 20, description="6 to 10 digits, if known.")
    consignor = _text("Consignor", 300, description="Who sends the goods (name, address).")
    consignee = _text("Consignee", 300, description="Who receives them (name, address).")


class RequestForm(ConsignmentMixin, AppForm):
    """The holder's request for detention, with its evidence files."""

    port_code = SelectField(
        "Likely port (customs district)", validators=[InputRequired("Choose the district.")],
        description="The customs district of the port where the goods are expected.",
    )  # fmt: skip
    items = IntegerField(
        "Items", validators=[Optional(), NumberRange(min=0)], description="If known."
    )
    value_cny = DecimalField(
        "Value (yuan)", places=2, validators=[Optional(), NumberRange(min=0)],
        description="The goods' value in CNY, if known.",
    )  # fmt: skip
    expected_from = DateField("Expected from", validators=[Optional()])
    expected_until = DateField(
        "Expected until", validators=[Optional()],
        description="When the goods are expected at the port, as far as known.",
    )  # fmt: skip
    note = TextAreaField(
        "Grounds", validators=[Optional(), Length(max=5000)],
        description="Why you believe the goods infringe your right, and what the evidence shows.",
    )  # fmt: skip
    evidence = MultipleFileField(
        "Evidence files", render_kw={"accept": ACCEPT, "multiple": True},
        description="At least one file: PDF, JPEG or PNG, e.g. a test purchase, photos, "
        "shipping documents. Hold Ctrl (or ⌘) to choose several.",
    )  # fmt: skip

    def set_districts(self, districts) -> None:
        self.port_code.choices = choices(
            [("", "Choose…"), *((d.code, f"{d.code} {d.display_name}") for d in districts)]
        )


class RefuseForm(AppForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give the reason."), Length(max=REASON_MAX)]
    )
