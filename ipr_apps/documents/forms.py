"""Upload forms; the services check the content, size and who may upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired

from ipr_apps.forms import AppForm, choices
from ipr_apps.models.documents import DOC_TYPE_LABELS

ACCEPT = "application/pdf,image/jpeg,image/png"
IMAGE_ACCEPT = "image/jpeg,image/png"


class UploadForm(AppForm):
    doc_type = SelectField(
        _l("Type of document"),
        choices=choices(
            [("", _l("Choose…")), *((t.value, lb) for t, lb in DOC_TYPE_LABELS.items())]
        ),
        validators=[InputRequired(_l("Choose the type of document."))],
    )
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        render_kw={"accept": ACCEPT},
    )


class MarkImageForm(AppForm):
    file = FileField(
        _l("Mark image"),
        validators=[FileRequired(_l("Choose an image to upload."))],
        render_kw={"accept": IMAGE_ACCEPT},
    )
