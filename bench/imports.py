"""Benchmark: `import-recordations` against a plain `executemany` of the same rows (issue 16,
target 5: ratio <= 1.3 at flat memory).

Generates a historical CSV of N decided applications, then on one database:
- the service as the CLI runs it (`imports.import_recordations` on the file, both passes,
  staging, the swap, its commit), timed whole in a child process that also reports its peak
  RSS growth and the peak Python allocation (tracemalloc, a second run at the same size);
- baseline: every row the import wrote (organisations, applications, rights, decisions,
  recordations, status and recordation events) is read back, the database rebuilt empty, and
  the same rows sent with the driver's `executemany` (batches of 5,000, one transaction;
  the applications' link to their recordation as a second `executemany` of UPDATEs, since
  the two rows point at each other). Only `executemany` and the commit count.

    .venv/bin/python bench/imports.py [--rows 10000 100000] [--repeat 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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
BATCH = 5000
# What the import writes, in an order the foreign keys accept (organisations first).
TABLES = [
    "organisations", "applications", "ip_rights", "decisions", "recordations", "status_events",
    "recordation_events",
]  # fmt: skip


def generate(path: Path, rows: int, prefix: str = "G") -> None:
    """N decided applications over ten years, 75% approved (with a recordation), 20,000
    holders; references `{prefix}{n:08d}`."""
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
                f"{prefix}{n:08d}", kind, "" if kind == "copyright" else f"R{prefix}{n:09d}",
                f"Right {n}", f"Holder {n % 20000}", COUNTRIES[n % len(COUNTRIES)],
                submitted.isoformat(), decided.isoformat(),
                "approved" if approved else "rejected",
                f"OLD-{prefix}{n:09d}" if approved else "",
                (decided + timedelta(days=3650)).isoformat() if approved else "",
            ])  # fmt: skip


def build_app(url: str):
    from ipr_apps import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})


def rebuild(url: str) -> None:
    """An empty, migrated database at `url` (SQLite: a new file; PostgreSQL: down and up)."""
    from flask_migrate import downgrade, upgrade

    from ipr_apps.db import db

    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    with build_app(url).app_context():
        if not url.startswith("sqlite"):
            downgrade(revision="base")
        upgrade()
        db.session.remove()
        db.engine.dispose()


def child_import(url: str, source: Path, trace: bool) -> dict:
    """Run in a child process: the service on `source`; seconds, RSS growth, Python peak."""
    import tracemalloc

    from ipr_apps.services.imports import import_recordations

    app = build_app(url)
    with app.app_context():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        began = time.perf_counter()
        result = import_recordations(lambda: source.open(encoding="utf-8-sig", newline=""))
        seconds = time.perf_counter() - began
        python_peak = tracemalloc.get_traced_memory()[1] if trace else None
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds, "imported": result.imported,
        "rss_growth_kib": rss_after - rss_before, "rss_peak_kib": rss_after,
        "python_peak_bytes": python_peak,
    }  # fmt: skip


def run_child(url: str, source: Path, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", url, str(source)] + (["--trace"] * trace)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"import failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def dump_rows(url: str, target: Path) -> dict[str, list[str]]:
    """Every row the import wrote, as the driver returns it, pickled in batches to `target`;
    returns each table's columns."""
    from ipr_apps.db import db

    columns: dict[str, list[str]] = {}
    with build_app(url).app_context(), target.open("wb") as out:
        tables = db.metadata.tables
        with db.engine.connect() as connection:
            for name in TABLES:
                columns[name] = [c.name for c in tables[name].columns]
                key = ", ".join(c.name for c in tables[name].primary_key)
                # Table and column names come from the models, not from input.
                sql = f"SELECT {', '.join(columns[name])} FROM {name} ORDER BY {key}"  # noqa: S608
                result = connection.exec_driver_sql(sql)
                while batch := result.fetchmany(BATCH):
                    pickle.dump((name, [tuple(row) for row in batch]), out)
        db.engine.dispose()
    return columns


