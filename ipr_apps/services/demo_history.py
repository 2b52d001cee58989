"""Demo decision history for seed-demo: the previous system's export, imported like a real one.

Every month from January 2018 to the last month that has ended is generated from its own fixed
random seed, so a month's rows never change and a later run adds only the months since. 2018
and 2019 have the published volume (H1 2018: 4,877 approvals; H1 2019: 5,501, "up 12.8% year
on year"); from 2020 the same steady growth is kept at a tenth of the volume, so that seeding
stays fast. Months follow the customs year (quiet around the Spring Festival and the October
holidays). The rows go through the same import as `flask ipr import-recordations`.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate

from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Application, IprType, today
from ipr_apps.services import imports
from ipr_apps.services.import_rows import HEADER
from ipr_apps.services.imports import ImportResult
from ipr_apps.services.recordations import add_years, validity

SEED = 20190630
FIRST_MONTH = date(2018, 1, 1)
REFERENCE_PREFIX = "DEMO-"  # DEMO-2019-03-00042; never the app's own IPR-… references
# Approvals per half year (H1, H2) at full scale: the published halves exactly, then growth.
HALF_YEAR_APPROVALS = {
    2018: (4_877, 5_214), 2019: (5_501, 5_873), 2020: (5_936, 6_402),
    2021: (6_870, 7_511), 2022: (8_020, 8_744), 2023: (9_115, 9_902),
    2024: (10_397, 11_217), 2025: (11_240, 12_010),
}  # fmt: skip
GROWTH_AFTER_TABLE = 1.05  # a year, for the halves after the table
SCALED_FROM, SCALE = 2020, 0.1  # from 2020 a tenth of the volume: seed-demo stays fast
# Relative volume per month: Spring Festival in Jan/Feb, National Day week in October.
MONTH_WEIGHTS = (1.0, 0.72, 1.12, 1.02, 1.0, 1.14, 1.04, 0.98, 1.05, 0.8, 1.1, 1.12)
REJECTED_SHARE = (0.06, 0.10)  # of approvals, per month
TYPE_WEIGHTS = {
    IprType.TRADEMARK: 78, IprType.COPYRIGHT: 8, IprType.PATENT_INVENTION: 6,
    IprType.PATENT_UTILITY_MODEL: 3, IprType.PATENT_DESIGN: 5,
}  # fmt: skip
TYPES, TYPE_CUM_WEIGHTS = tuple(TYPE_WEIGHTS), tuple(accumulate(TYPE_WEIGHTS.values()))
# Working days to a decision: gamma(6, 3) has mean 18 and ~93% within the 30-day limit.
PROCESSING_SHAPE, PROCESSING_SCALE, PROCESSING_MIN, PROCESSING_MAX = 6.0, 3.0, 3, 55


@dataclass(frozen=True, slots=True)
class Holder:
    name: str
    country: str
    brand: str  # latin letters, for marks and titles


# -- Holders --------------------------------------------------------------------------------

CITIES = ("深圳", "广州", "杭州", "上海", "北京", "宁波", "苏州", "厦门", "东莞", "青岛", "泉州",
          "温州")  # fmt: skip
BRANDS = (
    ("华星", "HUAXING"), ("金源", "JINYUAN"), ("明达", "MINGDA"), ("瑞丰", "RUIFENG"),
    ("天成", "TIANCHENG"), ("恒通", "HENGTONG"), ("鑫海", "XINHAI"), ("博远", "BOYUAN"),
    ("嘉禾", "JIAHE"), ("锦程", "JINCHENG"), ("永盛", "YONGSHENG"), ("中联", "ZHONGLIAN"),
    ("飞扬", "FEIYANG"), ("安踏", "ANTAR"), ("美佳", "MEIJIA"), ("雅韵", "YAYUN"),
)  # fmt: skip
TRADES = ("电子科技", "服饰", "体育用品", "家用电器", "五金制品", "玩具", "化妆品", "光电",
          "箱包", "食品")  # fmt: skip
FOREIGN = {  # country: (weight, legal-form suffix)
    "US": (30, "Inc."), "DE": (13, "GmbH"), "JP": (13, "Co., Ltd."), "FR": (9, "SAS"),
    "KR": (7, "Co., Ltd."), "GB": (6, "Ltd"), "IT": (6, "S.p.A."), "CH": (5, "AG"),
    "SE": (3, "AB"), "NL": (3, "B.V."), "ES": (2, "S.L."), "DK": (1, "A/S"),
    "AU": (1, "Pty Ltd"),
}  # fmt: skip
STEMS = ("Northwind", "Bluepeak", "Silverline", "Redwood", "Summit", "Harbor", "Evergreen",
         "Ironclad", "Brightwater", "Falcon", "Polaris", "Aster", "Crescent", "Meridian",
         "Orion", "Vela", "Kestrel", "Alder", "Nova", "Tidewater")  # fmt: skip
FOREIGN_TRADES = ("Sports", "Optics", "Apparel", "Audio", "Cosmetics", "Tools", "Toys",
                  "Motors", "Watches", "Foods")  # fmt: skip
DOMESTIC_HOLDERS, FOREIGN_HOLDERS = 290, 210  # the biggest filers are spread over both groups


@cache
def holders() -> tuple[Holder, ...]:
    """A fixed pool of holders, the most active first."""
    rng = random.Random(f"{SEED}-holders")  # noqa: S311 (demo data, not secrets)
    domestic = [
        Holder(f"{city}{brand}{trade}有限公司", "CN", latin)
        for city in CITIES for brand, latin in BRANDS for trade in TRADES
    ]  # fmt: skip
    foreign = [
        Holder(f"{stem} {trade} {suffix}", country, stem.upper())
        for country, (_weight, suffix) in FOREIGN.items()
        for stem in STEMS for trade in FOREIGN_TRADES
    ]  # fmt: skip
    countries = [c for c, (w, _s) in FOREIGN.items() for _ in range(w)]
    chosen_foreign = []
    for _ in range(FOREIGN_HOLDERS):
        country = rng.choice(countries)
        chosen_foreign.append(rng.choice([h for h in foreign if h.country == country]))
    pool = rng.sample(domestic, DOMESTIC_HOLDERS) + chosen_foreign
    rng.shuffle(pool)
    return tuple(dict.fromkeys(pool))  # no holder twice, order kept


@cache
def _holder_cum_weights() -> tuple[float, ...]:
    """Zipf-like: a few big brands file much of the volume."""
    return tuple(accumulate(1 / (rank + 20) for rank in range(len(holders()))))


# -- Volumes --------------------------------------------------------------------------------


def half_year_approvals(year: int, half: int) -> int:
    """Approvals decided in the half year, as generated (scaled from SCALED_FROM)."""
    last = max(HALF_YEAR_APPROVALS)
    full = HALF_YEAR_APPROVALS.get(year, HALF_YEAR_APPROVALS[last])[half - 1]
    if year > last:
        full = round(full * GROWTH_AFTER_TABLE ** (year - last))
    return full if year < SCALED_FROM else round(full * SCALE)


def split(total: int, weights: list[float]) -> list[int]:
    """`total` in parts proportional to `weights`, summing exactly (largest remainder)."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


