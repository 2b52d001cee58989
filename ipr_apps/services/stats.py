"""Approval and recordation statistics (DESIGN.md §5), aggregated in SQL over date columns.

received = applications first submitted in the period; approved / rejected = decisions dated
in the period (made here or imported, every kind of application); approved_prev_year =
approved in the same period one year earlier; approved_yoy_pct = (approved − prev) / prev ×
100, rounded half away from zero to one decimal, None when prev is 0.

Recordations (columns added after those, issue 12), with end(P) the last day of period P:
- in_force_at_end = recordations with valid_from <= end(P) <= valid_until and (ended_on IS NULL
  or ended_on > end(P)). This holds for past periods too, because a recordation leaves
  `active` only once and a renewal extends it without a gap. Computed as a running total:
  a recordation is in force from valid_from up to the day before stop = min(valid_until + 1,
  ended_on), so in force at end(P) = started by end(P) − stopped by end(P); three grouped
  queries (before the range, starts per period, stops per period) whatever the number of
  periods, each one pass over the recordations (see recordation_figures).
- renewals_approved = approval decisions dated in P on applications of kind `renewal`.
- expiries = recordations now expired or lapsed whose last day in force (ended_on − 1 day)
  lies in P; cancellations and revocations are not expiries.

Every figure is read from the monthly summary (models/summary.py, kept in step with the facts
by services/stats_summary.py), one indexed range read per table, and summed into periods here:
the cost depends on the number of months and groups, not of decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import func, literal_column, select, union_all

from ipr_apps.db import db
from ipr_apps.errors import ValidationError
from ipr_apps.models import (
    Application,
    IprType,
    MonthlyApplications,
    MonthlyRecordations,
    Recordation,
    RecordationStatus,
)
from ipr_apps.services.countries import country_name
from ipr_apps.services.periods import By, Period, overlapping, period_of

COLUMNS = (
    "period", "group", "received", "approved", "rejected", "approved_prev_year",
    "approved_yoy_pct", "in_force_at_end", "renewals_approved", "expiries",
)  # fmt: skip
# Added by issue 12 after the original columns, which others parse by position: keep last.
RECORDATION_COLUMNS = ("in_force_at_end", "renewals_approved", "expiries")
ENDED_BY_TIME = (RecordationStatus.EXPIRED, RecordationStatus.LAPSED)


class GroupBy(StrEnum):
    IPR_TYPE = "ipr_type"
    COUNTRY = "country"

    @property
    def column(self):
        return Application.ipr_type if self == GroupBy.IPR_TYPE else Application.holder_country

    @property
    def recordation_column(self):
        """The same grouping for recordations (their copies of the recorded facts)."""
        return Recordation.ipr_type if self == GroupBy.IPR_TYPE else Recordation.holder_country

    @property
    def summary_column(self) -> str:
        """The summary tables' column for this grouping."""
        return "ipr_type" if self == GroupBy.IPR_TYPE else "holder_country"

    def label_of(self, value: str) -> str:
        """A group as the page shows it: the right type's label, the country's name."""
        if self == GroupBy.IPR_TYPE:
            return IprType(value).label if value in set(IprType) else value
        return country_name(value) if value else value


FIRST_YEAR, LAST_YEAR = 1900, 2999
Key = tuple[int, int, str]  # (year, period index, group)
FIGURES = ("received", "approved", "rejected", "renewals_approved")
BOTH = ("ipr_type", "holder_country")


def yoy_pct(current: int, previous: int) -> Decimal | None:
    if not previous:
        return None
    pct = Decimal(current - previous) * 100 / Decimal(previous)
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def group_text(group) -> str:
    """Group values as plain strings (enum members hash differently from their values)."""
    return "" if group is None else str(getattr(group, "value", group))


def year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1)


# -- One read of the summary per view -------------------------------------------------------