def baseline(url: str, source: Path, columns: dict[str, list[str]]) -> float:
    """Seconds in `executemany` and the commit for the dumped rows, on an empty database."""
    from ipr_apps.db import db

    with build_app(url).app_context(), db.engine.connect() as connection:
        mark = "?" if connection.dialect.name == "sqlite" else "%s"
        link = columns["applications"].index("recordation_id")
        links: list[tuple] = []
        spent = 0.0
        with source.open("rb") as stream:
            while True:
                try:
                    name, rows = pickle.load(stream)  # noqa: S301 (our own dump)
                except EOFError:
                    break
                if name == "applications":  # the link to the recordation comes after it
                    links += [(row[link], row[0]) for row in rows if row[link] is not None]
                    rows = [(*row[:link], None, *row[link + 1 :]) for row in rows]
                names = columns[name]
                marks = ", ".join([mark] * len(names))
                sql = f"INSERT INTO {name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
                spent += _timed(lambda s=sql, r=rows: connection.exec_driver_sql(s, r))
        update = f"UPDATE applications SET recordation_id = {mark} WHERE id = {mark}"  # noqa: S608
        for start in range(0, len(links), BATCH):
            chunk = links[start : start + BATCH]
            spent += _timed(lambda c=chunk: connection.exec_driver_sql(update, c))
        spent += _timed(connection.commit)
        db.engine.dispose()
    return spent


def _timed(step) -> float:
    began = time.perf_counter()
    step()
    return time.perf_counter() - began


def measure(database_url: str, rows: int, memory: bool = True, repeat: int = 1) -> dict:
    """Import `rows` generated rows into `database_url` (rebuilt empty first: its data is
    lost), then the baseline, `repeat` times interleaved (medians; the ratio is the median
    of each pair's ratio); `memory` adds a traced import for the Python peak."""
    pairs: list[tuple[dict, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        source, dump = Path(tmp) / "history.csv", Path(tmp) / "rows.pickle"
        generate(source, rows)
        for _ in range(repeat):
            rebuild(database_url)
            imported = run_child(database_url, source)
            columns = dump_rows(database_url, dump)
            rebuild(database_url)
            pairs.append((imported, baseline(database_url, dump, columns)))
        traced = None
        if memory:
            rebuild(database_url)
            traced = run_child(database_url, source, trace=True)
    imported = pairs[0][0]
    return {
        "database": "sqlite" if database_url.startswith("sqlite") else "postgresql",
        "rows": rows, "imported": imported["imported"], "repeat": repeat,
        "import_s": statistics.median(i["seconds"] for i, _ in pairs),
        "executemany_s": statistics.median(b for _, b in pairs),
        "ratio": statistics.median(i["seconds"] / b for i, b in pairs),
        "rss_growth_mib": max(i["rss_growth_kib"] for i, _ in pairs) / 1024,
        "rss_peak_mib": max(i["rss_peak_kib"] for i, _ in pairs) / 1024,
        "python_peak_mib": traced["python_peak_bytes"] / 1_048_576 if traced else None,
    }  # fmt: skip


def report(result: dict) -> None:
    print(f"{result['database']}: {result['rows']:,} rows, imported {result['imported']:,} "
          f"(medians of {result['repeat']} interleaved runs)")  # fmt: skip
    print(f"  import-recordations service: {result['import_s']:.1f}s")
    print(f"  plain executemany of the same rows: {result['executemany_s']:.1f}s (baseline)")
    print(f"  ratio import / executemany: {result['ratio']:.2f} (target <= 1.3)")
    python = result["python_peak_mib"]
    traced = f"; Python peak {python:.1f} MiB (tracemalloc)" if python is not None else ""
    print(f"  memory: RSS grew {result['rss_growth_mib']:.1f} MiB during the import (peak "
          f"{result['rss_peak_mib']:.0f} MiB){traced}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--no-memory", action="store_true", help="skip the traced import")
    parser.add_argument("--repeat", type=int, default=1, help="import/baseline pairs (medians)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_import(args.child[0], Path(args.child[1]), args.trace)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("IPR_INSTANCE_PATH", tmp)
        url = args.database_url or f"sqlite:///{tmp}/imports.sqlite3"
        for rows in args.rows:
            report(measure(url, rows, memory=not args.no_memory, repeat=args.repeat))


if __name__ == "__main__":
    main()
