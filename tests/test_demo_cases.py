"""The demo detention-case history: the seed's half years exactly, in import-cases' CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ipr_apps.services import demo_cases


def _halves(text: str) -> dict[tuple[int, int], list]:
    found: dict = defaultdict(lambda: [0, 0, Decimal(0)])
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == demo_cases.HEADER
    for row in rows[1:]:
        opened = date.fromisoformat(row[1])
        totals = found[opened.year, 1 if opened.month <= 6 else 2]
        totals[0] += 1
        totals[1] += int(row[10])
        totals[2] += Decimal(row[11])
    return found


def _pct(now, before) -> Decimal:
    change = (Decimal(now) - Decimal(before)) * 100 / Decimal(before)
    return change.quantize(Decimal("0.1"), ROUND_HALF_UP)


def test_the_seed_half_years_are_exact_and_give_the_published_changes():
    halves = _halves(demo_cases.csv_text(date(2020, 1, 1)))
    now, before = halves[2019, 1], halves[2018, 1]
    assert now == [6_241, 23_810_000, Decimal("78730000.00")]
    assert _pct(now[0], before[0]) == Decimal("1.5")  # "up 1.5% year on year"
    assert _pct(now[1], before[1]) == Decimal("100.7")  # "up 100.7%"
    assert f"{now[1] / 1_000_000:.2f}" == "23.81" and f"{now[2] / 1_000_000:.2f}" == "78.73"
    assert halves[2019, 2] == list(demo_cases.half_totals(2019, 2))


def test_the_other_half_years_differ_from_year_to_year():
    """The demo's enforcement sentences compare a half year with the year before: identical
    volumes made every one read "batches unchanged, items unchanged"."""
    others = [demo_cases.half_totals(year, 1) for year in range(2020, 2027)]
    assert len({batches for batches, _, _ in others}) == len(others)
    assert all(490 <= batches <= 770 for batches, _, _ in others)  # 0.8–1.25 × a tenth of 6,149
    assert demo_cases.half_totals(2021, 2) == demo_cases.half_totals(2021, 2)


def test_rows_are_valid_for_the_import_and_the_same_every_time():
    rows = demo_cases.month_rows(date(2019, 3, 1))
    assert rows == demo_cases.month_rows(date(2019, 3, 1))
    assert len({r[0] for r in rows}) == len(rows)
    for row in rows:
        assert date.fromisoformat(row[1]).strftime("%Y-%m") == "2019-03"
        assert row[3] in {"freight", "post", "express", "cross_border_ecommerce", "passenger",
                          "other"}  # fmt: skip
        assert row[5] in {"ex_officio", "on_application"} and row[4] in {"import", "export"}
        assert row[6] in {"trademark", "copyright", "patent"}
        assert int(row[10]) >= 0 and Decimal(row[11]) >= 0 and "." in row[11]


def test_seed_imports_the_history_once_through_import_cases(app):
    from sqlalchemy import func, select

    from ipr_apps.db import db
    from ipr_apps.models import DetentionCase

    until = date(2019, 7, 1)  # H1 2018 to H1 2019: the seed's comparison, quickly
    expected = len(demo_cases.csv_text(until).splitlines()) - 1
    assert demo_cases.seed(until) == expected
    assert demo_cases.seed(until) == 0  # idempotent
    count = select(func.count()).select_from(DetentionCase)
    h1 = count.where(DetentionCase.opened_on.between(date(2019, 1, 1), date(2019, 6, 30)))
    assert db.session.scalar(count) == expected and db.session.scalar(h1) == 6_241
    items = select(func.sum(DetentionCase.items)).where(
        DetentionCase.opened_on.between(date(2019, 1, 1), date(2019, 6, 30))
    )
    assert db.session.scalar(items) == 23_810_000
