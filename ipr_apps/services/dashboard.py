"""The statistics dashboard: headline, breakdowns, processing time and backlog (DESIGN.md §5).

Every figure is an SQL aggregate over indexed columns (or a sum over stats.rows(), which are
aggregates already); nothing here loads application or decision rows into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import case, desc, func, select

from ipr_apps.db import db
from ipr_apps.models import Application, Decision, IprType, Outcome, Status, User
from ipr_apps.services import enforcement, queue, stats
from ipr_apps.services.countries import country_name
from ipr_apps.services.periods import By, Period, latest_complete, overlapping

TOP_COUNTRIES = 10
WITHIN_WORKING_DAYS = 30


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage, one decimal, half away from zero; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# -- Headline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The latest complete period's approvals against a year earlier; the page words it
    (templates/stats/_headline.html), so each language has its own sentence."""

    period: Period
    approved: int
    previous: int

    @property
    def change(self) -> enforcement.Change:
        return enforcement.Change(self.approved, self.previous)


def headline(period: Period, row: dict) -> Headline:
    return Headline(period, row["approved"], row["approved_prev_year"])


# -- Processing time ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessingTime:
    decisions: int  # decisions dated in the range
    measured: int  # of which the working days are recorded
    median: int | None
    p90: int | None
    within: int  # measured decisions taken within WITHIN_WORKING_DAYS

    @property
    def within_share(self) -> Decimal | None:
        return share(self.within, self.measured)


def processing_time(start: date, end: date) -> ProcessingTime:
    """Working days to a decision, over decisions dated in [start, end]."""
    d = Decision
    in_range = d.decided_on.between(start, end)
    stmt = select(
        func.count(), func.count(d.working_days),
        func.count(case((d.working_days <= WITHIN_WORKING_DAYS, 1))),
    ).where(in_range)  # fmt: skip
    total, measured, within = db.session.execute(stmt).one()
    median, p90 = (_nearest_rank(in_range, measured, pct) for pct in (50, 90))
    return ProcessingTime(total, measured, median, p90, within)


