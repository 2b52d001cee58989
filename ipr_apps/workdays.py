"""Working-day arithmetic: weekends and the admins' holiday calendar are not working days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select

from ipr_apps.db import db


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """The `days`-th working day after `start` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, holidays)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), holidays)
    )


def holidays_between(start: date, end: date) -> frozenset[date]:
    """Holiday dates in [start, end] from the calendar table."""
    from ipr_apps.models import Holiday

    stmt = select(Holiday.day).where(Holiday.day.between(min(start, end), max(start, end)))
    return frozenset(db.session.execute(stmt).scalars())


def due_date(start: date, days: int) -> date:
    """`days` working days after `start`, honouring the holiday calendar."""
    # One query for a generous window; widen it only if the calendar is so full of holidays
    # that the answer falls past it (holidays beyond the window were not seen).
    end = start + timedelta(days=days * 3 + 60)
    while True:
        due = add_working_days(start, days, holidays_between(start, end))
        if due <= end:
            return due
        end = due + timedelta(days=days * 3 + 60)


def days_left(today: date, due: date) -> int:
    """Working days from today until the due date (0 on the day, negative when overdue)."""
    return _days_left(today, due, holidays_between(today, due))


def _days_left(today: date, due: date, holidays: frozenset[date]) -> int:
    left = working_days_between(today, due, holidays)
    # The weekend after a Friday deadline has no working day in (due, today], yet it is overdue.
    return min(left, -1) if today > due else left


def days_left_until(due_dates: dict, today: date) -> dict:
    """Working days left until each due date (by any key), with one holiday query."""
    if not due_dates:
        return {}
    dates = [*due_dates.values(), today]
    holidays = holidays_between(min(dates), max(dates))
    return {key: _days_left(today, due, holidays) for key, due in due_dates.items()}


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
