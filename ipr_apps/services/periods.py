"""Reporting periods: month `2019-03`, quarter `2019-Q1`, half `2019-H1`, year `2019`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from ipr_apps.i18n import format_month, format_year


class By(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.value]

    @property
    def label(self) -> str:
        """'Month', for the selector."""
        return str(LABELS[self])

    @property
    def noun(self) -> str:
        """'month' inside a sentence ('per month', 'no month … has ended')."""
        return str(NOUNS[self])


LABELS = {By.MONTH: _l("Month"), By.QUARTER: _l("Quarter"), By.HALF: _l("Half year"),
          By.YEAR: _l("Year")}  # fmt: skip
NOUNS = {By.MONTH: _l("month"), By.QUARTER: _l("quarter"), By.HALF: _l("half year"),
         By.YEAR: _l("year")}  # fmt: skip
# Whole phrases per period, so each language words them its own way (2019年第一季度).
QUARTERS = (
    _l("the first quarter of %(year)s"),
    _l("the second quarter of %(year)s"),
    _l("the third quarter of %(year)s"),
    _l("the fourth quarter of %(year)s"),
)
HALVES = (_l("the first half of %(year)s"), _l("the second half of %(year)s"))


@dataclass(frozen=True, order=True)
class Period:
    by: By
    year: int
    index: int  # month 1–12, quarter 1–4, half 1–2, or 1 for a year

    @property
    def label(self) -> str:
        if self.by == By.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.by == By.QUARTER:
            return f"{self.year}-Q{self.index}"
        if self.by == By.HALF:
            return f"{self.year}-H{self.index}"
        return str(self.year)

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.by.months + 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end_exclusive(self) -> date:
        month = self.first_month + self.by.months
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def previous_year(self) -> Period:
        return Period(self.by, self.year - 1, self.index)

    def next(self) -> Period:
        per_year = 12 // self.by.months
        if self.index < per_year:
            return Period(self.by, self.year, self.index + 1)
        return Period(self.by, self.year + 1, 1)

    @property
    def phrase(self) -> str:
        """Words for the headline in the reader's language: 'the first half of 2019' /
        2019年上半年, 'the third quarter of 2020' / 2020年第三季度, 'March 2019' / 2019年3月,
        '2019' / 2019年."""
        if self.by == By.HALF:
            return str(HALVES[self.index - 1]) % {"year": self.year}
        if self.by == By.QUARTER:
            return str(QUARTERS[self.index - 1]) % {"year": self.year}
        if self.by == By.MONTH:
            return format_month(self.start)
        return format_year(self.start)


@lru_cache(maxsize=4096)
def period_of(by: By, day: date) -> Period:
    """The period of `by` that holds `day` (asked once per summary row: remembered)."""
    return Period(by, day.year, (day.month - 1) // by.months + 1)


def overlapping(by: By, start: date, end: date) -> list[Period]:
    """Every period that overlaps [start, end], in order."""
    if end < start:
        raise ValueError("The end date is before the start date.")
    periods, current = [], period_of(by, start)
    while current.start <= end:
        periods.append(current)
        current = current.next()
    return periods


def latest_complete(by: By, start: date, end: date, today: date) -> Period | None:
    """The last period in the range that has fully ended by `today` (for the headline)."""
    done = [p for p in overlapping(by, start, end) if p.end_exclusive <= today]
    return done[-1] if done else None
