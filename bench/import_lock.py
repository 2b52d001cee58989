"""Benchmark: how long a recordation import holds the database's write lock at a stretch.

Generates a historical CSV of N decided applications (as bench/stats_export.py does) and
imports it with the real service, timing the whole import, the staging batches (each its own
short transaction) and the final swap (the one transaction that makes the rows visible: the
longest time an interactive write may wait). Baseline: the whole write pass, which held the
lock from its first insert to its commit before the staging table existed.

    .venv/bin/python bench/import_lock.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats_export import generate


def run(url: str, rows: int, tmp: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from ipr_apps import create_app
    from ipr_apps.db import db
    from ipr_apps.services import import_write, imports

    source = tmp / "history.csv"
    generate(source, rows)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    batches: list[float] = []
    swaps: list[float] = []
    timed_write, timed_swap = import_write.Stager.write, imports.swap

    def write(self, batch) -> None:
        began = time.perf_counter()
        timed_write(self, batch)
        batches.append(time.perf_counter() - began)

    def swap(session, run_id):
        began, cpu = time.perf_counter(), time.process_time()
        result = timed_swap(session, run_id)
        session.flush()
        swaps.extend([time.perf_counter() - began, time.process_time() - cpu])
        return result

    import_write.Stager.write, imports.swap = write, swap
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        result = imports.import_recordations(lambda: source.open(encoding="utf-8-sig", newline=""))
        took = time.perf_counter() - began
        print(f"{db.engine.dialect.name}: imported {result.imported:,} rows in {took:.1f}s")
        print(f"staging: {len(batches)} batches of {imports.BATCH_ROWS:,} rows, "
              f"{sum(batches):.1f}s in all, longest {max(batches) * 1000:.0f} ms")  # fmt: skip
        print(f"final swap (one transaction, before its commit): {swaps[0]:.2f}s "
              f"(CPU {swaps[1]:.2f}s)")  # fmt: skip
        whole = sum(batches) + swaps[0]
        print(f"lock held at a stretch: {max(max(batches), swaps[0]):.2f}s "
              f"(baseline, the old single write pass: ~{whole:.1f}s or more)")  # fmt: skip
        if db.engine.dialect.name != "sqlite":
            db.session.rollback()
            downgrade(revision="base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPR_INSTANCE_PATH"] = tmp
        run(args.database_url or f"sqlite:///{tmp}/bench.sqlite3", args.rows, Path(tmp))


if __name__ == "__main__":
    main()
