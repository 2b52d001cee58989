"""Forms of the detention-case deadline pages: the holder's confirmation (a bond or the
general guarantee) and withdrawal, the officer's release."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ipr_apps.forms import AppForm, choices
from ipr_apps.services.case_confirm import NOTE_MAX
from ipr_apps.services.case_release import REASON_MAX

BOND = "bond"
GUARANTEE = "guarantee"


class ConfirmForm(AppForm):
    """The amount is kept as typed: the service checks it and the page shows it back."""

    choice = RadioField(
        _l("How do you secure the detention?"),
        choices=choices(
            [
                (BOND, _l("Post a bond for this case")),
                (GUARANTEE, _l("Rely on our general guarantee")),
            ]
        ),
        default=BOND,
        validators=[Optional()],
    )
    bond_cny = StringField(_l("Bond (yuan)"), validators=[Optional(), Length(max=20)])

    def use_guarantee(self, offered: bool) -> bool:
        return offered and self.choice.data == GUARANTEE


class WithdrawForm(AppForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


class ReleaseForm(AppForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)]
    )
