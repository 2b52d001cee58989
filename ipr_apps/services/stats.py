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
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import Integer, and_, case, cast, func, literal, select

from ipr_apps.db import db
from ipr_apps.errors import ValidationError
from ipr_apps.models import (
    Application,
    Decision,
    IprType,
    Kind,
    Outcome,
    Recordation,
    RecordationStatus,
)
from ipr_apps.services.countries import country_name
from ipr_apps.services.periods import By, Period, overlapping
from ipr_apps.sql_dates import day_after, day_before

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

    def label_of(self, value: str) -> str:
        """A group as the page shows it: the right type's label, the country's name."""
        if self == GroupBy.IPR_TYPE:
            return IprType(value).label if value in set(IprType) else value
        return country_name(value) if value else value


FIRST_YEAR, LAST_YEAR = 1900, 2999
Key = tuple[int, int, str]  # (year, period index, group)


def yoy_pct(current: int, previous: int) -> Decimal | None:
    if not previous:
        return None
    pct = Decimal(current - previous) * 100 / Decimal(previous)
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _period_index(by: By, column):
    """SQL expression: the period number of a date column within its year."""
    month = cast(func.extract("month", column), Integer)
    if by == By.MONTH:
        return month
    if by == By.YEAR:
        return cast(1, Integer)
    return (month + (by.months - 1)) // by.months


def grouped_columns(by: By, date_column, group_by: GroupBy | None, *extra, group_column=None):
    """(selected columns, GROUP BY keys): year, period index, group, extras. The group is
    `group_by`'s application column unless another `group_column` is given."""
    year = cast(func.extract("year", date_column), Integer).label("year")
    index = _period_index(by, date_column).label("idx")
    if group_by is None:  # no GROUP BY on a constant (PostgreSQL refuses it)
        return [year, index, literal("").label("grp"), *extra], [year, index, *extra]
    group = (group_by.column if group_column is None else group_column).label("grp")
    return [year, index, group, *extra], [year, index, group, *extra]


def _received(by: By, start: date, end: date, group_by: GroupBy | None) -> dict[Key, int]:
    col = Application.first_submitted_at
    cols, keys = grouped_columns(by, col, group_by)
    stmt = select(*cols, func.count()).where(col >= start, col < end).group_by(*keys)
    return {(y, i, group_text(g)): n for y, i, g, n in db.session.execute(stmt)}


def _decided(by: By, start: date, end: date, group_by: GroupBy | None) -> tuple[dict, dict]:
    """Decisions per (year, period, group, outcome), and in the same pass the approved
    renewals per (year, period, group)."""
    col = Decision.decided_on
    cols, keys = grouped_columns(by, col, group_by, Decision.outcome)
    renewal = func.count(case((Application.kind == Kind.RENEWAL, 1)))
    stmt = (
        select(*cols, func.count(), renewal)
        .join(Application, Application.id == Decision.application_id)
        .where(col >= start, col < end)
        .group_by(*keys)
    )
    decided, renewals = {}, {}
    for y, i, g, o, n, renewed in db.session.execute(stmt):
        decided[(y, i, group_text(g), o)] = n
        if o == Outcome.APPROVED and renewed:
            renewals[(y, i, group_text(g))] = renewed
    return decided, renewals


def group_text(group) -> str:
    """Group values as plain strings (enum members hash differently from their values)."""
    return "" if group is None else str(getattr(group, "value", group))


