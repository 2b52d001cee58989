"""Benchmark: the enforcement statistics export vs the equivalent raw SQL GROUP BY.

Inserts N detention cases (plain executemany) over ten years, then times a full export
(enforcement.rows + CSV lines, monthly, grouped by port, with the year-earlier figures) against
the same aggregation written as raw SQL on the same database, measured in the same run (the raw
query sums the values as the column's type; the export sums whole fen, exact on SQLite too).
Prints the ratio (target <= 1.5) and the peak Python memory of the export.

    .venv/bin/python bench/enforcement_stats.py [--rows 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stats_export import END, START, compare

PORTS = [f"{n:04d}" for n in range(4200, 4260)]
CHANNELS = ["freight", "post", "express", "cross_border_ecommerce", "passenger", "other"]
MONTH = {
    "sqlite": "CAST(strftime('%Y', opened_on) AS INTEGER), "
    "CAST(strftime('%m', opened_on) AS INTEGER)",
    "postgresql": "extract(year FROM opened_on)::int, extract(month FROM opened_on)::int",
}
RAW_SQL = """SELECT {month}, port_code, count(*), sum(items), sum(value_cny)
    FROM detention_cases WHERE opened_on >= :a AND opened_on < :b GROUP BY 1, 2, 3"""


def fill(rows: int, batch: int = 50_000) -> None:
    from sqlalchemy import insert

    from ipr_apps.db import db
    from ipr_apps.models import DetentionCase

    rng, span = random.Random(3), (END - START).days
    for first in range(0, rows, batch):
        db.session.execute(insert(DetentionCase), [{
            "case_number": f"B{n:09d}", "opened_on": START + timedelta(days=rng.randrange(span)),
            "port_code": PORTS[n % len(PORTS)], "channel": CHANNELS[n % len(CHANNELS)],
            "direction": "import", "mode": "ex_officio", "ipr_type": "trademark",
            "status": "closed", "items": rng.randrange(10_000),
            "value_cny": Decimal(rng.randrange(10_000_000)) / 100, "imported": True,
        } for n in range(first, min(first + batch, rows))])  # fmt: skip
        db.session.commit()


def export() -> int:
    from ipr_apps.services import enforcement, exports

    rows = enforcement.rows("month", START, END, "port")
    return sum(len(line) for line in exports.csv_lines(rows, layout=exports.ENFORCEMENT))


def raw_group_by(dialect: str) -> int:
    from sqlalchemy import text

    from ipr_apps.db import db

    sql = text(RAW_SQL.format(month=MONTH[dialect]))
    a, b = START.replace(year=START.year - 1), date(END.year + 1, 1, 1)
    return len(db.session.execute(sql, {"a": a, "b": b}).all())


def run(url: str, rows: int) -> None:
    from flask_migrate import downgrade, upgrade

    from ipr_apps import create_app
    from ipr_apps.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        fill(rows)
        print(f"inserted {rows:,} cases in {time.perf_counter() - began:.1f}s")
        dialect = db.engine.dialect.name
        compare("monthly, by port", export, lambda: raw_group_by(dialect))
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
        run(args.database_url or f"sqlite:///{tmp}/bench.sqlite3", args.rows)


if __name__ == "__main__":
    main()
