"""Working-day arithmetic on the combined calendar: weekends, China's official holidays and
make-up working days (see official_calendar), and the admins' rows, which win over both."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import select

from ipr_apps import official_calendar
from ipr_apps.db import db


@dataclass(frozen=True)
class WorkCalendar:
    """Exceptions to "Monday to Friday": days not worked, and (weekend) days worked."""

    closed: frozenset[date] = frozenset()
    worked: frozenset[date] = frozenset()

    def works(self, day: date) -> bool:
        if day in self.worked:
            return True
        return day.weekday() < 5 and day not in self.closed

    def count(self, start: date, end: date) -> int:
        """Working days in (start, end] for start <= end, in constant time and a binary search
        whatever the span (an application overdue for years has a queue row too): Mondays to
        Fridays by arithmetic, less the weekdays off, plus the weekend days worked."""
        weekdays = _weekdays_through(end) - _weekdays_through(start)
        return weekdays - _within(self._off, start, end) + _within(self._extra, start, end)

    @cached_property
    def _off(self) -> list[date]:
        return sorted(d for d in self.closed if d.weekday() < 5 and d not in self.worked)

    @cached_property
    def _extra(self) -> list[date]:
        return sorted(d for d in self.worked if d.weekday() >= 5)


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday, ordinal 1) to `day`, inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _within(days: list[date], start: date, end: date) -> int:
    """How many of the sorted `days` fall in (start, end]."""
    return bisect_right(days, end) - bisect_right(days, start)


Holidays = WorkCalendar | Collection[date]  # a plain collection: closed days only


def _calendar(holidays: Holidays) -> WorkCalendar:
    if isinstance(holidays, WorkCalendar):
        return holidays
    return WorkCalendar(closed=frozenset(holidays))


def is_working_day(day: date, holidays: Holidays = ()) -> bool:
    return _calendar(holidays).works(day)


def add_working_days(start: date, days: int, holidays: Holidays = frozenset()) -> date:
    """The `days`-th working day after `start` (start itself does not count)."""
    calendar = _calendar(holidays)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if calendar.works(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, holidays: Holidays = frozenset()) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, holidays)
    return _calendar(holidays).count(start, end)


def calendar_between(start: date, end: date) -> WorkCalendar:
    """The combined calendar over [start, end]: one query, the official years from a cache.

    An admin row overrides the official day either way (a closure on an official make-up day,
    a working day on an official holiday)."""
    from ipr_apps.models import Holiday

    first, last = min(start, end), max(start, end)
    official = official_calendar.official_days(first, last)
    closed, worked = set(official.closed), set(official.worked)
    stmt = select(Holiday.day, Holiday.working).where(Holiday.day.between(first, last))
    for day, working in db.session.execute(stmt):
        (worked if working else closed).add(day)
        (closed if working else worked).discard(day)
    return WorkCalendar(frozenset(closed), frozenset(worked))


def working_day(day: date) -> bool:
    """Whether `day` is a working day in the combined calendar."""
    return calendar_between(day, day).works(day)


def due_date(start: date, days: int) -> date:
    """`days` working days after `start`, in the combined calendar."""
    # One query for a generous window; widen it only if the calendar is so full of holidays
    # that the answer falls past it (holidays beyond the window were not seen).
    end = start + timedelta(days=days * 3 + 60)
    while True:
        due = add_working_days(start, days, calendar_between(start, end))
        if due <= end:
            return due
        end = due + timedelta(days=days * 3 + 60)


def days_left(today: date, due: date) -> int:
    """Working days from today until the due date (0 on the day, negative when overdue)."""
    return _days_left(today, due, calendar_between(today, due))


def _days_left(today: date, due: date, calendar: WorkCalendar) -> int:
    left = working_days_between(today, due, calendar)
    # The weekend after a Friday deadline has no working day in (due, today], yet it is overdue.
    return min(left, -1) if today > due else left


def days_left_until(due_dates: dict, today: date) -> dict:
    """Working days left until each due date (by any key), with one holiday query."""
    if not due_dates:
        return {}
    dates = [*due_dates.values(), today]
    calendar = calendar_between(min(dates), max(dates))
    return {key: _days_left(today, due, calendar) for key, due in due_dates.items()}


def days_left_map(applications, today: date) -> dict[int, int]:
    """Working days left per application in the decision clock, with one holiday query.

    Only applications whose clock is running (submitted, under review) are included.
    """
    running = {a.id: a.due_on for a in applications if a.due_on and a.clock_running}
    return days_left_until(running, today)


def reply_days_left_map(applications, today: date) -> dict[int, int]:
    """Working days left for the holder to answer each open information request."""
    waiting = {a.id: r.reply_by for a in applications if (r := a.open_request) is not None}
    return days_left_until(waiting, today)
