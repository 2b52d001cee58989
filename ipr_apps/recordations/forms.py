"""Forms of the recordation pages: the reason asked before ending a recordation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ipr_apps.forms import AppForm
from ipr_apps.services.lifecycle import REASON_MAX


class EndForm(AppForm):
    """Cancellation (holder) and revocation (admin) both need a reason."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)],
    )
