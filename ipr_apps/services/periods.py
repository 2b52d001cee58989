"""Reporting periods: month `2019-03`, quarter `2019-Q1`, half `2019-H1`, year `2019`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class By(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.value]


ORDINALS = ("first", "second", "third", "fourth")


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
        """Words for the headline: 'the first half of 2019', 'March 2019', 'Q1 2019'."""
        if self.by == By.HALF:
            return f"the {ORDINALS[self.index - 1]} half of {self.year}"
        if self.by == By.QUARTER:
            return f"the {ORDINALS[self.index - 1]} quarter of {self.year}"
        if self.by == By.MONTH:
            return self.start.strftime("%B %Y")
        return str(self.year)


def period_of(by: By, day: date) -> Period:
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
