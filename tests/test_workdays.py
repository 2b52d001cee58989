"""Working-day arithmetic: weekends and calendar holidays skipped, due dates, days left."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipr_apps.db import db
from ipr_apps.models import Holiday
from ipr_apps.workdays import (
    WorkCalendar,
    add_working_days,
    calendar_between,
    days_left,
    days_left_map,
    due_date,
    is_working_day,
    working_days_between,
)
from ipr_apps.workflow import DECISION_WORKING_DAYS, REPLY_WORKING_DAYS

# June 2024: Monday 3 … Friday 7, Saturday 8, Sunday 9, Monday 10, Tuesday 11.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2024, 6, d) for d in range(3, 10))
NEXT_MON, NEXT_TUE = date(2024, 6, 10), date(2024, 6, 11)
# The turn of 2025/2026: Christmas (Thu, Fri) and New Year (Thu, Fri) are holidays.
YEAR_END = frozenset({date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 1, 2)})


def _add_holidays(*days: date) -> None:
    db.session.add_all(Holiday(day=day, name=f"Holiday {day}") for day in days)
    db.session.commit()


def test_deadline_constants():
    assert (DECISION_WORKING_DAYS, REPLY_WORKING_DAYS) == (30, 10)


@pytest.mark.parametrize(
    ("day", "holidays", "expected"),
    [
        (MON, (), True),
        (FRI, (), True),
        (SAT, (), False),
        (SUN, (), False),
        (WED, {WED}, False),
        (SAT, {SAT}, False),
        (THU, {WED}, True),
    ],
)
def test_is_working_day(day, holidays, expected):
    assert is_working_day(day, holidays) is expected


@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected"),
    [
        (MON, 1, (), TUE),
        (MON, 4, (), FRI),
        (MON, 5, (), NEXT_MON),  # the weekend is skipped
        (THU, 1, (), FRI),
        (FRI, 1, (), NEXT_MON),
        (FRI, 2, (), NEXT_TUE),
        (SAT, 1, (), NEXT_MON),  # starting on a weekend: the next working day is the first
        (SUN, 1, (), NEXT_MON),
        (FRI, 1, {NEXT_MON}, NEXT_TUE),  # a holiday is skipped like a weekend
        (MON, 3, {TUE, WED}, NEXT_MON),
        (NEXT_MON, 1, {NEXT_MON}, NEXT_TUE),  # starting on a holiday
        (MON, 0, (), MON),  # adding nothing changes nothing …
        (SAT, 0, (), SAT),  # … even on a non-working day
        (MON, 10, (), date(2024, 6, 17)),  # reply-by date of an information request
    ],
)
def test_add_working_days(start, days, holidays, expected):
    assert add_working_days(start, days, frozenset(holidays)) == expected


def test_thirty_working_days_across_new_year_with_holidays():
    start = date(2025, 12, 15)  # a Monday
    assert add_working_days(start, 30) == date(2026, 1, 26)
    assert add_working_days(start, 30, YEAR_END) == date(2026, 1, 30)  # four days later
    assert working_days_between(start, date(2026, 1, 30), YEAR_END) == 30


@pytest.mark.parametrize(
    ("start", "end", "holidays", "expected"),
    [
        (MON, MON, (), 0),
        (MON, TUE, (), 1),
        (MON, FRI, (), 4),
        (FRI, NEXT_MON, (), 1),
        (FRI, SAT, (), 0),
        (SAT, SUN, (), 0),
        (SAT, NEXT_MON, (), 1),
        (MON, NEXT_MON, (), 5),
        (MON, NEXT_MON, {WED}, 4),
        (MON, NEXT_MON, {SAT}, 5),  # a holiday on a weekend changes nothing
        (MON, MON, {MON}, 0),
    ],
)
def test_working_days_between_is_antisymmetric(start, end, holidays, expected):
    holidays = frozenset(holidays)
    assert working_days_between(start, end, holidays) == expected
    assert working_days_between(end, start, holidays) == -expected


@pytest.mark.parametrize("start", [MON, WED, FRI, SAT, SUN, date(2025, 12, 24)])
@pytest.mark.parametrize("days", [1, 2, 5, 10, 30, 61])
def test_between_undoes_add(start, days):
    due = add_working_days(start, days, YEAR_END)
    assert working_days_between(start, due, YEAR_END) == days
    assert is_working_day(due, YEAR_END)


def test_pause_keeps_the_working_days_already_used():
    submitted, paused, resumed = date(2024, 6, 3), date(2024, 6, 19), date(2024, 7, 1)
    used = working_days_between(submitted, paused)
    assert used == 12
    due = add_working_days(resumed, DECISION_WORKING_DAYS - used)
    assert due == date(2024, 7, 25)
    assert working_days_between(resumed, due) == 18
    assert used + working_days_between(resumed, due) == DECISION_WORKING_DAYS


def test_calendar_between_reads_the_admin_rows_inclusively(app):
    _add_holidays(date(2026, 1, 1), date(2026, 2, 17), date(2026, 5, 1))
    expected = WorkCalendar(closed=frozenset({date(2026, 1, 1), date(2026, 2, 17)}))
    assert calendar_between(date(2026, 1, 1), date(2026, 2, 17)) == expected
    assert calendar_between(date(2026, 2, 17), date(2026, 1, 1)) == expected
    assert calendar_between(date(2026, 1, 2), date(2026, 2, 16)) == WorkCalendar()


def test_a_working_row_makes_a_weekend_day_count(app):
    db.session.add(Holiday(day=SAT, name="Make-up day", working=True))
    db.session.commit()
    calendar = calendar_between(MON, NEXT_MON)
    assert calendar == WorkCalendar(worked=frozenset({SAT}))
    assert is_working_day(SAT, calendar) and not is_working_day(SUN, calendar)
    assert add_working_days(FRI, 1, calendar) == SAT
    assert days_left(MON, NEXT_MON) == 6


def test_due_date_skips_the_holidays_in_the_calendar(app):
    start = date(2025, 12, 15)
    assert due_date(start, 30) == date(2026, 1, 26)
    _add_holidays(*YEAR_END)
    assert due_date(start, 30) == date(2026, 1, 30)
    assert due_date(start, 0) == start


def test_due_date_copes_with_a_calendar_full_of_holidays(app):
    start = MON
    closed = [start + timedelta(days=n) for n in range(1, 120)]  # beyond the first window
    _add_holidays(*closed)
    first_open = start + timedelta(days=120)
    expected = first_open if first_open.weekday() < 5 else add_working_days(first_open, 1)
    assert due_date(start, 1) == expected


@pytest.mark.parametrize(
    ("today", "due", "expected"),
    [
        (FRI, FRI, 0),  # due today
        (THU, FRI, 1),
        (FRI, NEXT_MON, 1),
        (SAT, NEXT_MON, 1),
        (MON, NEXT_MON, 5),
        (NEXT_MON, FRI, -1),  # one working day overdue
        (NEXT_TUE, FRI, -2),
        (SAT, FRI, -1),  # the weekend after a Friday deadline is already overdue
        (SUN, FRI, -1),
    ],
)
def test_days_left(app, today, due, expected):
    assert days_left(today, due) == expected


def test_days_left_counts_holidays_in_the_calendar(app):
    assert days_left(MON, NEXT_MON) == 5
    _add_holidays(WED, THU)
    assert days_left(MON, NEXT_MON) == 3
    assert days_left(NEXT_MON, NEXT_MON) == 0


def test_days_left_map_covers_only_running_clocks(app):
    _add_holidays(WED)
    applications = [
        SimpleNamespace(id=1, clock_running=True, due_on=NEXT_MON),
        SimpleNamespace(id=2, clock_running=True, due_on=FRI),
        SimpleNamespace(id=3, clock_running=True, due_on=date(2024, 5, 31)),  # overdue
        SimpleNamespace(id=4, clock_running=False, due_on=NEXT_MON),  # clock paused
        SimpleNamespace(id=5, clock_running=False, due_on=None),
        SimpleNamespace(id=6, clock_running=False, due_on=FRI),
    ]
    assert days_left_map(applications, MON) == {1: 4, 2: 3, 3: -1}
    assert days_left_map([], MON) == {}
    for application in applications[:3]:
        assert days_left_map(applications, MON)[application.id] == days_left(
            MON, application.due_on
        )


DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    start=DAYS,
    end=DAYS,
    closed=st.frozensets(DAYS, max_size=40),
    worked=st.frozensets(DAYS, max_size=15),
)
def test_counting_is_the_day_by_day_count(start, end, closed, worked):
    """WorkCalendar.count (arithmetic and binary search, any span) agrees with asking
    `works` of every day in between, whatever the closures and worked days, however they
    overlap (a worked row wins over a closure)."""
    calendar = WorkCalendar(closed, worked)
    low, high = min(start, end), max(start, end)
    by_day = sum(calendar.works(low + timedelta(n)) for n in range(1, (high - low).days + 1))
    expected = by_day if end >= start else -by_day
    assert working_days_between(start, end, calendar) == expected


def test_years_overdue_in_the_official_calendar():
    """The 2019 Spring Festival: closed 4–8 February, worked Saturday 2 and Sunday 3 February."""
    calendar = WorkCalendar(
        closed=frozenset(date(2019, 2, d) for d in range(4, 11)),
        worked=frozenset({date(2019, 2, 2), date(2019, 2, 3)}),
    )
    # (1 Feb, 11 Feb]: Sat 2 and Sun 3 worked, 4–8 off (the 9th and 10th a weekend), Mon 11.
    assert working_days_between(date(2019, 2, 1), date(2019, 2, 11), calendar) == 3
    weeks = working_days_between(date(2019, 3, 1), date(2024, 3, 1), calendar)
    assert weeks == 1305  # five years of Mondays to Fridays, no holidays in the calendar then
