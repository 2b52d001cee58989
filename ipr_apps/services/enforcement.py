"""Enforcement statistics (DESIGN.md §5) from detention cases, aggregated in SQL.

batches in period P = detention cases opened in P (one case = one consignment); items and
value_cny = their sums; `_prev_year` = the same figure in the same period one year earlier;
`_yoy_pct` = (figure − prev) / prev × 100, rounded half away from zero to one decimal, None
when prev is 0. A case belongs to the period of its `opened_on`. Periods are labelled and
bounded as in the approval statistics (services/periods.py).

One read of the monthly summary over [first period − 1 year, end of the last period) gives
both the figures and the year-earlier ones. The values are summed in whole fen (integers), so
the sum is exact on SQLite too, where a NUMERIC column holds binary floating point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, literal_column, select

from ipr_apps.db import db
from ipr_apps.models import CaseIprType, Channel, DetentionCase, Direction, Mode, MonthlyCases
from ipr_apps.services.periods import By, Period, latest_complete, overlapping, period_of
from ipr_apps.services.stats import Key, check_range, group_text, yoy_pct

COLUMNS = (
    "period", "group", "batches", "items", "value_cny", "batches_prev_year", "items_prev_year",
    "value_cny_prev_year", "batches_yoy_pct", "items_yoy_pct", "value_cny_yoy_pct",
)  # fmt: skip
FIGURES = ("batches", "items", "value_cny")
PERCENTAGES = tuple(f"{figure}_yoy_pct" for figure in FIGURES)
MONEY = ("value_cny", "value_cny_prev_year")
CENT = Decimal("0.01")


class CaseGroupBy(StrEnum):
    IPR_TYPE = "ipr_type"
    CHANNEL = "channel"
    MODE = "mode"
    DIRECTION = "direction"
    PORT = "port"

    @property
    def column(self):
        if self == CaseGroupBy.PORT:
            return DetentionCase.port_code
        return getattr(DetentionCase, self.value)

    @property
    def summary_column(self) -> str:
        return "port_code" if self == CaseGroupBy.PORT else self.value

    @property
    def values(self) -> tuple[str, ...]:
        """The groups every period lists, with zeros (the port codes are open-ended: none)."""
        return tuple(m.value for m in GROUP_ENUMS.get(self.value, ()))

    def label_of(self, value: str) -> str:
        """A group as the page shows it: the enumeration's label; a port code as it is."""
        enum = GROUP_ENUMS.get(self.value)
        return enum(value).label if enum and value in self.values else value


GROUP_ENUMS = {"ipr_type": CaseIprType, "channel": Channel, "mode": Mode, "direction": Direction}


Figures = tuple[int, int, Decimal]  # batches, items, value_cny
ZERO: Figures = (0, 0, Decimal("0.00"))


def _figures(by: By, start: date, end: date, group_by: CaseGroupBy | None) -> dict[Key, Figures]:
    """(batches, items, value_cny) per (year, period index, group) of cases opened in the
    whole months [start, end): one read of the monthly summary (services/stats_summary.py)."""
    m = MonthlyCases
    group = literal_column("''") if group_by is None else getattr(m, group_by.summary_column)
    keys = [m.month] if group_by is None else [m.month, group]
    stmt = (
        select(m.month, group, func.sum(m.batches), func.sum(m.items), func.sum(m.value_fen))
        .where(m.month >= start, m.month < end)
        .group_by(*keys)
    )
    sums: dict[Key, list[int]] = {}
    for month, g, n, items, fen in db.session.execute(stmt):
        period = period_of(by, month)
        totals = sums.setdefault((period.year, period.index, group_text(g)), [0, 0, 0])
        for i, value in enumerate((n, items, fen)):
            totals[i] += int(value)
    return {
        key: (n, items, (Decimal(fen) / 100).quantize(CENT))
        for key, (n, items, fen) in sums.items()
    }


def rows(
    by: By | str, start: date, end: date, group_by: CaseGroupBy | str | None = None
) -> list[dict]:
    """The export rows: every period overlapping [start, end], ordered by period then group.

    Ungrouped, one row per period. Grouped, every period lists the same groups: every value
    of the enumeration (ipr_type, channel, mode, direction), or for `port` every port code with
    a case in the range or in the year before it; zeros included."""
    by = By(by)
    group_by = CaseGroupBy(group_by) if group_by else None
    check_range(start, end)
    periods = overlapping(by, start, end)
    first, last = periods[0].start, periods[-1].end_exclusive
    figures = _figures(by, first.replace(year=first.year - 1), last, group_by)
    groups = [""] if group_by is None else sorted({*group_by.values, *(k[2] for k in figures)})
    return [_row(period, group, figures) for period in periods for group in groups]


def _row(period: Period, group: str, figures: dict[Key, Figures]) -> dict:
    now = figures.get((period.year, period.index, group), ZERO)
    before = figures.get((period.year - 1, period.index, group), ZERO)
    row = {"period": period.label, "group": group}
    row |= dict(zip(FIGURES, now, strict=True))
    row |= {f"{name}_prev_year": value for name, value in zip(FIGURES, before, strict=True)}
    row |= {
        pct: yoy_pct(current, previous)
        for pct, current, previous in zip(PERCENTAGES, now, before, strict=True)
    }
    return row


# -- The statistics page --------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A figure against the same period a year earlier, for the headline's words."""

    current: int | Decimal
    previous: int | Decimal

    @property
    def direction(self) -> str | None:
        """'up', 'down', 'unchanged', or None when there is nothing to compare with."""
        if not self.previous:
            return None
        if self.current == self.previous:
            return "unchanged"
        return "up" if self.current > self.previous else "down"

    @property
    def pct(self) -> Decimal | None:
        pct = yoy_pct(self.current, self.previous)
        return None if pct is None else abs(pct)


@dataclass(frozen=True)
class Headline:
    """The latest complete period's figures (the page words the sentence)."""

    period: Period
    row: dict

    @property
    def batches(self) -> Change:
        return Change(self.row["batches"], self.row["batches_prev_year"])

    @property
    def items(self) -> Change:
        return Change(self.row["items"], self.row["items_prev_year"])


@dataclass(frozen=True)
class Overview:
    rows: list[dict]
    headline: Headline | None  # None when no period in the range has ended
    grouped: list[dict] | None


def overview(by: By, start: date, end: date, group_by: CaseGroupBy | None, today: date) -> Overview:
    """The enforcement section of the statistics page, as of `today`."""
    table = rows(by, start, end)
    period = latest_complete(by, start, end, today)
    headline = None
    if period is not None:
        headline = Headline(period, next(r for r in table if r["period"] == period.label))
    grouped = rows(by, start, end, group_by) if group_by else None
    return Overview(table, headline, grouped)