@cache
def monthly_approvals(year: int, half: int) -> tuple[int, ...]:
    """The half year's approvals over its six months (seasonal weights, a little noise)."""
    rng = random.Random(f"{SEED}-{year}-H{half}")  # noqa: S311
    months = MONTH_WEIGHTS[(half - 1) * 6 : half * 6]
    weights = [w * rng.uniform(0.95, 1.05) for w in months]
    return tuple(split(half_year_approvals(year, half), weights))


def months(until: date) -> Iterator[date]:
    """First days of the months from FIRST_MONTH to the last month ended before `until`."""
    month = FIRST_MONTH
    while _next_month(month) <= until:
        yield month
        month = _next_month(month)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# -- Rows -----------------------------------------------------------------------------------


def month_size(month: date) -> tuple[int, int]:
    """(approvals, rejections) decided in `month`."""
    return _month_plan(month)[1:]


def _month_plan(month: date) -> tuple[random.Random, int, int]:
    rng = random.Random(f"{SEED}-{month:%Y-%m}")  # noqa: S311 (demo data, not secrets)
    half = 1 if month.month <= 6 else 2
    approvals = monthly_approvals(month.year, half)[(month.month - 1) % 6]
    return rng, approvals, round(approvals * rng.uniform(*REJECTED_SHARE))


def month_rows(month: date) -> list[list[str]]:
    """The CSV rows of the decisions dated in `month` (always the same for a month)."""
    rng, approvals, rejections = _month_plan(month)
    outcomes = [True] * approvals + [False] * rejections
    rng.shuffle(outcomes)
    workdays = [d for d in _days(month) if d.weekday() < 5]
    numbers: dict[str, int] = {}
    return [
        _row(rng, month, n, approved, rng.choice(workdays), numbers)
        for n, approved in enumerate(outcomes, start=1)
    ]


def _days(month: date) -> list[date]:
    return [month + timedelta(days=i) for i in range((_next_month(month) - month).days)]


