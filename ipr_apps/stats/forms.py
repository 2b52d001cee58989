"""The dashboard's selector (GET): period kind, date range and export grouping.

Invalid input never fails the page: the form keeps the errors to show beside the fields and
`selection()` falls back to the defaults for whatever was invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from ipr_apps.forms import AppForm, choices
from ipr_apps.services.enforcement import CaseGroupBy
from ipr_apps.services.periods import LABELS, By, overlapping
from ipr_apps.services.stats import GroupBy

MAX_PERIODS = 400
MIN_YEAR, MAX_YEAR = 1900, 2999  # the year before and after must still be valid dates
GROUP_LABELS = {
    "": _l("No grouping"),
    GroupBy.IPR_TYPE: _l("Right type"),
    GroupBy.COUNTRY: _l("Holder country"),
}
ENFORCEMENT_GROUP_LABELS = {
    "": _l("No grouping"),
    CaseGroupBy.IPR_TYPE: _l("Right type"),
    CaseGroupBy.CHANNEL: _l("Channel"),
    CaseGroupBy.MODE: _l("Mode"),
    CaseGroupBy.DIRECTION: _l("Direction"),
    CaseGroupBy.PORT: _l("Port"),
}


@dataclass(frozen=True)
class Selection:
    by: By
    start: date
    end: date
    group_by: GroupBy | None
    enforcement_group_by: CaseGroupBy | None = None

    @property
    def query(self) -> dict[str, str]:
        """The selection as query arguments, for links to charts and downloads."""
        args = {"by": self.by.value, "from": self.start.isoformat(), "to": self.end.isoformat()}
        args = {**args, "group_by": self.group_by.value} if self.group_by else args
        grouped = self.enforcement_group_by
        return {**args, "enforcement_group_by": grouped.value} if grouped else args

    @property
    def group_label(self) -> str:
        return str(GROUP_LABELS[self.group_by]) if self.group_by else ""

    @property
    def enforcement_group_label(self) -> str:
        grouped = self.enforcement_group_by
        return str(ENFORCEMENT_GROUP_LABELS[grouped]) if grouped else ""


def default_start(today: date) -> date:
    return date(today.year - 2, 1, 1)


def range_problem(by: By, start: date, end: date) -> str | None:
    """Why [start, end] cannot be shown by `by`, or None."""
    if end < start:
        return _("The end date is before the start date.")
    if len(overlapping(by, start, end)) > MAX_PERIODS:
        return _(
            "At most %(n)s periods can be shown at once: choose a shorter range "
            "or a longer period.",
            n=MAX_PERIODS,
        )
    return None


def _in_years(form, field) -> None:
    if field.data and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR)
        )


class StatsForm(AppForm):
    """GET arguments `by`, `from`, `to`, `group_by`, `enforcement_group_by` (no CSRF: nothing
    changes)."""

    class Meta:
        csrf = False

    by = SelectField(
        _l("Period"), choices=choices((b.value, LABELS[b]) for b in By), default=By.HALF.value
    )
    start = DateField(_l("From"), name="from", validators=[Optional(), _in_years])
    end = DateField(_l("To"), name="to", validators=[Optional(), _in_years])
    group_by = SelectField(
        _l("Group downloads by"),
        choices=choices((str(k), v) for k, v in GROUP_LABELS.items()),
        default="",
    )
    enforcement_group_by = SelectField(
        _l("Group enforcement by"),
        choices=choices((str(k), v) for k, v in ENFORCEMENT_GROUP_LABELS.items()),
        default="",
        description=_l("Adds a grouped enforcement table; the enforcement downloads use it too."),
    )


def selection(form: StatsForm, today: date) -> Selection:
    """Validate the form; return its valid part and the defaults for the rest.

    A range that cannot be shown is reported beside the end date and replaced by the default.
    The fields are set to what is applied (date inputs still show an invalid text as typed).
    """
    form.validate()
    by = By.HALF if form.by.errors else By(form.by.data)
    group_by = _chosen(form.group_by, GroupBy)
    enforcement_group_by = _chosen(form.enforcement_group_by, CaseGroupBy)
    start, end = _dates(form, by, today)
    form.by.data, form.group_by.data = by.value, group_by.value if group_by else ""
    form.enforcement_group_by.data = enforcement_group_by.value if enforcement_group_by else ""
    form.start.data, form.end.data = start, end
    return Selection(by, start, end, group_by, enforcement_group_by)


def _chosen(field: SelectField, kind):
    """A valid grouping chosen in `field`, as a member of `kind`, or None."""
    return kind(field.data) if field.data and not field.errors else None


def _dates(form: StatsForm, by: By, today: date) -> tuple[date, date]:
    start = default_start(today) if form.start.errors else form.start.data or default_start(today)
    end = today if form.end.errors else form.end.data or today
    problem = range_problem(by, start, end)
    if problem:
        form.end.errors.append(problem)
        return default_start(today), today
    return start, end
