"""The best hand-written SQL for each statistic of the default `/stats/` view and of the monthly
export, on the raw facts (SQLite and PostgreSQL), checked against the app and timed beside it.

bench/run.py calls check_same(session, ...) and measure(database_url, ...); alone:

    .venv/bin/python bench/stats_sql.py [--rows 100000] [--database-url URL]

fills a fresh database through the real import (bench/stats_export.py's rows), then prints
app ms, SQL ms and their ratio per statistic.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from ipr_apps.services import dashboard, enforcement, stats
from ipr_apps.services.periods import By

DEFAULT_END = date(2024, 12, 31)
DEFAULT_START = date(DEFAULT_END.year - 2, 1, 1)  # the page's default range: half years
EXPORT = (By.MONTH, date(2015, 1, 1), date(2024, 12, 31))

# Period key of a date column, per dialect: '2019-03' (month) or '2019-1' (half).
KEYS = {
    "sqlite": {
        By.MONTH: "strftime('%Y-%m', {c})",
        By.HALF: "strftime('%Y', {c}) || '-' || ((CAST(strftime('%m', {c}) AS INTEGER) + 5) / 6)",
    },
    "postgresql": {
        By.MONTH: "to_char({c}, 'YYYY-MM')",
        By.HALF: "to_char({c}, 'YYYY') || '-' || ((EXTRACT(MONTH FROM {c})::int + 5) / 6)",
    },
}


def _key(dialect: str, by: By, column: str) -> str:
    return KEYS[dialect][by].format(c=column)


def _label(by: By, key: str) -> str:
    return key if by == By.MONTH else key.replace("-", "-H")


def sql_periods(session, by: By, start: date, end: date) -> dict[str, tuple[int, int, int]]:
    """{period: (received, approved, rejected)}: two grouped scans of the range."""
    d = session.get_bind().dialect.name
    first, last = stats.overlapping(by, start, end)[0].start, _after(by, start, end)
    received = text(
        f"SELECT {_key(d, by, 'first_submitted_at')} k, count(*) FROM applications "  # noqa: S608
        "WHERE first_submitted_at >= :a AND first_submitted_at < :b GROUP BY 1"
    )
    decided = text(
        f"SELECT {_key(d, by, 'decided_on')} k, "  # noqa: S608 (constant SQL from KEYS)
        "count(CASE WHEN outcome = 'approved' THEN 1 END), "
        "count(CASE WHEN outcome = 'rejected' THEN 1 END) FROM decisions "
        "WHERE decided_on >= :a AND decided_on < :b GROUP BY 1"
    )
    found: dict[str, list[int]] = {}
    for k, n in session.execute(received, {"a": first, "b": last}):
        found.setdefault(_label(by, k), [0, 0, 0])[0] = n
    for k, approved, rejected in session.execute(decided, {"a": first, "b": last}):
        found.setdefault(_label(by, k), [0, 0, 0])[1:] = [approved, rejected]
    return {k: tuple(v) for k, v in found.items()}


def _after(by: By, start: date, end: date) -> date:
    return stats.overlapping(by, start, end)[-1].end_exclusive


def sql_types(session, first: date, last: date) -> dict[str, int]:
    stmt = text(
        "SELECT a.ipr_type, count(*) FROM decisions d JOIN applications a "
        "ON a.id = d.application_id WHERE d.decided_on BETWEEN :a AND :b "
        "AND d.outcome = 'approved' GROUP BY a.ipr_type"
    )
    return {str(t): n for t, n in session.execute(stmt, {"a": first, "b": last})}


def sql_countries(session, first: date, last: date) -> dict[str, int]:
    stmt = text(
        "SELECT coalesce(a.holder_country, ''), count(*) FROM decisions d JOIN applications a "
        "ON a.id = d.application_id WHERE d.decided_on BETWEEN :a AND :b "
        "AND d.outcome = 'approved' GROUP BY 1"
    )
    return dict(session.execute(stmt, {"a": first, "b": last}).all())


def sql_processing(session, first: date, last: date) -> tuple:
    """(decisions, measured, median, p90, within 30): percentile_disc on PostgreSQL; on SQLite
    a histogram with a running sum (no ORDER BY ... OFFSET over every decision)."""
    args = {"a": first, "b": last}
    if session.get_bind().dialect.name == "postgresql":
        stmt = text(
            "SELECT count(*), count(working_days), percentile_disc(0.5) WITHIN GROUP (ORDER BY "
            "working_days), percentile_disc(0.9) WITHIN GROUP (ORDER BY working_days), "
            "count(CASE WHEN working_days <= 30 THEN 1 END) FROM decisions "
            "WHERE decided_on BETWEEN :a AND :b"
        )
        return tuple(session.execute(stmt, args).one())
    stmt = text(
        "SELECT working_days, count(*) FROM decisions WHERE decided_on BETWEEN :a AND :b "
        "GROUP BY working_days ORDER BY working_days"
    )
    histogram = session.execute(stmt, args).all()
    measured = [(w, n) for w, n in histogram if w is not None]
    count = sum(n for _, n in measured)
    ranks = [-(-p * count // 100) for p in (50, 90)]
    found, seen = [None, None], 0
    for w, n in measured:
        seen += n
        for i, rank in enumerate(ranks):
            if found[i] is None and count and seen >= rank:
                found[i] = w
    within = sum(n for w, n in measured if w <= 30)
    return (sum(n for _, n in histogram), count, *found, within)


def sql_enforcement(session, by: By, start: date, end: date) -> dict[str, tuple[int, int]]:
    d = session.get_bind().dialect.name
    first = stats.overlapping(by, start, end)[0].start
    stmt = text(
        f"SELECT {_key(d, by, 'opened_on')} k, count(*), coalesce(sum(items), 0) "  # noqa: S608
        "FROM detention_cases WHERE opened_on >= :a AND opened_on < :b GROUP BY 1"
    )
    args = {"a": first.replace(year=first.year - 1), "b": _after(by, start, end)}
    return {_label(by, k): (n, int(i)) for k, n, i in session.execute(stmt, args)}


# -- The app's figures, the same statistics -------------------------------------------------


def _span(by, start, end):
    return dashboard.span(by, start, end)


STATISTICS = {
    # name: (app function, SQL function), each over the default view or the monthly export
    "periods (default view)": (
        lambda s: stats.rows(By.HALF, DEFAULT_START, DEFAULT_END, recordations=False),
        lambda s: sql_periods(s, By.HALF, DEFAULT_START, DEFAULT_END),
    ),
    "types": (
        lambda s: dashboard.type_totals(
            stats.rows(By.HALF, DEFAULT_START, DEFAULT_END, "ipr_type", recordations=False)
        ),
        lambda s: sql_types(s, *_span(By.HALF, DEFAULT_START, DEFAULT_END)),
    ),
    "countries": (
        lambda s: dashboard.country_breakdown(*_span(By.HALF, DEFAULT_START, DEFAULT_END), "CN"),
        lambda s: sql_countries(s, *_span(By.HALF, DEFAULT_START, DEFAULT_END)),
    ),
    "processing time": (
        lambda s: dashboard.processing_time(*_span(By.HALF, DEFAULT_START, DEFAULT_END)),
        lambda s: sql_processing(s, *_span(By.HALF, DEFAULT_START, DEFAULT_END)),
    ),
    "enforcement": (
        lambda s: enforcement.rows(By.HALF, DEFAULT_START, DEFAULT_END),
        lambda s: sql_enforcement(s, By.HALF, DEFAULT_START, DEFAULT_END),
    ),
    "monthly export": (
        lambda s: stats.rows(*EXPORT, recordations=False),
        lambda s: sql_periods(s, *EXPORT),
    ),
}


def check_same(session) -> None:
    """Assert the app's figures equal the SQL's for every statistic."""
    for by, start, end in ((By.HALF, DEFAULT_START, DEFAULT_END), EXPORT):
        rows = stats.rows(by, start, end, recordations=False)
        want = sql_periods(session, by, start, end)
        for row in rows:
            got = (row["received"], row["approved"], row["rejected"])
            assert got == want.get(row["period"], (0, 0, 0)), (row, want.get(row["period"]))
    first, last = _span(By.HALF, DEFAULT_START, DEFAULT_END)
    types = {t.ipr_type.value: t.approved for t in STATISTICS["types"][0](session) if t.approved}
    assert types == sql_types(session, first, last)
    countries = dashboard.country_breakdown(first, last, "CN")
    by_country = sql_countries(session, first, last)
    assert countries.unknown == by_country.get("", 0)
    assert countries.total == sum(by_country.values())
    p = dashboard.processing_time(first, last)
    assert (p.decisions, p.measured, p.median, p.p90, p.within) == sql_processing(
        session, first, last
    )
    cases = sql_enforcement(session, By.HALF, DEFAULT_START, DEFAULT_END)
    for row in enforcement.rows(By.HALF, DEFAULT_START, DEFAULT_END):
        assert (row["batches"], row["items"]) == cases.get(row["period"], (0, 0))


def _median_ms(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(database_url: str, repeat: int = 5) -> dict[str, tuple[float, float]]:
    """{statistic: (app_ms, sql_ms)}, medians, interleaved in one run, figures checked first."""
    from ipr_apps import create_app
    from ipr_apps.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        check_same(db.session)
        return {
            name: (_median_ms(lambda f=app_fn: f(db.session), repeat),
                   _median_ms(lambda f=sql_fn: f(db.session), repeat))
            for name, (app_fn, sql_fn) in STATISTICS.items()
        }  # fmt: skip


def fill(url: str, rows: int, tmp: Path) -> None:
    """A migrated database with `rows` decided applications, through the real import."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from flask_migrate import upgrade
    from stats_export import generate

    from ipr_apps import create_app
    from ipr_apps.services.imports import import_recordations

    source = tmp / "history.csv"
    generate(source, rows)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        import_recordations(lambda: source.open(encoding="utf-8-sig", newline=""))
        print(f"imported {rows:,} rows in {time.perf_counter() - began:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["DATABASE_URL"] = url
        fill(url, args.rows, Path(tmp))
        for name, (app_ms, sql_ms) in measure(url).items():
            print(f"{name:24s} app {app_ms:8.2f} ms  best SQL {sql_ms:8.2f} ms  "
                  f"ratio {app_ms / sql_ms:5.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
