"""The upload form of the admin's import page."""

from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from ipr_apps.forms import AppForm


class ImportForm(AppForm):
    file = FileField(
        "History file (CSV)",
        validators=[FileRequired("Choose a CSV file to upload.")],
        render_kw={"accept": ".csv,text/csv"},
        description="UTF-8, with the header line described above.",
    )
    submit = SubmitField("Upload and import")