@dataclass(frozen=True)
class Monthly:
    """The summary rows a view needs, each with its (ipr_type, holder_country) — '' for a
    column not asked for: applications (month, type, country, *FIGURES) from a year before
    `first` to `last`; recordations (month, type, country, starts, stops, expiries) in
    [first, last) and in force before `first` per (type, country).

    Read for both columns (the dashboard), the rows are the two margins, by (month, type)
    and by (month, country), each in its own list: not the (month, type, country) product,
    whose rows grow with the data (every country files every type at a million
    applications, few at ten thousand) while the margins are full at any size."""

    first: date
    last: date  # exclusive
    applications: list[tuple] = field(default_factory=list)
    recordations: list[tuple] = field(default_factory=list)
    in_force_before: dict[tuple[str, str], int] = field(default_factory=dict)
    by_country: Margins | None = None  # read for BOTH: the country margin (the above: type)

    def for_group(self, group_by: GroupBy | None) -> Monthly:
        """The rows to sum for `group_by`: the country margin for countries, else these."""
        if group_by == GroupBy.COUNTRY and self.by_country is not None:
            return Monthly(self.first, self.last, *self.by_country, self.in_force_before)
        return self


Margins = tuple[list[tuple], list[tuple]]  # (applications, recordations) by month and country


def _summed(model, columns: tuple[str, ...], figures: tuple[str, ...], *where):
    """SELECT month, the `columns` ('' for the others), SUM(figures) ... GROUP BY."""
    keys = [getattr(model, name) for name in columns]
    shown = [getattr(model, n) if n in columns else literal_column("''") for n in BOTH]
    sums = [func.sum(getattr(model, name)) for name in figures]
    return select(model.month, *shown, *sums).where(*where).group_by(model.month, *keys)


def _margins(model, figures: tuple[str, ...], *where):
    """Both margins in one statement: each row tagged 0 (by type) or 1 (by country)."""
    by_type = _summed(model, BOTH[:1], figures, *where).add_columns(literal_column("0"))
    by_country = _summed(model, BOTH[1:], figures, *where).add_columns(literal_column("1"))
    return union_all(by_type, by_country)


def _read(model, columns: tuple[str, ...], figures: tuple[str, ...], *where) -> Margins:
    """(rows, country margin rows or []): the margins when `columns` is BOTH."""
    if columns != BOTH:
        return [
            tuple(row) for row in db.session.execute(_summed(model, columns, figures, *where))
        ], []
    split: Margins = ([], [])
    for *row, margin in db.session.execute(_margins(model, figures, *where)):
        split[margin].append(tuple(row))
    return split


def fetch(first: date, last: date, columns: tuple[str, ...], recordations: bool = True):
    """The summary rows for [first, last), grouped by month and `columns` (of BOTH; both:
    the two margins, see Monthly)."""
    a, r = MonthlyApplications, MonthlyRecordations
    applications, countries = _read(
        a, columns, FIGURES, a.month >= year_earlier(first), a.month < last
    )
    both = columns == BOTH
    if not recordations:
        return Monthly(first, last, applications, by_country=(countries, []) if both else None)
    figures = ("starts", "stops", "expiries")
    in_range, in_range_countries = _read(r, columns, figures, r.month >= first, r.month < last)
    keys = [getattr(r, name) for name in columns]
    shown = [getattr(r, n) if n in columns else literal_column("''") for n in BOTH]
    before = select(*shown, func.sum(r.starts) - func.sum(r.stops)).where(r.month < first)
    found_before = db.session.execute(before.group_by(*keys))
    running = {(t, c): int(n) for t, c, n in found_before if n}
    margins = (countries, in_range_countries) if both else None
    return Monthly(first, last, applications, in_range, running, margins)


def columns_for(group_by: GroupBy | None) -> tuple[str, ...]:
    return () if group_by is None else (group_by.summary_column,)


def _group_of(group_by: GroupBy | None, ipr_type: str, country: str) -> str:
    if group_by is None:
        return ""
    return ipr_type if group_by == GroupBy.IPR_TYPE else country


def by_period(by: By, group_by: GroupBy | None, monthly: Monthly) -> dict[Key, list[int]]:
    """The application figures (FIGURES order) per (year, period index, group)."""
    sums: dict[Key, list[int]] = {}
    for month, ipr_type, country, *figures in monthly.applications:
        period = period_of(by, month)
        key = (period.year, period.index, _group_of(group_by, ipr_type, country))
        totals = sums.setdefault(key, [0] * len(FIGURES))
        for i, n in enumerate(figures):
            totals[i] += int(n)
    return sums


# -- The export rows ------------------------------------------------------------------------


