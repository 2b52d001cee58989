"""Reviewer forms: decisions, information requests, notes, reassignment."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ipr_apps.forms import AppForm, choices
from ipr_apps.models import IprType, RejectReason


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# The decision forms share one page, so their fields carry ids of their own.
class RequestInfoForm(AppForm):
    message = TextAreaField(
        _l("What the holder must provide"),
        id="info-message",
        validators=[DataRequired(_l("Say what the holder must provide.")), Length(max=5000)],
    )
    reply_by = DateField(
        _l("Reply by"),
        id="info-reply-by",
        validators=[Optional()],
        description=_l("Leave empty for 10 working days from today."),
    )


class RejectForm(AppForm):
    """Sent twice: first to be checked and restated, then again with `confirm` to reject."""

    reason_codes = CheckboxesField(
        _l("Grounds for refusal"),
        validators=[DataRequired(_l("Choose at least one ground."))],
        description=_l("Choose at least one."),
    )
    message = TextAreaField(
        _l("Message to the holder"),
        id="reject-message",
        validators=[DataRequired(_l("Explain the refusal to the holder.")), Length(max=5000)],
    )
    confirm = SubmitField(_l("Confirm rejection"))
    change = SubmitField(_l("Change the grounds or message"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # the labels in the reader's language
        self.reason_codes.choices = choices((r.value, r.label) for r in RejectReason)


class NoteForm(AppForm):
    body = TextAreaField(
        _l("Internal note"),
        validators=[DataRequired(_l("Write the note.")), Length(max=5000)],
        description=_l("Seen only by customs staff, never by the holder."),
    )


class ReassignForm(AppForm):
    reviewer_id = SelectField(_l("Reassign to"), coerce=int)


class QueueFilterForm(AppForm):
    """GET filters of the queue (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    ipr_type = SelectField(_l("Type"), validators=[Optional()])
    country = StringField(_l("Holder country"), validators=[Optional(), Length(max=2)])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # the labels in the reader's language
        types = ((t.value, t.label) for t in IprType)
        self.ipr_type.choices = choices([("", _("All types")), *types])
