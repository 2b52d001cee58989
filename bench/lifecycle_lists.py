"""Benchmark: the lifecycle, border-side and screening list pages cost the same at 10× the rows.

Fills two fresh databases, N and `--scale`·N recordations (each with its approved application
and an event), N/2 detention cases over 20 ports, N/10 detention requests (2% waiting) and a
screening run of N/10 hits, analyses them, then requests every page (test client, signed in)
on both, interleaved round after round, and prints each page's median at both sizes, the ratio
(target ≤ 1.2) and the statements per request; `--explain` prints each statement's plan
(SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN) at the larger size.

    .venv/bin/python bench/lifecycle_lists.py [--rows 10000] [--scale 10] [--explain]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/<empty db>]  # + <db>_large

`prepare(url, size)`, `pages(people)` and `measure(states, repeat)` are importable for
bench/run.py.
"""

from __future__ import annotations

import argparse
import contextvars
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PORTS = [f"{5100 + i}" for i in range(20)]
BATCH = 10_000


def build_app(url: str):
    from ipr_apps import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "DEFAULT_LOCALE": "en",
              "WORKDAY_CALENDAR": "none"}  # fmt: skip
    return create_app(config)


def accounts() -> dict:
    """A holder (owning every 1,000th recordation's organisation), an agent mandated by it,
    an admin, a reviewer, an officer of the first port."""
    from ipr_apps.db import db
    from ipr_apps.models import AgentMandate, CustomsDistrict, OrgKind, Role
    from ipr_apps.services import users
    from ipr_apps.services.users import OrganisationDetails

    for code in PORTS:
        db.session.add(CustomsDistrict(code=code, name_local=f"{code} 关", name_en=f"Port {code}"))
    db.session.commit()

    def org(kind, name):
        details = OrganisationDetails(
            kind=kind, name_local=name, name_en=name, country="CN", registration_number="R",
            address="A", legal_representative="L", contact_person="C", email="e@example.com",
            phone="1",
        )  # fmt: skip
        return users.register_holder(
            f"{name.lower()}@example.com", "pw-bench-123456", name, details
        )

    holder, agent = org(OrgKind.HOLDER, "Holder"), org(OrgKind.AGENCY, "Agent")
    db.session.add(AgentMandate(agency_id=agent.organisation_id, holder_id=holder.organisation_id))
    db.session.commit()
    pw = "pw-bench-123456"
    return {
        "holder": holder, "agent": agent,
        "admin": users.create_user("admin@example.com", pw, Role.ADMIN, "Admin"),
        "reviewer": users.create_user("rev@example.com", pw, Role.REVIEWER, "Reviewer"),
        "officer": users.create_user("off@example.com", pw, Role.OFFICER, "Officer",
                                     district_code=PORTS[0]),
    }  # fmt: skip


def fill(n: int, offset: int, people: dict) -> None:
    """Recordations offset..offset+n-1 and their cases, requests and hits (core inserts)."""
    from sqlalchemy import insert, update

    from ipr_apps.db import db
    from ipr_apps.models import Application, Recordation

    orgs = _organisations(n, offset, people)
    for start in range(offset, offset + n, BATCH):
        ids = range(start, min(start + BATCH, offset + n))
        db.session.execute(insert(Application), [_application(i, orgs) for i in ids])
        db.session.execute(insert(Recordation), [_recordation(i, orgs, people) for i in ids])
        db.session.execute(  # the application belongs to its recordation, as approval does
            update(Application)
            .where(Application.id.between(ids[0] + 1, ids[-1] + 1))
            .values(recordation_id=Application.id)
        )
        _children(ids, people)
    db.session.commit()