def rows(
    by: By | str,
    start: date,
    end: date,
    group_by: GroupBy | str | None = None,
    *,
    recordations: bool = True,
    monthly: Monthly | None = None,
) -> list[dict]:
    """The export rows: every period overlapping [start, end], ordered by period then group.

    recordations=False leaves out the recordation columns (and their reads) for callers that
    only sum the application figures. `monthly`: summary rows already read for the range,
    grouped at least by `group_by` (the dashboard reads them once for all its tables)."""
    by = By(by)
    group_by = GroupBy(group_by) if group_by else None
    check_range(start, end)
    periods = overlapping(by, start, end)
    first, last = periods[0].start, periods[-1].end_exclusive
    if monthly is None:
        monthly = fetch(first, last, columns_for(group_by), recordations)
    monthly = monthly.for_group(group_by)
    figures = by_period(by, group_by, monthly)
    extra = recordation_figures(by, periods, group_by, figures, monthly) if recordations else {}
    groups = _groups_by_period(group_by, figures, *extra.values())
    return [
        _row(period, group, figures, extra)
        for period in periods
        for group in groups.get((period.year, period.index), [""] if group_by is None else [])
    ]


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationError.on("to", _("The end date is before the start date."))
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise ValidationError.on(
            "from",
            _("Dates must lie between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
        )


def _groups_by_period(group_by, figures, *more) -> dict[tuple[int, int], list]:
    """The groups to list per (year, period): any non-zero figure in the period, or an
    approval in the same period a year earlier."""
    if group_by is None:
        return {}
    found: dict[tuple[int, int], set[str]] = {}
    for (year, index, group), (received, approved, rejected, _renewals) in figures.items():
        if received or approved or rejected:
            found.setdefault((year, index), set()).add(group)
        if approved:
            found.setdefault((year + 1, index), set()).add(group)
    for (year, index, group), n in (item for counts in more for item in counts.items()):
        if n:
            found.setdefault((year, index), set()).add(group)
    return {key: sorted(groups) for key, groups in found.items()}


def _row(period: Period, group: str, figures, extra) -> dict:
    key = (period.year, period.index, group)
    received, approved, rejected, _renewals = figures.get(key, (0, 0, 0, 0))
    prev = figures.get((period.year - 1, period.index, group), (0, 0, 0, 0))[1]
    return {
        "period": period.label,
        "group": group,
        "received": received,
        "approved": approved,
        "rejected": rejected,
        "approved_prev_year": prev,
        "approved_yoy_pct": yoy_pct(approved, prev),
        **{column: counts.get(key, 0) for column, counts in extra.items()},
    }


def totals_by_period(by: By | str, start: date, end: date) -> dict[str, dict]:
    """Ungrouped rows keyed by period label (for the dashboard and the headline)."""
    return {row["period"]: row for row in rows(by, start, end)}


# -- Recordations (issue 12) ----------------------------------------------------------------


def recordation_figures(by: By, periods: list[Period], group_by, figures, monthly) -> dict:
    """{column: {(year, index, group): n}} for RECORDATION_COLUMNS (zeros left out); the
    approved renewals come counted with the decisions."""
    renewals = {key: sums[3] for key, sums in figures.items() if sums[3]}
    in_force, expiries = _in_force_at_end(by, periods, group_by, monthly)
    return {"in_force_at_end": in_force, "renewals_approved": renewals, "expiries": expiries}


def _in_force_at_end(by: By, periods: list[Period], group_by, monthly: Monthly):
    """A running total: in force before the range, plus starts minus stops per period.

    In force at end(P) ⟺ valid_from <= end(P) < stop, so the count is (valid_from <= end(P))
    − (stop <= end(P)) over the recordations ever in force (valid_from < stop)."""
    running: dict[str, int] = {}
    for (ipr_type, country), n in monthly.in_force_before.items():
        group = _group_of(group_by, ipr_type, country)
        running[group] = running.get(group, 0) + n
    change: dict[Key, int] = {}
    expiries: dict[Key, int] = {}
    for month, ipr_type, country, starts, stops, expired in monthly.recordations:
        period = period_of(by, month)
        key = (period.year, period.index, _group_of(group_by, ipr_type, country))
        change[key] = change.get(key, 0) + int(starts) - int(stops)
        if expired:
            expiries[key] = expiries.get(key, 0) + int(expired)
    groups = sorted(set(running) | {k[2] for k in change})
    result: dict[Key, int] = {}
    for period in periods:
        for group in groups:
            key = (period.year, period.index, group)
            running[group] = running.get(group, 0) + change.get(key, 0)
            if running[group]:
                result[key] = running[group]
    return result, expiries
