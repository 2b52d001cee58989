"""Benchmark: the review queue's keyset pages cost the same deep and shallow.

Fills a fresh database with N submitted applications, then times the unclaimed-queue query
for page 1 and page P (keyset cursor) and, as the baseline measured in the same run, the
same pages fetched with OFFSET. Prints the ratios page P / page 1 for both.

    .venv/bin/python bench/queue_pages.py [--rows 1000000] [--page 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE_SIZE = 25


def build_app(url: str):
    from ipr_apps import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})


def fill(rows: int) -> None:
    from sqlalchemy import insert

    from ipr_apps.db import db
    from ipr_apps.models import Application, Organisation, utcnow

    org = Organisation(kind="holder", name_local="Bench holder", country="CN")
    db.session.add(org)
    db.session.commit()
    now, start = utcnow(), date(2026, 1, 1)
    batch = []
    for i in range(rows):
        batch.append({
            "reference": f"B-{i:08d}", "ipr_type": "trademark", "status": "submitted",
            "version": 1, "holder_org_id": org.id, "holder_country": "CN",
            "holder_name_local": f"Holder {i % 5000}", "duplicate_flag": False,
            "created_at": now, "updated_at": now, "first_submitted_at": now, "submitted_at": now,
            "clock_days_used": 0, "due_on": start + timedelta(days=i % 400), "imported": False,
        })  # fmt: skip
        if len(batch) == 20_000:
            db.session.execute(insert(Application), batch)
            batch.clear()
    if batch:
        db.session.execute(insert(Application), batch)
    db.session.commit()


def time_call(fn, repeat: int = 15) -> float:
    fn()  # warm the cache
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def measure(page: int) -> dict[str, float]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from ipr_apps.db import db
    from ipr_apps.models import Application, Status
    from ipr_apps.services import queue

    reviewer = type("Reviewer", (), {"id": -1})()
    filters = queue.Filters()
    sort = queue.sort_for(queue.Tab.UNCLAIMED, None)
    cursor = None
    for _ in range(page - 1):  # walk to the cursor of page `page`
        cursor = queue.page(
            queue.Tab.UNCLAIMED, reviewer, filters, sort, cursor, PAGE_SIZE
        ).next_cursor
    keyset_first = time_call(
        lambda: queue.page(queue.Tab.UNCLAIMED, reviewer, filters, sort, None, PAGE_SIZE)
    )
    keyset_deep = time_call(
        lambda: queue.page(queue.Tab.UNCLAIMED, reviewer, filters, sort, cursor, PAGE_SIZE)
    )
    # Baseline: the same rows, ordering and eager loads, paged with OFFSET instead of a cursor.
    base = select(Application).where(Application.status == Status.SUBMITTED)
    base = base.options(selectinload(Application.right), selectinload(Application.claimed_by))
    base = base.order_by(Application.due_on, Application.id).limit(PAGE_SIZE)
    offset_first = time_call(lambda: db.session.execute(base).scalars().all())
    offset_deep = time_call(
        lambda: db.session.execute(base.offset((page - 1) * PAGE_SIZE)).scalars().all()
    )
    counts = time_call(lambda: queue.counts(reviewer), repeat=5)
    return {"keyset_first": keyset_first, "keyset_deep": keyset_deep,
            "offset_first": offset_first, "offset_deep": offset_deep, "counts": counts}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPR_INSTANCE_PATH"] = tmp
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = build_app(url)
        with app.app_context():
            from flask_migrate import downgrade, upgrade

            upgrade()
            began = time.perf_counter()
            fill(args.rows)
            print(
                f"filled {args.rows:,} submitted applications in {time.perf_counter() - began:.1f}s"
            )
            result = measure(args.page)
            if not url.startswith("sqlite"):
                downgrade(revision="base")
    ms = {k: v * 1000 for k, v in result.items()}
    print(
        f"keyset page 1: {ms['keyset_first']:.2f} ms, page {args.page}: {ms['keyset_deep']:.2f} ms"
        f"  -> ratio {result['keyset_deep'] / result['keyset_first']:.2f}"
    )
    print(
        f"OFFSET page 1: {ms['offset_first']:.2f} ms, page {args.page}: {ms['offset_deep']:.2f} ms"
        f"  -> ratio {result['offset_deep'] / result['offset_first']:.2f} (baseline)"
    )
    print(f"tab counts (5 indexed COUNTs): {ms['counts']:.2f} ms")


if __name__ == "__main__":
    main()