def rows(
    by: By | str,
    start: date,
    end: date,
    group_by: GroupBy | str | None = None,
    *,
    recordations: bool = True,
) -> list[dict]:
    """The export rows: every period overlapping [start, end], ordered by period then group.

    recordations=False leaves out the recordation columns (and their queries) for callers
    that only sum the application figures."""
    by = By(by)
    group_by = GroupBy(group_by) if group_by else None
    check_range(start, end)
    periods = overlapping(by, start, end)
    first, last = periods[0].start, periods[-1].end_exclusive
    received = _received(by, first, last, group_by)
    decided, renewals = _decided(by, first, last, group_by)
    previous, _ = _decided(by, first.replace(year=first.year - 1), last.replace(year=last.year - 1),
                        group_by)  # fmt: skip
    figures = recordation_figures(by, periods, group_by, renewals) if recordations else {}
    groups = _groups_by_period(group_by, received, decided, previous, *figures.values())
    return [
        _row(period, group, received, decided, previous, figures)
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


def _groups_by_period(group_by, received, decided, previous, *more) -> dict[tuple[int, int], list]:
    """The groups to list per (year, period): any non-zero figure in the period, or an
    approval in the same period a year earlier."""
    if group_by is None:
        return {}
    found: dict[tuple[int, int], set[str]] = {}
    for (year, index, group), n in (
        item for counts in (received, *more) for item in counts.items()
    ):
        if n:
            found.setdefault((year, index), set()).add(group)
    for (year, index, group, _outcome), n in decided.items():
        if n:
            found.setdefault((year, index), set()).add(group)
    for (year, index, group, outcome), n in previous.items():
        if n and outcome == Outcome.APPROVED:
            found.setdefault((year + 1, index), set()).add(group)
    return {key: sorted(groups) for key, groups in found.items()}


def _row(period: Period, group: str, received, decided, previous, figures) -> dict:
    key = (period.year, period.index, group)
    prev_key = (period.year - 1, period.index, group)
    approved = decided.get((*key, Outcome.APPROVED), 0)
    prev = previous.get((*prev_key, Outcome.APPROVED), 0)
    return {
        "period": period.label,
        "group": group,
        "received": received.get(key, 0),
        "approved": approved,
        "rejected": decided.get((*key, Outcome.REJECTED), 0),
        "approved_prev_year": prev,
        "approved_yoy_pct": yoy_pct(approved, prev),
        **{column: counts.get(key, 0) for column, counts in figures.items()},
    }


def totals_by_period(by: By | str, start: date, end: date) -> dict[str, dict]:
    """Ungrouped rows keyed by period label (for the dashboard and the headline)."""
    return {row["period"]: row for row in rows(by, start, end)}


# -- Recordations (issue 12) ----------------------------------------------------------------


def recordation_figures(by: By, periods: list[Period], group_by: GroupBy | None, renewals) -> dict:
    """{column: {(year, index, group): n}} for RECORDATION_COLUMNS (zeros left out); the
    approved renewals come counted with the decisions (one pass over them)."""
    return {
        "in_force_at_end": _in_force_at_end(by, periods, group_by),
        "renewals_approved": renewals,
        "expiries": _expiries(by, periods, group_by),
    }


def _count_by_period(by, day, group_by, *where, group_column=None, join=None) -> dict[Key, int]:
    """COUNT(*) per (year, period, group) of the SQL date expression `day`."""
    cols, keys = grouped_columns(by, day, group_by, group_column=group_column)
    stmt = select(*cols, func.count())
    stmt = stmt.join(*join) if join else stmt
    found = db.session.execute(stmt.where(*where).group_by(*keys))
    return {(y, i, group_text(g)): n for y, i, g, n in found}


def _stop():
    """The first day a recordation is no longer in force: min(valid_until + 1, ended_on)."""
    r, after = Recordation, day_after(Recordation.valid_until)
    return case((and_(r.ended_on.is_not(None), r.ended_on < after), r.ended_on), else_=after)


def _in_force_at_end(by: By, periods: list[Period], group_by: GroupBy | None) -> dict[Key, int]:
    """A running total: in force before the range, plus starts minus stops per period.

    In force at end(P) ⟺ valid_from <= end(P) < stop, so the count is (valid_from <= end(P))
    − (stop <= end(P)) over the recordations ever in force (valid_from < stop): three
    grouped scans, whatever the number of periods."""
    r, stop = Recordation, _stop()
    first, end = periods[0].start, periods[-1].end_exclusive
    column = group_by.recordation_column if group_by else None
    ever = stop > r.valid_from
    running = _in_force_before(first, column, ever, stop)
    starts = _count_by_period(by, r.valid_from, group_by, ever, r.valid_from >= first,
                              r.valid_from < end, group_column=column)  # fmt: skip
    stops = _count_by_period(by, stop, group_by, ever, stop >= first, stop < end,
                             group_column=column)  # fmt: skip
    groups = sorted(set(running) | {k[2] for k in starts} | {k[2] for k in stops})
    result: dict[Key, int] = {}
    for period in periods:
        for group in groups:
            key = (period.year, period.index, group)
            running[group] = running.get(group, 0) + starts.get(key, 0) - stops.get(key, 0)
            if running[group]:
                result[key] = running[group]
    return result


def _in_force_before(first: date, column, ever, stop) -> dict[str, int]:
    """Per group: recordations in force on the day before `first`."""
    r = Recordation
    group = literal("") if column is None else column
    stmt = select(
        group, func.count(), func.count(case((stop < first, 1)))
    ).where(ever, r.valid_from < first)  # fmt: skip
    stmt = stmt if column is None else stmt.group_by(column)
    return {group_text(g): started - stopped for g, started, stopped in db.session.execute(stmt)}


def _expiries(by: By, periods: list[Period], group_by: GroupBy | None) -> dict[Key, int]:
    """By the last day in force, ended_on − 1: ended_on in (start, end] of the range."""
    r, first, end = Recordation, periods[0].start, periods[-1].end_exclusive
    column = group_by.recordation_column if group_by else None
    return _count_by_period(
        by, day_before(r.ended_on), group_by, r.status.in_(ENDED_BY_TIME), r.ended_on > first,
        r.ended_on <= end, group_column=column,
    )  # fmt: skip
