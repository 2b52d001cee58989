"""Benchmark: the front office's lists at size, as requests (view, SQL and template).

Fills a fresh database with N applications in every state (with their rights), spread over a
few thousand holders, then times whole requests through the test client: the reviewers'
queue page 1 and a deep page, a search by holder name, the tab counts alone, a holder's
"my applications" and the API list, and counts the SQL statements each request sends.
Baseline, measured in the same run: the static favicon through the same app.

    .venv/bin/python bench/front_lists.py [--rows 100000] [--database-url URL] [--no-analyze]

Importable: `fill(rows)` and `measure()` (bench/run.py may call them).
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

HOLDERS = 5000
# (status, share of the rows): mostly decided, a realistic backlog.
STATES = [("approved", 70), ("rejected", 10), ("draft", 4), ("withdrawn", 3),
          ("submitted", 6), ("under_review", 4), ("info_requested", 3)]  # fmt: skip
CYCLE = [state for state, share in STATES for _ in range(share)]
SEARCH = "Holder 4321"
TYPES = ("trademark", "patent_invention", "copyright")


def build_app(url: str):
    from ipr_apps import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})  # fmt: skip


def _row(i: int, org_ids: list[int], reviewer_id: int, now) -> dict:
    status = CYCLE[i % len(CYCLE)]
    n = i % HOLDERS
    day = now - timedelta(minutes=i)
    row = {
        "reference": f"B-{i:08d}", "ipr_type": TYPES[i % 3],
        "status": status, "version": 1, "kind": "new", "holder_org_id": org_ids[n],
        "holder_country": ("CN", "US", "DE", "JP")[n % 4], "duplicate_flag": i % 50 == 0,
        "holder_name_local": f"持有人{n}有限公司", "holder_name_en": f"Holder {n} Ltd.",
        "created_at": day, "updated_at": day, "clock_days_used": 0, "imported": False,
        "first_submitted_at": None, "submitted_at": None, "due_on": None, "decided_at": None,
        "claimed_by_id": None, "claimed_at": None,
    }  # fmt: skip
    if status not in ("draft", "withdrawn"):
        row["first_submitted_at"] = row["submitted_at"] = day
        row["due_on"] = date(2026, 1, 1) + timedelta(days=i % 400)
    if status == "under_review":
        row["claimed_by_id"], row["claimed_at"] = reviewer_id, day
    if status in ("approved", "rejected"):
        row["decided_at"] = day
    return row


def fill(rows: int) -> dict:
    """N applications with rights; returns the accounts the measurements sign in as."""
    from sqlalchemy import insert, select

    from ipr_apps.db import db
    from ipr_apps.models import Application, IpRight, Organisation, Role, utcnow
    from ipr_apps.services import tokens, users
    from tests.factories import make_user

    reviewer = make_user(Role.REVIEWER)
    holder = make_user(Role.HOLDER)
    orgs = [{"kind": "holder", "name_local": f"持有人{n}有限公司", "name_en": f"Holder {n} Ltd.",
             "country": "CN"} for n in range(1, HOLDERS)]  # fmt: skip
    db.session.execute(insert(Organisation), orgs)
    org_ids = [holder.organisation_id, *db.session.scalars(
        select(Organisation.id).where(Organisation.id != holder.organisation_id)
        .order_by(Organisation.id).limit(HOLDERS - 1))]  # fmt: skip
    now = utcnow()
    for start in range(0, rows, 20_000):
        end = min(rows, start + 20_000)
        batch = [_row(i, org_ids, reviewer.id, now) for i in range(start, end)]
        db.session.execute(insert(Application), batch)
    ids = db.session.execute(select(Application.id, Application.reference)).all()
    rights = [{"application_id": i, "registration_number": f"R{ref[2:]}", "title": f"Mark {ref}"}
              for i, ref in ids]  # fmt: skip
    for start in range(0, len(rights), 20_000):
        db.session.execute(insert(IpRight), rights[start : start + 20_000])
    db.session.commit()
    admin = users.create_user("bench-admin@example.com", "correct-horse-battery", Role.ADMIN, "A")
    _, raw = tokens.create_token(reviewer)
    _, holder_raw = tokens.create_token(holder)
    return {"reviewer": reviewer.id, "holder": holder.id, "admin": admin.id,
            "reviewer_token": raw, "holder_token": holder_raw}  # fmt: skip


def analyze() -> None:
    """Planner statistics, as the generator leaves them (services/planner_stats.analyze)."""
    from ipr_apps.db import db

    try:
        from ipr_apps.services.planner_stats import analyze as run
    except ImportError:  # a checkout from before it existed: measure without statistics
        return
    run(db.session)


def _client(app, user_id: int):
    from ipr_apps.auth.signin import SESSION_KEY
    from ipr_apps.db import db
    from ipr_apps.models import User
    from ipr_apps.services import sessions

    client = app.test_client()
    _, raw = sessions.start(db.session.get(User, user_id), "127.0.0.1", "bench")
    with client.session_transaction() as session:
        session.update({"_user_id": str(user_id), "_fresh": True, SESSION_KEY: raw})
    return client


def _deep_cursor(me, pages: int) -> str | None:
    """The cursor of page `pages` of the unclaimed tab, walked through the queue service."""
    from ipr_apps.services import queue

    sort, cursor = queue.sort_for(queue.Tab.UNCLAIMED, None), None
    for _ in range(pages - 1):
        cursor = queue.page(queue.Tab.UNCLAIMED, me, queue.Filters(), sort, cursor, 25).next_cursor
    return cursor


def time_request(client, url: str, headers=None, repeat: int = 15) -> tuple[float, int]:
    """Median seconds of GET url, and the SQL statements one request sends. Called outside
    any app context: each request must get its own (`g`, the signed-in user)."""
    from ipr_apps.db import db
    from tests.sql_count import statements

    with client.application.app_context():
        engine = db.engine
    with statements(engine) as sent:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(url, headers=headers or {})
        samples.append(time.perf_counter() - began)
    return statistics.median(samples), len(sent)


def measure(app, accounts: dict, deep_page: int = 200) -> dict[str, tuple[float, int]]:
    from ipr_apps.db import db
    from ipr_apps.models import User
    from ipr_apps.services import queue

    with app.app_context():
        reviewer = _client(app, accounts["reviewer"])
        holder = _client(app, accounts["holder"])
        admin = _client(app, accounts["admin"])
        me = db.session.get(User, accounts["reviewer"])
        cursor = _deep_cursor(me, deep_page)
        tab_counts = getattr(queue, "tab_counts", queue.counts)
        began = time.perf_counter()
        for _ in range(10):
            tab_counts(me)
        counts = ((time.perf_counter() - began) / 10, 1)
    bearer = {"Authorization": f"Bearer {accounts['reviewer_token']}"}
    holder_bearer = {"Authorization": f"Bearer {accounts['holder_token']}"}
    return {
        "static favicon (baseline)": time_request(reviewer, "/static/favicon.svg"),
        "/review/ page 1": time_request(reviewer, "/review/"),
        f"/review/ page {deep_page}": time_request(reviewer, f"/review/?cursor={cursor}"),
        f"/review/?q={SEARCH}": time_request(reviewer, f"/review/?q={SEARCH}"),
        f"/review/?tab=decided&q={SEARCH}": time_request(
            reviewer, f"/review/?tab=decided&q={SEARCH}"
        ),
        "tab counts alone": counts,
        "/applications/ (holder)": time_request(holder, "/applications/"),
        "/admin/": time_request(admin, "/admin/"),
        "/api/v1/applications (reviewer)": time_request(reviewer, "/api/v1/applications", bearer),
        "/api/v1/applications (holder)": time_request(
            holder, "/api/v1/applications", holder_bearer
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--no-analyze", action="store_true", help="skip planner statistics")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IPR_INSTANCE_PATH"] = tmp
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = build_app(url)
        with app.app_context():
            from flask_migrate import downgrade, upgrade

            upgrade()
            began = time.perf_counter()
            accounts = fill(args.rows)
            if not args.no_analyze:
                analyze()
            print(f"filled {args.rows:,} applications in {time.perf_counter() - began:.1f}s")
        result = measure(app, accounts)
        if not url.startswith("sqlite"):
            with app.app_context():
                downgrade(revision="base")
    static = result["static favicon (baseline)"][0]
    for name, (seconds, sent) in result.items():
        ratio = seconds / static
        print(f"{name:40s} {seconds * 1000:8.2f} ms  {sent:3d} SQL  ÷ static {ratio:6.1f}")


if __name__ == "__main__":
    main()
