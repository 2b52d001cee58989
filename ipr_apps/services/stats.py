"""Approval statistics (DESIGN.md §5), aggregated in SQL over indexed date columns.

received = applications first submitted in the period; approved / rejected = decisions dated
in the period (made here or imported); approved_prev_year = approved in the same period one
year earlier; approved_yoy_pct = (approved − prev) / prev × 100, rounded half away from zero
to one decimal, None when prev is 0.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sqlalchemy import Integer, cast, func, literal, select

from ipr_apps.db import db
from ipr_apps.errors import ValidationError
from ipr_apps.models import Application, Decision, Outcome
from ipr_apps.services.periods import By, Period, overlapping

COLUMNS = (
    "period", "group", "received", "approved", "rejected", "approved_prev_year",
    "approved_yoy_pct",
)  # fmt: skip


class GroupBy(StrEnum):
    IPR_TYPE = "ipr_type"
    COUNTRY = "country"

    @property
    def column(self):
        return Application.ipr_type if self == GroupBy.IPR_TYPE else Application.holder_country


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


def _grouped(by: By, date_column, group_by: GroupBy | None, *extra):
    """(selected columns, GROUP BY keys): year, period index, group, extras."""
    year = cast(func.extract("year", date_column), Integer).label("year")
    index = _period_index(by, date_column).label("idx")
    if group_by is None:  # no GROUP BY on a constant (PostgreSQL refuses it)
        return [year, index, literal("").label("grp"), *extra], [year, index, *extra]
    group = group_by.column.label("grp")
    return [year, index, group, *extra], [year, index, group, *extra]


def _received(by: By, start: date, end: date, group_by: GroupBy | None) -> dict[Key, int]:
    col = Application.first_submitted_at
    cols, keys = _grouped(by, col, group_by)
    stmt = select(*cols, func.count()).where(col >= start, col < end).group_by(*keys)
    return {(y, i, _text(g)): n for y, i, g, n in db.session.execute(stmt)}


def _decided(by: By, start: date, end: date, group_by: GroupBy | None) -> dict[tuple, int]:
    col = Decision.decided_on
    cols, keys = _grouped(by, col, group_by, Decision.outcome)
    stmt = (
        select(*cols, func.count())
        .join(Application, Application.id == Decision.application_id)
        .where(col >= start, col < end)
        .group_by(*keys)
    )
    return {(y, i, _text(g), o): n for y, i, g, o, n in db.session.execute(stmt)}


def _text(group) -> str:
    """Group values as plain strings (enum members hash differently from their values)."""
    return "" if group is None else str(getattr(group, "value", group))


def rows(by: By | str, start: date, end: date, group_by: GroupBy | str | None = None) -> list[dict]:
    """The export rows: every period overlapping [start, end], ordered by period then group."""
    by = By(by)
    group_by = GroupBy(group_by) if group_by else None
    _check_range(start, end)
    periods = overlapping(by, start, end)
    first, last = periods[0].start, periods[-1].end_exclusive
    received = _received(by, first, last, group_by)
    decided = _decided(by, first, last, group_by)
    previous = _decided(by, first.replace(year=first.year - 1), last.replace(year=last.year - 1),
                        group_by)  # fmt: skip
    groups = _groups_by_period(group_by, received, decided, previous)
    return [
        _row(period, group, received, decided, previous)
        for period in periods
        for group in groups.get((period.year, period.index), [""] if group_by is None else [])
    ]


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationError.on("to", "The end date is before the start date.")
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise ValidationError.on("from", f"Dates must lie between {FIRST_YEAR} and {LAST_YEAR}.")


def _groups_by_period(group_by, received, decided, previous) -> dict[tuple[int, int], list]:
    """The groups to list per (year, period): any non-zero figure in the period, or an
    approval in the same period a year earlier."""
    if group_by is None:
        return {}
    found: dict[tuple[int, int], set[str]] = {}
    for (year, index, group), n in received.items():
        if n:
            found.setdefault((year, index), set()).add(group)
    for (year, index, group, _outcome), n in decided.items():
        if n:
            found.setdefault((year, index), set()).add(group)
    for (year, index, group, outcome), n in previous.items():
        if n and outcome == Outcome.APPROVED:
            found.setdefault((year + 1, index), set()).add(group)
    return {key: sorted(groups) for key, groups in found.items()}


def _row(period: Period, group: str, received, decided, previous) -> dict:
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
    }


def totals_by_period(by: By | str, start: date, end: date) -> dict[str, dict]:
    """Ungrouped rows keyed by period label (for the dashboard and the headline)."""
    return {row["period"]: row for row in rows(by, start, end)}
