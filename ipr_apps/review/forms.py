"""Reviewer forms: decisions, information requests, notes, reassignment."""

from __future__ import annotations

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
        "What the holder must provide",
        id="info-message",
        validators=[DataRequired("Say what the holder must provide."), Length(max=5000)],
    )
    reply_by = DateField(
        "Reply by",
        id="info-reply-by",
        validators=[Optional()],
        description="Leave empty for 10 working days from today.",
    )


class RejectForm(AppForm):
    """Sent twice: first to be checked and restated, then again with `confirm` to reject."""

    reason_codes = CheckboxesField(
        "Grounds for refusal",
        choices=choices((r.value, r.label) for r in RejectReason),
        validators=[DataRequired("Choose at least one ground.")],
        description="Choose at least one.",
    )
    message = TextAreaField(
        "Message to the holder",
        id="reject-message",
        validators=[DataRequired("Explain the refusal to the holder."), Length(max=5000)],
    )
    confirm = SubmitField("Confirm rejection")
    change = SubmitField("Change the grounds or message")


class NoteForm(AppForm):
    body = TextAreaField(
        "Internal note",
        validators=[DataRequired("Write the note."), Length(max=5000)],
        description="Seen only by customs staff, never by the holder.",
    )


class ReassignForm(AppForm):
    reviewer_id = SelectField("Reassign to", coerce=int)


class QueueFilterForm(AppForm):
    """GET filters of the queue (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    ipr_type = SelectField(
        "Type",
        choices=choices([("", "All types"), *((t.value, t.label) for t in IprType)]),
        validators=[Optional()],
    )
    country = StringField("Holder country", validators=[Optional(), Length(max=2)])
    q = StringField("Search", validators=[Optional(), Length(max=100)])