def _row(
    rng: random.Random,
    month: date,
    n: int,
    approved: bool,
    decided_on: date,
    numbers: dict[str, int],
) -> list[str]:
    """One decision: reference n of `month`; approvals numbered per prefix within the month."""
    ipr_type = rng.choices(TYPES, cum_weights=TYPE_CUM_WEIGHTS)[0]
    holder = rng.choices(holders(), cum_weights=_holder_cum_weights())[0]
    submitted_on = _working_days_before(decided_on, _processing_days(rng))
    right_number, title, expiry = _right(rng, ipr_type, holder, decided_on)
    number = valid_until = ""
    if approved:
        prefix = ipr_type.prefix
        numbers[prefix] = numbers.get(prefix, 0) + 1
        # The previous system's numbers: month-based, so later months never renumber earlier ones.
        number = f"GACC-{prefix}{month:%Y%m}-{numbers[prefix]:04d}"
        valid_until = validity(decided_on, expiry)[1].isoformat()
    return [
        f"{REFERENCE_PREFIX}{month:%Y-%m}-{n:05d}", ipr_type.value, right_number, title,
        holder.name, holder.country, submitted_on.isoformat(), decided_on.isoformat(),
        "approved" if approved else "rejected", number, valid_until,
    ]  # fmt: skip


def _processing_days(rng: random.Random) -> int:
    days = round(rng.gammavariate(PROCESSING_SHAPE, PROCESSING_SCALE))
    return min(max(days, PROCESSING_MIN), PROCESSING_MAX)


def _working_days_before(day: date, days: int) -> date:
    """`days` weekdays before the weekday `day` (the import counts them again, holidays too)."""
    weeks, rest = divmod(days, 5)
    day -= timedelta(weeks=weeks)
    while rest:
        day -= timedelta(days=1)
        rest -= day.weekday() < 5
    return day


PATENT_TITLES = ("Charging circuit", "Folding frame", "Lamp housing", "Shoe sole",
                 "Bottle cap", "Earphone case", "Battery pack", "Toy vehicle", "Watch strap",
                 "Filter cartridge")  # fmt: skip
PATENT_KIND = {IprType.PATENT_INVENTION: (1, 20), IprType.PATENT_UTILITY_MODEL: (2, 10),
               IprType.PATENT_DESIGN: (3, 15)}  # fmt: skip
WORKS = ("product catalogue", "packaging artwork", "mobile app", "character design",
         "control software")  # fmt: skip


def _right(rng: random.Random, ipr_type: IprType, holder: Holder, decided_on: date):
    """(registration number, title, expiry) of a plausible right for `holder`."""
    if ipr_type == IprType.TRADEMARK:
        number = (str(rng.randint(3_000_000, 69_999_999)) if holder.country == "CN"
                  else f"G{rng.randint(700_000, 1_799_999)}")  # fmt: skip
        title = rng.choice((holder.brand, f"{holder.brand} {rng.choice(('PRO', 'GO', 'LUX'))}"))
        return number, title, add_years(decided_on, rng.randint(2, 14))
    if ipr_type == IprType.COPYRIGHT:
        year = decided_on.year - rng.randint(0, 3)
        title = f"{holder.brand.title()} {rng.choice(WORKS)} {year}"
        return f"{year}SR{rng.randint(100_000, 9_999_999):07d}", title, None
    kind, term = PATENT_KIND[ipr_type]
    filed = decided_on.year - rng.randint(1, 6)
    number = f"ZL{filed}{kind}{rng.randint(0, 9_999_999):07d}.{rng.randint(0, 9)}"
    return number, rng.choice(PATENT_TITLES), add_years(date(filed, 6, 30), term)


# -- Import ---------------------------------------------------------------------------------


def _present_per_month() -> dict[str, int]:
    """Demo references already in the database, counted per month label (YYYY-MM)."""
    label = func.substr(Application.reference, len(REFERENCE_PREFIX) + 1, 7)
    stmt = (
        select(label, func.count())
        .where(Application.reference.startswith(REFERENCE_PREFIX))
        .group_by(label)
    )
    return dict(db.session.execute(stmt).all())


def csv_text(month_list: list[date]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for month in month_list:
        writer.writerows(month_rows(month))
    return out.getvalue()


def seed(until: date | None = None) -> ImportResult:
    """Import the months up to the last one ended before `until` (default today) that are
    not complete in the database yet; returns what the import did."""
    present = _present_per_month()
    wanted = [
        m for m in months(until or today()) if present.get(f"{m:%Y-%m}", 0) < sum(month_size(m))
    ]
    db.session.rollback()  # end the read-only transaction; the import opens its own
    if not wanted:
        return ImportResult(imported=0, skipped=0)
    text = csv_text(wanted)
    return imports.import_recordations(lambda: io.StringIO(text))