def _organisations(n: int, offset: int, people: dict) -> dict[int, int]:
    """One holder organisation per 1,000 recordations; the bench holder's is the first."""
    from sqlalchemy import insert, select

    from ipr_apps.db import db
    from ipr_apps.models import Organisation

    rows = [{"kind": "holder", "name_local": f"Company {k:05d}", "name_en": f"Company {k:05d} Ltd",
             "country": "CN"} for k in range(offset // 1000, (offset + n) // 1000 + 1)]  # fmt: skip
    db.session.execute(insert(Organisation), rows)
    stmt = select(Organisation.id, Organisation.name_local).where(
        Organisation.name_local.startswith("Company ")
    )
    found = {int(name.split()[1]): oid for oid, name in db.session.execute(stmt)}
    found[0] = people["holder"].organisation_id
    return found


def _application(i: int, orgs: dict) -> dict:
    from ipr_apps.models import utcnow

    now = utcnow()
    return {
        "id": i + 1, "reference": f"A-{i:08d}", "ipr_type": ("trademark", "copyright",
        "patent_invention")[i % 3], "status": "approved", "version": 1,
        "holder_org_id": orgs[i // 1000], "holder_country": "CN",
        "holder_name_local": f"Company {i // 1000:05d}", "duplicate_flag": False,
        "created_at": now, "updated_at": now, "first_submitted_at": now, "submitted_at": now,
        "decided_at": now, "clock_days_used": 0, "imported": False, "kind": "new",
    }  # fmt: skip


def _recordation(i: int, orgs: dict, people: dict) -> dict:
    from ipr_apps.models.recordations import search_key

    status = ("active",) * 7 + ("expired", "lapsed", "cancelled")
    start = date(2016, 1, 1) + timedelta(days=i % 3650)
    row = {
        "id": i + 1, "number": f"T{start.year}-{i:07d}", "application_id": i + 1,
        "facts_application_id": i + 1, "prefix": "T", "year": start.year, "sequence": i,
        "valid_from": start, "valid_until": start + timedelta(days=3652),
        "status": status[i % 10], "ended_on": None if i % 10 < 7 else start + timedelta(days=900),
        "imported": False, "ipr_type": ("trademark", "copyright", "patent_invention")[i % 3],
        "holder_org_id": orgs[i // 1000],
        "agency_id": people["agent"].organisation_id if i % 1000 == 1 else None,
        "holder_name": f"Company {i // 1000:05d}", "holder_country": "CN",
        "right_number": f"RN{i:08d}", "right_title": f"MARK {i % 50000:05d}",
        "created_at": start, "updated_at": start,
    }  # fmt: skip
    for key, source in (
        ("number_key", "number"),
        ("right_number_key", "right_number"),
        ("right_title_key", "right_title"),
        ("holder_name_key", "holder_name"),
    ):
        row[key] = search_key(row[source])  # fmt: skip
    return row


def _children(ids: range, people: dict) -> None:
    from sqlalchemy import insert

    from ipr_apps.db import db
    from ipr_apps.models import DetentionCase, DetentionRequest, RecordationEvent, ScreeningHit

    events = [{"recordation_id": i + 1, "action": "create", "to_status": "active",
               "valid_until": date(2030, 1, 1), "application_id": i + 1} for i in ids]  # fmt: skip
    db.session.execute(insert(RecordationEvent), events)
    db.session.execute(insert(DetentionCase), [_case(i) for i in ids if i % 2 == 0])
    db.session.execute(insert(DetentionRequest), [_request(i, people) for i in ids if i % 10 == 0])
    hits = [_hit(i, people["run_id"]) for i in ids if i % 10 == 5]
    if hits:
        db.session.execute(insert(ScreeningHit), hits)


def _case(i: int) -> dict:
    status = ("closed", "closed", "closed", "released", "detained", "awaiting_holder")[i % 6]
    opened = date(2016, 1, 1) + timedelta(days=(i * 7) % 3650)
    return {
        "case_number": f"D{opened.year}-{PORTS[i % 20]}-{i:07d}", "opened_on": opened,
        "port_code": PORTS[i % 20], "channel": "express", "direction": "import",
        "mode": "ex_officio", "ipr_type": "trademark", "status": status,
        "recordation_id": i + 1, "recordation_number": f"T{2016 + (i % 3650) // 365}-{i:07d}",
        "holder_org_id": None, "goods": "Goods", "items": 10, "value_cny": 100,
        "confirm_by": opened + timedelta(days=5), "outcome": "confiscated" if status == "closed"
        else None, "outcome_on": opened if status == "closed" else None, "imported": True,
        "on_general_guarantee": False, "version": 1,
    }  # fmt: skip


def _request(i: int, people: dict) -> dict:
    return {
        "reference": f"R-{i:08d}", "recordation_id": i + 1,
        "holder_org_id": people["holder"].organisation_id, "filed_by_id": people["holder"].id,
        # Few wait for a decision (2%): the rest were decided or withdrawn.
        "status": "submitted" if (i // 10) % 50 == 0 else ("accepted", "refused", "withdrawn")[
            (i // 10) % 3
        ],
        "port_code": PORTS[(i // 10) % 20], "channel": "express", "direction": "import",
        "ipr_type": "trademark", "goods": "Goods",
    }  # fmt: skip


def _hit(i: int, run_id: int) -> dict:
    return {
        "run_id": run_id, "position": i, "recordation_id": i + 1,
        "recordation_number": f"N{i}", "score": 50 + i % 50, "rules": ["mark"],
        "reasons": ["The mark"], "declaration_number": f"DEC{i:08d}", "line_number": 1,
    }  # fmt: skip


def _set_holder_org(people: dict) -> None:
    """Cases of the bench holder's recordations name it (as opening a case does)."""
    from sqlalchemy import select, update

    from ipr_apps.db import db
    from ipr_apps.models import DetentionCase, Recordation

    holder = select(Recordation.holder_org_id).where(Recordation.id == DetentionCase.recordation_id)
    db.session.execute(
        update(DetentionCase)
        .where(DetentionCase.holder_org_id.is_(None))
        .values(holder_org_id=holder.scalar_subquery())
    )
    db.session.commit()


def pages(people: dict) -> list[tuple[str, str, str]]:
    """(name, role, url) of every list page measured."""
    run = people["run_id"]
    return [
        ("recordations (admin)", "admin", "/recordations/"),
        ("recordations expiring (reviewer)", "reviewer", "/recordations/?expiring=6"),
        ("recordations search (admin)", "admin", "/recordations/?q=Company%2000003"),
        ("recordations (holder)", "holder", "/recordations/"),
        ("recordations (agent)", "agent", "/recordations/"),
        ("recordation page (agent)", "agent", "/recordations/1"),
        ("register search", None, "/register/?q=mark%20012"),
        ("cases (admin)", "admin", "/cases/"),
        ("cases (officer)", "officer", "/cases/"),
        ("cases overdue (officer)", "officer", "/cases/?overdue=1"),
        ("cases search (admin)", "admin", "/cases/?q=D2019-5105"),
        ("cases (holder)", "holder", "/cases/"),
        ("case finder hs (officer)", "officer", "/cases/find?hs=8513"),
        ("case finder text (officer)", "officer", "/cases/find?q=company%2000003"),
        ("requests (officer)", "officer", "/detention-requests/"),
        ("requests (holder)", "holder", "/detention-requests/"),
        ("requests (admin)", "admin", "/detention-requests/"),
        ("screening run (officer)", "officer", f"/screening/runs/{run}"),
        ("holders' hits (holder)", "holder", "/screening/hits"),
        ("guarantees (admin)", "admin", "/admin/guarantees?q=Company%200000"),
    ]


def _clients(app, people: dict) -> dict:
    from ipr_apps.auth.signin import SESSION_KEY
    from ipr_apps.services import sessions

    clients = {None: app.test_client()}
    for role in ("holder", "agent", "admin", "reviewer", "officer"):
        client = app.test_client()
        _, raw = sessions.start(people[role], "127.0.0.1", "bench")
        with client.session_transaction() as session:
            session["_user_id"] = str(people[role].id)
            session["_fresh"] = True
            session[SESSION_KEY] = raw
        clients[role] = client
    from ipr_apps.db import db

    db.session.commit()
    return clients


def _get(client, url: str):
    """A request in its own context, as a server runs it (not in the bench's app context,
    whose `g` would keep the previous request's user)."""
    from ipr_apps.db import db

    db.session.commit()
    return contextvars.Context().run(client.get, url)


def measure(states: list, repeat: int) -> list[dict[str, tuple[float, int]]]:
    """Median ms and statements of each page on each database, interleaved: each round asks
    every page of the small database and then of the large one, so a change in the machine's
    load falls on both sizes alike."""
    from ipr_apps.db import db
    from tests.sql_count import statements

    names = [name for name, _, _ in pages(states[0][1])]
    times = [{name: [] for name in names} for _ in states]
    counts: list[dict[str, int]] = [{} for _ in states]
    for round_ in range(repeat + 2):
        for name, role, url in pages(states[0][1]):
            for n, (app, _people, clients) in enumerate(states):
                with app.app_context(), statements(db.engine) as sent:
                    started = time.perf_counter()
                    response = _get(clients[role], url)
                    elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (url, response.status_code)
                if round_ >= 2:  # two rounds warm the processes' caches and the databases'
                    times[n][name].append(elapsed)
                counts[n][name] = len(sent)
    return [
        {name: (statistics.median(times[n][name]), counts[n][name]) for name in names}
        for n in range(len(states))
    ]


def explain(app, people: dict) -> None:
    """Every statement of every page, with its plan."""
    from sqlalchemy import event

    from ipr_apps.db import db

    clients = _clients(app, people)
    for name, role, url in pages(people):
        seen: list = []
        record = _recorder(seen)
        event.listen(db.engine, "before_cursor_execute", record)
        _get(clients[role], url)
        event.remove(db.engine, "before_cursor_execute", record)
        print(f"\n## {name}: {url}")
        for statement, parameters in seen:
            _plan(statement, parameters)


def _recorder(seen: list):
    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    return record


def _plan(statement: str, parameters) -> None:
    from ipr_apps.db import db

    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
    first = " ".join(statement.split())[:150]
    print(f"  {first}")
    for row in rows:
        print(f"      {row[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--database-url", help="PostgreSQL: the large size uses <db>_large")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            urls = [args.database_url, _sibling(args.database_url)]
        else:
            urls = [f"sqlite:///{tmp}/small.sqlite3", f"sqlite:///{tmp}/large.sqlite3"]
        run(urls, args)


def _sibling(url: str) -> str:
    """A fresh PostgreSQL database beside `url` for the large size."""
    from tests.live import recreate_pg_database, sqlalchemy_pg_url

    base = sqlalchemy_pg_url(url)
    large = base.set(database=f"{base.database}_large")
    recreate_pg_database(large)
    return large.render_as_string(hide_password=False)


def prepare(url: str, size: int) -> tuple:
    """A migrated database of `size` recordations (and the rest), analysed; its app, the
    accounts and their signed-in clients."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from ipr_apps.db import db
    from ipr_apps.models import ScreeningRun, utcnow

    app = build_app(url)
    with app.app_context():
        upgrade()
        people = accounts()
        screening_run = ScreeningRun(created_by_id=people["officer"].id, source="upload",
                                     threshold=50, finished_at=utcnow())  # fmt: skip
        db.session.add(screening_run)
        db.session.commit()
        people["run_id"] = screening_run.id
        started = time.perf_counter()
        fill(size, 0, people)
        _set_holder_org(people)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"{db.engine.dialect.name}: {size:,} recordations "
              f"({time.perf_counter() - started:.1f}s to fill)", flush=True)  # fmt: skip
        clients = _clients(app, people)
    return app, people, clients


def run(urls: list[str], args) -> None:
    sizes = [args.rows, args.rows * args.scale]
    states = [prepare(url, size) for url, size in zip(urls, sizes, strict=True)]
    _report(measure(states, args.repeat), sizes)
    if args.explain:
        app, people, _ = states[-1]
        with app.app_context():
            explain(app, people)


def _report(results, sizes) -> None:
    small, large = results
    print(f"\n{'page':36} {sizes[0]:>9,} {sizes[1]:>9,}  ratio  SQL")
    for name in small:
        (a, n), (b, m) = small[name], large[name]
        print(f"{name:36} {a:7.1f}ms {b:7.1f}ms  {b / a:5.2f}  {n}/{m}")


if __name__ == "__main__":
    main()
