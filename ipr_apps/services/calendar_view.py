"""A year of the working-day calendar as the admin page shows it: twelve month grids and the
list of days that differ from "Monday to Friday", each with its source."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from babel.dates import format_date, get_day_names

from ipr_apps import official_calendar
from ipr_apps.i18n import _babel_locale
from ipr_apps.models import Holiday
from ipr_apps.services.calendar import holidays_in_year


class Source(StrEnum):
    """Why a day is what it is (also the CSS hook `day-<source>` of the grid)."""

    OFFICIAL_HOLIDAY = "official-holiday"  # the official calendar closes it
    OFFICIAL_WORKING = "official-working"  # a weekend day worked in lieu, officially
    CLOSURE = "closure"  # an admin row: closed
    ADMIN_WORKING = "admin-working"  # an admin row: a weekend day worked
    OVERRIDE = "override"  # an admin row that turns an official day the other way


@dataclass(frozen=True)
class Day:
    day: date
    working: bool
    source: Source | None = None  # None: an ordinary weekday or weekend day
    official_name: str | None = None  # in the reader's language
    row: Holiday | None = None  # the admin row, if any

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass(frozen=True)
class Month:
    first: date
    weeks: list[list[Day | None]]  # Monday first; None pads the first and last week


@dataclass(frozen=True)
class YearView:
    year: int
    months: list[Month]
    special: list[Day]  # the days with a source, in date order
    official: bool  # the official calendar is in force
    published: bool  # the official calendar knows this year's make-up working days


def year_view(year: int, locale: str) -> YearView:
    official = official_calendar.official_days(date(year, 1, 1), date(year, 12, 31))
    names = official_calendar.names(year, locale)
    rows = {h.day: h for h in holidays_in_year(year)}
    first = date(year, 1, 1)
    every = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    days = {day: _day(day, official, names, rows.get(day)) for day in every}
    months = [_month(year, month, days) for month in range(1, 13)]
    special = [d for d in sorted(days.values(), key=lambda d: d.day) if d.source]
    on = official_calendar.enabled()
    return YearView(year, months, special, on, on and official_calendar.published(year))


def _day(day: date, official, names: dict[date, str], row: Holiday | None) -> Day:
    name = names.get(day)
    if day in official.closed:
        base = Day(day, False, Source.OFFICIAL_HOLIDAY, name)
    elif day in official.worked:
        base = Day(day, True, Source.OFFICIAL_WORKING, name)
    else:
        base = Day(day, day.weekday() < 5)
    if row is None:
        return base
    if base.source is not None and base.working != row.working:
        source = Source.OVERRIDE
    else:
        source = Source.ADMIN_WORKING if row.working else Source.CLOSURE
    return Day(day, row.working, source, name, row)


def _month(year: int, month: int, days: dict[date, Day]) -> Month:
    weeks = stdlib_calendar.Calendar().monthdatescalendar(year, month)
    grid = [[days[d] if d.month == month else None for d in week] for week in weeks]
    return Month(date(year, month, 1), grid)


# -- names in the reader's language ----------------------------------------------------------


def month_title(first: date) -> str:
    """一月 / January."""
    return format_date(first, "LLLL", locale=_babel_locale())


def weekday_name(day: date) -> str:
    """星期五 / Friday."""
    return format_date(day, "EEEE", locale=_babel_locale())


def weekday_headers() -> list[tuple[str, str]]:
    """(short, full) names Monday to Sunday: 周一 / Mon … for the grid's column headers."""
    short = get_day_names("abbreviated", context="stand-alone", locale=_babel_locale())
    full = get_day_names("wide", context="stand-alone", locale=_babel_locale())
    return [(short[n], full[n]) for n in range(7)]
