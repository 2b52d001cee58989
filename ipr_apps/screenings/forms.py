"""The screening page's form: lines pasted or a CSV/XLSX file, and the threshold."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ipr_apps.forms import AppForm
from ipr_apps.screening.rules import DEFAULT_THRESHOLD
from ipr_apps.services.screening import MAX_THRESHOLD

PASTE_MAX = 2_000_000  # characters: 2,000 lines with long descriptions
ONE_SOURCE = _l("Paste lines or upload a file, not both.")
NO_SOURCE = _l("Paste the lines with their header row, or choose a file.")
THRESHOLD_RANGE = _l("Give a threshold from 0 to 500.")


class ScreenForm(AppForm):
    lines = TextAreaField(
        _l("Paste declaration lines"),
        validators=[Optional(), Length(max=PASTE_MAX)],
        description=_l("Copy the cells from a spreadsheet with the header row, or paste CSV text."),
    )
    file = FileField(
        _l("Or upload a file"),
        render_kw={"accept": ".csv,.xlsx,text/csv"},
        description=_l(
            "CSV (UTF-8) or XLSX, with the header row; a file of more than 2,000 lines is "
            "screened in the background."
        ),
    )
    threshold = IntegerField(
        _l("Threshold"),
        default=DEFAULT_THRESHOLD,
        validators=[
            InputRequired(THRESHOLD_RANGE),
            NumberRange(min=0, max=MAX_THRESHOLD, message=THRESHOLD_RANGE),
        ],
        render_kw={"inputmode": "numeric"},
        description=_l(
            "A line is listed under a recordation when its score reaches this. At 50, the "
            "recorded mark alone is enough; lower it to see weaker signals, raise it to see only "
            "the strongest."
        ),
    )
    submit = SubmitField(_l("Screen the lines"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        pasted, uploaded = bool((self.lines.data or "").strip()), bool(self.file.data)
        if pasted and uploaded:
            self.file.errors.append(str(ONE_SOURCE))
            return False
        if not pasted and not uploaded:
            self.lines.errors.append(str(NO_SOURCE))
            return False
        return True