def _nearest_rank(condition, count: int, pct: int) -> int | None:
    """The nearest-rank percentile: the ⌈pct/100 × count⌉-th smallest value (both databases)."""
    if not count:
        return None
    rank = -(-pct * count // 100)
    stmt = (
        select(Decision.working_days)
        .where(condition, Decision.working_days.is_not(None))
        .order_by(Decision.working_days)
        .offset(rank - 1)
        .limit(1)
    )
    return db.session.scalar(stmt)


# -- Holder countries -----------------------------------------------------------------------


@dataclass(frozen=True)
class CountryBreakdown:
    domestic_code: str
    domestic: int
    foreign: int
    unknown: int  # approvals whose holder country was never recorded (old imports)
    top: list[tuple[str, str, int]]  # (code, name in the reader's language, approved), most first

    @property
    def total(self) -> int:
        return self.domestic + self.foreign + self.unknown

    @property
    def domestic_share(self) -> Decimal | None:
        return share(self.domestic, self.total)

    @property
    def foreign_share(self) -> Decimal | None:
        return share(self.foreign, self.total)

    @property
    def domestic_name(self) -> str:
        return country_name(self.domestic_code)


def _approved_in(start: date, end: date):
    return (
        select()
        .select_from(Decision)
        .join(Application, Application.id == Decision.application_id)
        .where(Decision.decided_on.between(start, end), Decision.outcome == Outcome.APPROVED)
    )


def country_breakdown(start: date, end: date, domestic: str, top: int = TOP_COUNTRIES):
    """Approvals in [start, end]: domestic vs foreign holders, and the top `top` countries."""
    country = Application.holder_country
    split = _approved_in(start, end).add_columns(
        func.count(case((country == domestic, 1))),
        func.count(case((country != domestic, 1))),
        func.count(case((country.is_(None), 1))),
    )
    n = func.count().label("n")
    ranked = (
        _approved_in(start, end).add_columns(country, n).where(country.is_not(None))
        .group_by(country).order_by(desc(n), country).limit(top)
    )  # fmt: skip
    leaders = [(c, country_name(c), k) for c, k in db.session.execute(ranked)]
    return CountryBreakdown(domestic, *db.session.execute(split).one(), leaders)


# -- Right types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeTotals:
    ipr_type: IprType
    received: int
    approved: int
    rejected: int


def sum_by_group(rows: list[dict]) -> dict[str, dict[str, int]]:
    """Received / approved / rejected summed per group over grouped stats.rows()."""
    sums: dict[str, dict[str, int]] = {}
    for row in rows:
        totals = sums.setdefault(
            row["group"], dict.fromkeys(("received", "approved", "rejected"), 0)
        )
        for column in totals:
            totals[column] += row[column]
    return sums


def type_totals(type_rows: list[dict]) -> list[TypeTotals]:
    """Every right type, zeros included, from stats.rows(..., "ipr_type")."""
    sums = sum_by_group(type_rows)
    empty = {"received": 0, "approved": 0, "rejected": 0}
    return [TypeTotals(t, **sums.get(t.value, empty)) for t in IprType]


# -- Backlog --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    counts: dict[queue.Tab, int]
    overdue: dict[queue.Tab, int]  # only the tabs whose decision clock runs

    @property
    def total_overdue(self) -> int:
        return self.overdue[queue.Tab.UNCLAIMED] + self.overdue[queue.Tab.IN_REVIEW]


def backlog(user: User, today: date) -> Backlog:
    """The queue's tab counts, and per tab the applications past their due date."""
    a = Application
    late = a.due_on < today
    running = (Status.SUBMITTED, Status.UNDER_REVIEW)
    by_status = select(a.status, func.count()).where(a.status.in_(running), late).group_by(a.status)
    found = dict(db.session.execute(by_status).all())
    mine = select(func.count()).select_from(a).where(a.claimed_by_id == user.id, late)
    overdue = {
        queue.Tab.UNCLAIMED: found.get(Status.SUBMITTED, 0),
        queue.Tab.MINE: db.session.scalar(mine),
        queue.Tab.IN_REVIEW: found.get(Status.UNDER_REVIEW, 0),
    }
    return Backlog(queue.counts(user), overdue)


# -- The whole page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    first_day: date  # the figures cover whole periods: first_day … last_day
    last_day: date
    rows: list[dict]
    headline: Headline | None  # None when no period in the range has ended yet
    types: list[TypeTotals]
    countries: CountryBreakdown
    processing: ProcessingTime
    backlog: Backlog
    grouped: list[dict] | None
    latest: Period | None = None  # the latest complete period (headline, recordations)
    latest_row: dict | None = None
    enforcement: enforcement.Overview | None = None  # detention cases (issue 13)


def span(by: By, start: date, end: date) -> tuple[date, date]:
    """The first and last day of the whole periods overlapping [start, end]."""
    periods = overlapping(by, start, end)
    return periods[0].start, periods[-1].end_exclusive - timedelta(days=1)


def overview(
    by: By, start: date, end: date, group_by: str | None, user: User, today: date,
    enforcement_group_by: str | None = None,
):  # fmt: skip
    """Everything the dashboard shows for the selection, as of `today`."""
    rows = stats.rows(by, start, end)
    first, last = span(by, start, end)
    # The type totals need the application figures only; a shown grouping needs them all.
    type_rows = stats.rows(by, start, end, "ipr_type", recordations=group_by == "ipr_type")
    grouped = type_rows if group_by == "ipr_type" else None
    if group_by and grouped is None:
        grouped = stats.rows(by, start, end, group_by)
    domestic = str(current_app.config["DOMESTIC_COUNTRY"]).upper()
    period = latest_complete(by, start, end, today)
    row = None if period is None else next(r for r in rows if r["period"] == period.label)
    return Overview(
        first, last, rows, None if row is None else headline(period, row),
        type_totals(type_rows), country_breakdown(first, last, domestic),
        processing_time(first, last), backlog(user, today), grouped, period, row,
        enforcement.overview(by, start, end, enforcement_group_by, today),
    )  # fmt: skip
