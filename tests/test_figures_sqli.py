"""Figure: SQL-injection payloads in every query parameter, search, sort and filter.

Each payload of tests/data/sqli_payloads.txt goes into each search box and sort key (a fixed
sample of them into every other parameter) of every listing, statistics page, export and API
filter, and into the login e-mail, as the user who may use it. No answer is a server error or
shows a database error, and a listing never shows a row its user cannot see with honest
parameters (a search matches nothing: no stored value contains these payloads). Runs on
SQLite and, with IPR_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from ipr_apps.models import Role, Status
from tests import factories
from tests.api_helpers import token_for

MIN_PROBES = 299  # the figure; every payload × every parameter is many more
PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "sqli_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]
# Free text that reaches a query (searches, sort keys) gets every payload; enum-like and
# encoded parameters (filters, cursors, dates) a fixed sample, to keep the run short.
FULL = {"q", "sort"}
SAMPLE = PAYLOADS[::5]
SQL_ERRORS = re.compile(
    r"sqlite3?\.|psycopg|OperationalError|ProgrammingError|DataError|SQLSTATE|syntax error"
    r"|unrecognized token|unterminated quoted|near \"|Traceback",
    re.I,
)
REFERENCE = re.compile(r'data-reference="([^"]+)"')
EMAIL = re.compile(r'data-email="([^"]+)"')
STATS = ["by", "from", "to", "group_by"]
# (actor, path, parameters, how rows are read, the search parameters)
TARGETS = [
    ("holder", "/applications/", ["status", "q", "scope", "sort", "cursor"], "refs", {"q"}),
    (
        "reviewer",
        "/review/",
        ["tab", "q", "sort", "cursor", "ipr_type", "country", "overdue", "flagged"],
        "refs",
        {"q"},
    ),
    ("admin", "/admin/users", ["role", "q", "sort", "cursor"], "emails", {"q"}),
    ("admin", "/admin/mail", ["status", "cursor"], None, set()),
    ("admin", "/admin/jobs", ["cursor"], None, set()),
    ("admin", "/admin/holidays", ["year"], None, set()),
    ("admin", "/admin/districts", ["cursor"], None, set()),
    ("admin", "/admin/guarantees", ["q", "cursor"], None, {"q"}),
    ("holder", "/notifications/", ["cursor"], None, set()),
    ("reviewer", "/stats/", STATS, None, set()),
    ("reviewer", "/stats/chart/approvals.svg", STATS, None, set()),
    ("admin", "/stats/export.csv", STATS, None, set()),
    ("holder", "/api/v1/applications", ["status", "ipr_type", "cursor", "limit"], "api", set()),
]


@pytest.fixture
def world(app) -> dict:
    holder, other = factories.make_user(Role.HOLDER), factories.make_user(Role.HOLDER)
    reviewer, admin = factories.make_user(Role.REVIEWER), factories.make_user(Role.ADMIN)
    states = [Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.APPROVED]
    own = [factories.make_application(holder, s, claimed_by=reviewer) for s in states]
    theirs = [factories.make_application(other, s, claimed_by=reviewer) for s in states]
    everyone = {u.email for u in (holder, other, reviewer, admin)}
    return {
        "users": {"holder": holder, "reviewer": reviewer, "admin": admin},
        "token": token_for(holder),
        "visible": {  # what each listing may ever show its user
            ("holder", "refs"): {a.reference for a in own},
            ("reviewer", "refs"): {a.reference for a in own + theirs if a.status != Status.DRAFT},
            ("admin", "emails"): everyone,
            ("holder", "api"): {a.reference for a in own},
        },
    }


def _rows(kind: str | None, response) -> set[str]:
    if kind == "api":
        body = response.get_json(silent=True) or {}
        return {item.get("reference") for item in body.get("items", []) if isinstance(item, dict)}
    pattern = {"refs": REFERENCE, "emails": EMAIL}.get(kind)
    return set(pattern.findall(response.get_data(True))) if pattern else set()


def _probe(client, actor, path, kind, query, world) -> tuple[object, str]:
    headers = {"Authorization": f"Bearer {world['token']}"} if kind == "api" else {}
    response = client.get(f"{path}?{urlencode(query)}", headers=headers)
    body = response.get_data(True) if response.mimetype != "image/svg+xml" else ""
    return response, body


def test_sql_injection_payloads_change_no_query(app, login, world, capsys):
    failures, probes = [], 0
    for actor, path, params, kind, searches in TARGETS:
        client = login(world["users"][actor], to=app.test_client())
        visible = world["visible"].get((actor, kind), set())
        for param in params:
            for payload in PAYLOADS if param in FULL else SAMPLE:
                response, body = _probe(client, actor, path, kind, {param: payload}, world)
                probes += 1
                rows = _rows(kind, response)
                where = f"{path}?{param}={payload!r} as {actor}"
                if response.status_code >= 500 or SQL_ERRORS.search(body):
                    failures.append(f"{where}: {response.status_code} {body[:200]!r}")
                elif rows - visible:
                    failures.append(f"{where}: extra rows {sorted(rows - visible)}")
                elif param in searches and rows and not _literal_match(payload, rows):
                    failures.append(f"{where}: the search matched {sorted(rows)}")
    probes += _login_probes(app, failures)
    with capsys.disabled():
        print(f"\n[figure] SQL injection: {probes} probes ({len(PAYLOADS)} payloads), "
              f"failures: {len(failures)}")  # fmt: skip
    assert failures == [], "\n".join(failures)
    assert probes >= MIN_PROBES


def _literal_match(payload: str, rows: set[str]) -> bool:
    """A search may match rows that contain the payload literally (e.g. "_" or "-1")."""
    return all(payload.lower() in row.lower() for row in rows)


def _login_probes(app, failures: list[str]) -> int:
    """The login form looks the e-mail up: every payload as e-mail is a plain wrong login."""
    client = app.test_client()
    for n, payload in enumerate(PAYLOADS):
        # Each from its own address: this is not about throttling (which a strict app of
        # another test may have switched on for the shared limiter).
        address = {"REMOTE_ADDR": f"198.51.100.{n % 250}"}
        data = {"email": payload, "password": payload}
        response = client.post("/auth/login", data=data, environ_base=address)
        body = response.get_data(True)
        if response.status_code != 200 or SQL_ERRORS.search(body) or "/home" in \
                response.headers.get("Location", ""):  # fmt: skip
            failures.append(f"login as {payload!r}: {response.status_code}")
    return len(PAYLOADS)
