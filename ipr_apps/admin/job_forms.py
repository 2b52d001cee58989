"""The upload form of the admin's import page."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from ipr_apps.forms import AppForm


class ImportForm(AppForm):
    file = FileField(
        _l("History file (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file to upload."))],
        render_kw={"accept": ".csv,text/csv"},
        description=_l("UTF-8, with the header line described above."),
    )
    submit = SubmitField(_l("Upload and import"))
