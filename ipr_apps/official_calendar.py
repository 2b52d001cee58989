"""China's official working-day calendar from the `holidays` package, cached per year.

The State Council publishes each year's public holidays and the weekend days worked in lieu
(调休); the `holidays` package keeps them. `WORKDAY_CALENDAR` chooses the source: "CN" (the
default) or "none" (weekends only, as before the official calendar was adopted). Admin rows in
the `holidays` table are added on top and override an official day either way.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import holidays as holidays_package
from flask import current_app
from flask_babel import gettext as _

# What applications.due_calendar / detention_cases.confirm_calendar hold: which calendar
# computed a stored deadline. NULL: set before the official calendar was adopted.
LOCAL_LABEL = "local"
_OFFICIAL_PREFIX = "CN holidays "
# The package's names in the reader's language (its own codes).
_LANGUAGES = {"zh_Hans": "zh_CN", "en": "en_US"}


class OfficialYear(NamedTuple):
    closed: frozenset[date]  # public holidays and the weekdays off in lieu
    worked: frozenset[date]  # weekend days worked in lieu


def enabled() -> bool:
    return str(current_app.config.get("WORKDAY_CALENDAR", "CN")).strip().upper() == "CN"


def version() -> str:
    return holidays_package.__version__


def label() -> str:
    """The calendar now in force, as stored with a deadline it computes."""
    return _OFFICIAL_PREFIX + version() if enabled() else LOCAL_LABEL


@lru_cache(maxsize=64)
def official_year(year: int) -> OfficialYear:
    """The official days of `year` (built once per process: the package is slow to build)."""
    china = holidays_package.China(years=year)
    # weekend_workdays may hold days of other years: keep this year's only.
    worked = frozenset(d for d in china.weekend_workdays if d.year == year)
    return OfficialYear(frozenset(china.keys()), worked)


def official_days(first: date, last: date) -> OfficialYear:
    """The official days of every year in [first, last], or none when the calendar is off."""
    if not enabled():
        return OfficialYear(frozenset(), frozenset())
    closed: set[date] = set()
    worked: set[date] = set()
    for year in range(min(first, last).year, max(first, last).year + 1):
        closed |= official_year(year).closed
        worked |= official_year(year).worked
    return OfficialYear(frozenset(closed), frozenset(worked))


@lru_cache(maxsize=64)
def _names(year: int, language: str) -> dict[date, str]:
    return dict(holidays_package.China(years=year, language=language))


def names(year: int, locale: str) -> dict[date, str]:
    """The official holidays' names of `year` in the reader's language ({} when off), with
    the dates inside them ("substituted from 02/02/2019", "由 2019-02-02 调休") written as
    the page writes dates."""
    if not enabled():
        return {}
    from ipr_apps import i18n

    with i18n.in_language(locale):
        return {
            day: _DATE_IN_NAME.sub(lambda m: _written(m, locale), name)
            for day, name in _names(year, _LANGUAGES.get(locale, "en_US")).items()
        }


_DATE_IN_NAME = re.compile(r"( ?)(\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2})( ?)")


def _written(match: re.Match, locale: str) -> str:
    from ipr_apps import i18n

    day = i18n.format_day(_parsed(match.group(2)))
    # Chinese sets no spaces around a date inside a sentence; English keeps its own.
    return day if locale == "zh_Hans" else match.group(1) + day + match.group(3)


def _parsed(text: str) -> date:
    text = text.strip()
    if "/" in text:  # the package's English names use the US order
        month, day, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def published(year: int) -> bool:
    """Whether the package knows the year's make-up working days (the notice is out)."""
    return bool(official_year(year).worked)


def describe(stored: str | None) -> str:
    """Which calendar computed a stored deadline, in the reader's language."""
    if stored and stored.startswith(_OFFICIAL_PREFIX):
        return _(
            "Working days counted with China's official calendar (holidays %(version)s) "
            "and the local closures.",
            version=stored.removeprefix(_OFFICIAL_PREFIX),
        )
    if stored == LOCAL_LABEL:
        return _("Working days counted with weekends and the local closures only.")
    return _(
        "Working days counted with weekends and the local closures only (set before the "
        "official calendar was adopted)."
    )
