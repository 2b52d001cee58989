"""Benchmark: the recordation columns of the statistics (in force at period end, renewals,
expiries) at N recordations, against one COUNT(CASE ...) per period end as the baseline.

Imports N decided applications (3/4 approved, so ~0.75 N recordations, some expired or lapsed
afterwards) with the real `import-recordations` service, then times stats.rows() monthly over
ten years, ungrouped and by country, with and without the recordation columns, and the
straightforward alternative for in_force_at_end alone: one query with a COUNT(CASE) column per
period end. Prints the added cost and the ratio to that baseline.

    .venv/bin/python bench/recordation_stats.py [--rows 270000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stats_export import END, START, generate, median_time


def end_some(fraction: float = 0.2) -> None:
    """Mark a fraction of the recordations expired / lapsed / cancelled at plausible days."""
    from sqlalchemy import select, update

    from ipr_apps.db import db
    from ipr_apps.models import Recordation, RecordationStatus

    rng = random.Random(2)
    rows = db.session.execute(select(Recordation.id, Recordation.valid_until)).all()
    statuses = [RecordationStatus.EXPIRED, RecordationStatus.LAPSED, RecordationStatus.CANCELLED]
    for rid, until in rng.sample(rows, int(len(rows) * fraction)):
        status = rng.choice(statuses)
        ended = until + timedelta(days=1) if status == RecordationStatus.EXPIRED else (
            until - timedelta(days=rng.randrange(1, 3000)))  # fmt: skip
        db.session.execute(
            update(Recordation).where(Recordation.id == rid).values(status=status, ended_on=ended)
        )
    db.session.commit()


def per_period_case() -> int:
    """The baseline: one COUNT(CASE ...) per month end, in one query."""
    from sqlalchemy import case, func, or_, select

    from ipr_apps.db import db
    from ipr_apps.models import Recordation as R
    from ipr_apps.services.periods import By, overlapping

    ends = [p.end_exclusive - timedelta(days=1) for p in overlapping(By.MONTH, START, END)]
    counts = [
        func.count(case((
            (R.valid_from <= e) & (R.valid_until >= e) & or_(R.ended_on.is_(None), R.ended_on > e),
            1,
        )))
        for e in ends
    ]  # fmt: skip
    return sum(db.session.execute(select(*counts)).one())


def run(url: str, rows: int, tmp: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from ipr_apps import create_app
    from ipr_apps.db import db
    from ipr_apps.models import Recordation
    from ipr_apps.services import stats
    from ipr_apps.services.imports import import_recordations

    source = tmp / "history.csv"
    generate(source, rows)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        import_recordations(lambda: source.open(encoding="utf-8-sig", newline=""))
        end_some()
        total = db.session.query(Recordation).count()
        print(f"{db.engine.dialect.name}: {total:,} recordations ({rows:,} applications)")
        for group in (None, "country"):
            with_r = median_time(lambda g=group: stats.rows("month", START, END, g))
            without = median_time(
                lambda g=group: stats.rows("month", START, END, g, recordations=False)
            )
            label = f"monthly {START}..{END}, {'by country' if group else 'ungrouped'}"
            print(f"{label}: {without * 1000:.0f} ms without, {with_r * 1000:.0f} ms with the "
                  f"recordation columns (+{(with_r - without) * 1000:.0f} ms)")  # fmt: skip
        only = median_time(
            lambda: stats._in_force_at_end(
                stats.By.MONTH, stats.overlapping(stats.By.MONTH, START, END), None
            )
        )
        baseline = median_time(per_period_case)
        print(f"in_force_at_end, 120 month ends: running total {only * 1000:.0f} ms, "
              f"COUNT(CASE) per period end {baseline * 1000:.0f} ms (baseline), "
              f"ratio {only / baseline:.2f}")  # fmt: skip
        if db.engine.dialect.name != "sqlite":
            db.session.rollback()
            downgrade(revision="base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=270_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPR_INSTANCE_PATH"] = tmp
        started = time.perf_counter()
        run(args.database_url or f"sqlite:///{tmp}/bench.sqlite3", args.rows, Path(tmp))
        print(f"(whole run {time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    main()
