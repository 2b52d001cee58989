"""Benchmark: `import-cases` against a plain `executemany` of the same rows (issue 13).

Generates a CSV of N detention cases, then, each into a freshly migrated database:
- baseline: the file read with the csv module, each row typed (date, int, Decimal) and sent
  with the driver's `executemany` in batches into `detention_cases`, one transaction; only
  the time inside `executemany` and the commit is counted (reading and typing are free);
- the real service `case_imports.import_cases` on the same file (everything counted: reading,
  checking every rule, staging, the INSERT ... SELECT that links recordations, its commit).
Prints both times and the ratio (target <= 2).

    .venv/bin/python bench/import_cases.py [--rows 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = [
    "case_number", "opened_on", "port_code", "channel", "direction", "mode", "ipr_type",
    "recordation_number", "goods", "hs_code", "items", "value_cny", "outcome",
]  # fmt: skip
CHANNELS = ["freight", "post", "express", "cross_border_ecommerce", "passenger", "other"]
TYPES = ["trademark", "trademark", "trademark", "copyright", "patent"]
OUTCOMES = ["confiscated", "released", "transferred_to_police", "court_order", ""]
PORTS = ["5301", "5316", "2200", "0100", "4200", "7901", "2233", "5100"]
START = date(2015, 1, 1)
BATCH = 5000
COLUMNS = [
    *HEADER[:-1], "outcome", "status", "outcome_on", "on_general_guarantee", "imported",
    "created_at", "updated_at",
]  # fmt: skip
# Column names are the constants above, not input.
INSERT = f"INSERT INTO detention_cases ({', '.join(COLUMNS)}) VALUES ({{marks}})"  # noqa: S608


def generate(path: Path, rows: int) -> None:
    rng = random.Random(13)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            opened = START + timedelta(days=rng.randrange(3650))
            writer.writerow([
                f"H{opened.year}-{n:08d}", opened.isoformat(), PORTS[n % len(PORTS)],
                CHANNELS[n % 6], "import" if n % 4 else "export",
                "ex_officio" if n % 10 else "on_application", TYPES[n % 5],
                f"OLD-{n % 50000:09d}" if n % 3 else "", f"Goods of case {n}",
                "6404.11" if n % 2 else "", rng.randrange(0, 20000),
                f"{rng.randrange(0, 10_000_000)}.{rng.randrange(100):02d}", OUTCOMES[n % 5],
            ])  # fmt: skip


def typed(cells: list[str], now, sqlite: bool) -> tuple:
    """The row as the driver takes it (SQLite: what SQLAlchemy binds, text dates and floats)."""
    outcome = cells[12] or None
    opened = cells[1] if sqlite else date.fromisoformat(cells[1])
    value = float(cells[11]) if sqlite else Decimal(cells[11])
    return (
        cells[0], opened, *cells[2:7], cells[7] or None, cells[8], cells[9] or None,
        int(cells[10]), value, outcome, "closed" if outcome else "detained",
        opened if outcome else None, False, True, now, now,
    )  # fmt: skip


def baseline(source: Path) -> float:
    """Seconds spent in executemany and the commit (reading and typing not counted)."""
    from ipr_apps.db import db
    from ipr_apps.models import utcnow

    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        now = str(utcnow()) if sqlite else utcnow()
        mark = "?" if sqlite else "%s"
        sql = INSERT.format(marks=", ".join([mark] * len(COLUMNS)))
        spent = 0.0
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            batch: list[tuple] = []
            for cells in reader:
                batch.append(typed(cells, now, sqlite))
                if len(batch) == BATCH:
                    spent += _timed(lambda b=batch: connection.exec_driver_sql(sql, b))
                    batch = []
            if batch:
                spent += _timed(lambda: connection.exec_driver_sql(sql, batch))
        return spent + _timed(connection.commit)


def _timed(step) -> float:
    began = time.perf_counter()
    step()
    return time.perf_counter() - began


def service(source: Path) -> tuple[float, int]:
    from ipr_apps.services.case_imports import import_cases

    began = time.perf_counter()
    result = import_cases(lambda: source.open(encoding="utf-8-sig", newline=""))
    return time.perf_counter() - began, result.imported


def fresh(url: str):
    """An app on an empty, migrated database (SQLite: a new file; PostgreSQL: rebuilt)."""
    from flask_migrate import downgrade, upgrade

    from ipr_apps import create_app
    from ipr_apps.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        if not url.startswith("sqlite"):
            downgrade(revision="base")
        upgrade()
        db.session.remove()
    return app


def measure(database_url: str, rows: int) -> dict:
    """The baseline, then the service, each on `database_url` rebuilt empty (for
    bench/run.py; its data is lost). SQLite: the file is removed first."""
    with tempfile.TemporaryDirectory() as tmp:
        if database_url.startswith("sqlite:///"):
            Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return run(lambda _name: database_url, rows, Path(tmp))


def run(url_for, rows: int, tmp: Path) -> dict:
    from ipr_apps.db import db

    source = tmp / "cases.csv"
    generate(source, rows)
    with fresh(url_for("baseline")).app_context():
        dialect = db.engine.dialect.name
        t_base = baseline(source)
        db.engine.dispose()
    if url_for("baseline") == url_for("service") and url_for("service").startswith("sqlite:///"):
        Path(url_for("service").removeprefix("sqlite:///")).unlink()
    with fresh(url_for("service")).app_context():
        t_import, imported = service(source)
        t_again, _ = service(source)
        db.engine.dispose()
    return {
        "database": dialect, "rows": rows, "imported": imported, "import_s": t_import,
        "reimport_s": t_again, "executemany_s": t_base, "ratio": t_import / t_base,
    }  # fmt: skip


def report(result: dict) -> None:
    print(f"{result['database']}: {result['rows']:,} generated cases")
    print(f"import-cases service: {result['import_s']:.1f}s for {result['imported']:,} cases "
          f"(re-import of the same file, all skipped: {result['reimport_s']:.1f}s)")  # fmt: skip
    print(f"plain executemany of the same rows: {result['executemany_s']:.1f}s (baseline)")
    print(f"ratio import / executemany: {result['ratio']:.2f} (target <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPR_INSTANCE_PATH"] = tmp

        def url_for(name: str) -> str:
            return args.database_url or f"sqlite:///{tmp}/{name}.sqlite3"

        report(run(url_for, args.rows, Path(tmp)))


if __name__ == "__main__":
    main()
