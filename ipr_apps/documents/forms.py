"""Upload forms; the services check the content, size and who may upload."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired

from ipr_apps.forms import AppForm, choices
from ipr_apps.models import DocType

ACCEPT = "application/pdf,image/jpeg,image/png"
IMAGE_ACCEPT = "image/jpeg,image/png"


class UploadForm(AppForm):
    doc_type = SelectField(
        "Type of document",
        choices=choices([("", "Choose…"), *((t.value, t.label) for t in DocType)]),
        validators=[InputRequired("Choose the type of document.")],
    )
    file = FileField(
        "File",
        validators=[FileRequired("Choose a file to upload.")],
        render_kw={"accept": ACCEPT},
    )


class MarkImageForm(AppForm):
    file = FileField(
        "Mark image",
        validators=[FileRequired("Choose an image to upload.")],
        render_kw={"accept": IMAGE_ACCEPT},
    )
