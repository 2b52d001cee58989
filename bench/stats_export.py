"""Benchmark: statistics export vs the equivalent raw SQL GROUP BY, and its peak memory.

Generates a historical CSV of N decided applications, imports it with the real
`import-recordations` service (timed), then times a full export (stats.rows + CSV lines,
monthly, grouped by country) against the same aggregation written as raw SQL on the same
database, measured in the same run. Prints the ratio (target ≤ 1.5) and the peak Python
memory of the export.

    .venv/bin/python bench/stats_export.py [--rows 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = [
    "reference", "ipr_type", "right_number", "right_title", "holder_name", "holder_country",
    "submitted_on", "decided_on", "decision", "recordation_number", "valid_until",
]  # fmt: skip
TYPES = ["trademark", "copyright", "patent_invention", "patent_utility_model", "patent_design"]
COUNTRIES = ["CN", "US", "DE", "JP", "KR", "FR", "GB", "IT", "NL", "CH"]
START, END = date(2015, 1, 1), date(2024, 12, 31)

RAW_SQL = {
    "sqlite": {
        "received": """SELECT CAST(strftime('%Y', first_submitted_at) AS INTEGER),
            CAST(strftime('%m', first_submitted_at) AS INTEGER), holder_country, count(*)
            FROM applications WHERE first_submitted_at >= :a AND first_submitted_at < :b
            GROUP BY 1, 2, 3""",
        "decided": """SELECT CAST(strftime('%Y', d.decided_on) AS INTEGER),
            CAST(strftime('%m', d.decided_on) AS INTEGER), a.holder_country, d.outcome, count(*)
            FROM decisions d JOIN applications a ON a.id = d.application_id
            WHERE d.decided_on >= :a AND d.decided_on < :b GROUP BY 1, 2, 3, 4""",
    },
    "postgresql": {
        "received": """SELECT extract(year FROM first_submitted_at)::int,
            extract(month FROM first_submitted_at)::int, holder_country, count(*)
            FROM applications WHERE first_submitted_at >= :a AND first_submitted_at < :b
            GROUP BY 1, 2, 3""",
        "decided": """SELECT extract(year FROM d.decided_on)::int,
            extract(month FROM d.decided_on)::int, a.holder_country, d.outcome, count(*)
            FROM decisions d JOIN applications a ON a.id = d.application_id
            WHERE d.decided_on >= :a AND d.decided_on < :b GROUP BY 1, 2, 3, 4""",
    },
}


def generate(path: Path, rows: int) -> None:
    rng = random.Random(1)
    span = (END - START).days
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            kind = TYPES[n % 5]
            decided = START + timedelta(days=rng.randrange(span))
            submitted = decided - timedelta(days=rng.randrange(5, 60))
            approved = rng.random() < 0.75
            writer.writerow([
                f"G{n:08d}", kind, "" if kind == "copyright" else f"R{n:09d}", f"Right {n}",
                f"Holder {n % 20000}", COUNTRIES[n % len(COUNTRIES)], submitted.isoformat(),
                decided.isoformat(), "approved" if approved else "rejected",
                f"OLD-{n:09d}" if approved else "",
                (decided + timedelta(days=3650)).isoformat() if approved else "",
            ])  # fmt: skip


def median_time(fn, repeat: int = 5) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def compare(what: str, export, raw) -> None:
    """Time `export` against `raw` (the baseline); print both, the ratio and the peak Python
    memory of one export."""
    t_export, t_raw = median_time(export), median_time(raw)
    tracemalloc.start()
    export()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"export ({what}, {START}..{END}): {t_export * 1000:.0f} ms")
    print(f"raw SQL GROUP BY (same aggregation): {t_raw * 1000:.0f} ms (baseline)")
    print(f"ratio export / raw SQL: {t_export / t_raw:.2f} (target <= 1.5)")
    print(f"peak Python memory during a full export: {peak / 1_048_576:.1f} MiB")


def export() -> int:
    from ipr_apps.services import exports, stats

    rows = stats.rows("month", START, END, "country")
    return sum(len(line) for line in exports.csv_lines(rows))


def raw_group_by(dialect: str) -> int:
    from sqlalchemy import text

    from ipr_apps.db import db

    sql = RAW_SQL[dialect]
    a, b = START, date(END.year + 1, 1, 1)
    found = len(db.session.execute(text(sql["received"]), {"a": a, "b": b}).all())
    found += len(db.session.execute(text(sql["decided"]), {"a": a, "b": b}).all())
    previous = {"a": a.replace(year=a.year - 1), "b": b.replace(year=b.year - 1)}
    return found + len(db.session.execute(text(sql["decided"]), previous).all())


def run(url: str, rows: int, tmp: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from ipr_apps import create_app
    from ipr_apps.db import db
    from ipr_apps.services.imports import import_recordations

    source = tmp / "history.csv"
    generate(source, rows)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        result = import_recordations(lambda: source.open(encoding="utf-8-sig", newline=""))
        took = time.perf_counter() - began
        rate = result.imported / took
        print(f"imported {result.imported:,} rows in {took:.1f}s ({rate:,.0f} rows/s)")
        dialect = db.engine.dialect.name
        compare("monthly, by country", export, lambda: raw_group_by(dialect))
        if dialect != "sqlite":
            db.session.rollback()
            downgrade(revision="base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPR_INSTANCE_PATH"] = tmp
        run(args.database_url or f"sqlite:///{tmp}/bench.sqlite3", args.rows, Path(tmp))


if __name__ == "__main__":
    main()
