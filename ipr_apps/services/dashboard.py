"""The statistics dashboard: headline, breakdowns, processing time and backlog (DESIGN.md §5).

Every figure is read from the monthly summary (services/stats_summary.py) or summed over
stats.rows(), which are aggregates already; nothing here loads application or decision rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    IprType,
    MonthlyApplications,
    MonthlyProcessing,
    Status,
    User,
)
from ipr_apps.services import enforcement, queue, stats
from ipr_apps.services.countries import country_name
from ipr_apps.services.periods import By, Period, latest_complete, overlapping
from ipr_apps.services.stats_facts import NOT_RECORDED

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
    """Working days to a decision, over decisions dated in the whole months from `start` (a
    first day) to `end` (a last day): one read of the monthly histogram (stats_summary)."""
    p = MonthlyProcessing
    stmt = (
        select(p.working_days, func.sum(p.decisions))
        .where(p.month >= start, p.month <= end)
        .group_by(p.working_days)
        .order_by(p.working_days)
    )
    histogram = [(days, int(n)) for days, n in db.session.execute(stmt)]
    measured = [(days, n) for days, n in histogram if days != NOT_RECORDED]
    count = sum(n for _, n in measured)
    median, p90 = (_nearest_rank(measured, count, pct) for pct in (50, 90))
    within = sum(n for days, n in measured if days <= WITHIN_WORKING_DAYS)
    return ProcessingTime(sum(n for _, n in histogram), count, median, p90, within)


def _nearest_rank(histogram: list[tuple[int, int]], count: int, pct: int) -> int | None:
    """The nearest-rank percentile: the ⌈pct/100 × count⌉-th smallest value."""
    if not count:
        return None
    rank, seen = -(-pct * count // 100), 0
    for days, n in histogram:
        seen += n
        if seen >= rank:
            return days
    return None


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


def country_breakdown(start: date, end: date, domestic: str, top: int = TOP_COUNTRIES):
    """Approvals in the whole months from `start` to `end`: domestic vs foreign holders, and
    the top `top` countries."""
    m = MonthlyApplications
    stmt = (
        select(m.holder_country, func.sum(m.approved))
        .where(m.month >= start, m.month <= end)
        .group_by(m.holder_country)
    )
    return breakdown_of(dict(db.session.execute(stmt).all()), domestic, top)


def breakdown_of(approved: dict[str, int], domestic: str, top: int = TOP_COUNTRIES):
    """The breakdown from approvals per holder country ('' = not recorded)."""
    counts = {country: int(n) for country, n in approved.items() if n}
    unknown = counts.pop("", 0)
    mine = counts.get(domestic, 0)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    leaders = [(code, country_name(code), n) for code, n in ranked]
    return CountryBreakdown(domestic, mine, sum(counts.values()) - mine, unknown, leaders)


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
    """The queue's exact tab counts, and per tab the applications past their due date: one
    statement of indexed COUNTs (the statistics page stays within its statement budget)."""
    a = Application
    late = a.due_on < today
    overdue = {
        queue.Tab.UNCLAIMED: a.status == Status.SUBMITTED,
        queue.Tab.MINE: a.claimed_by_id == user.id,
        queue.Tab.IN_REVIEW: a.status == Status.UNDER_REVIEW,
    }
    late_counts = [
        select(func.count()).select_from(a).where(rows, late).scalar_subquery()
        for rows in overdue.values()
    ]
    tabs = [queue.count_of(tab, user) for tab in queue.Tab]
    values = db.session.execute(select(*tabs, *late_counts)).one()
    counts = dict(zip(queue.Tab, values[: len(tabs)], strict=True))
    return Backlog(counts, dict(zip(overdue, values[len(tabs) :], strict=True)))


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
    """Everything the dashboard shows for the selection, as of `today`: the approval
    figures from one read of the summary, grouped by right type and country at once."""
    first, last = span(by, start, end)
    monthly = stats.fetch(first, last + timedelta(days=1), stats.BOTH)
    rows = stats.rows(by, start, end, monthly=monthly)
    type_rows = stats.rows(by, start, end, "ipr_type", monthly=monthly)
    grouped = stats.rows(by, start, end, group_by, monthly=monthly) if group_by else None
    domestic = str(current_app.config["DOMESTIC_COUNTRY"]).upper()
    period = latest_complete(by, start, end, today)
    row = None if period is None else next(r for r in rows if r["period"] == period.label)
    return Overview(
        first, last, rows, None if row is None else headline(period, row),
        type_totals(type_rows), breakdown_of(_approved_by_country(monthly), domestic),
        processing_time(first, last), backlog(user, today), grouped, period, row,
        enforcement.overview(by, start, end, enforcement_group_by, today),
    )  # fmt: skip


def _approved_by_country(monthly: stats.Monthly) -> dict[str, int]:
    """Approvals in the range per holder country, from the rows read for the tables."""
    approved: dict[str, int] = {}
    by_country = monthly.for_group(stats.GroupBy.COUNTRY).applications
    for month, _type, country, _received, n, *_ in by_country:
        if month >= monthly.first:
            approved[country] = approved.get(country, 0) + int(n)
    return approved
