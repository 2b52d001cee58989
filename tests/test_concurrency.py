"""Reviewers racing each other over HTTP against a live gunicorn with 4 workers.

One winner per claim, distinct applications from "claim next", gap-free recordation numbers
under simultaneous approvals, and one decision when approve and reject cross. Runs on SQLite,
and also on PostgreSQL (a sibling database ``<db>_live``) when IPR_TEST_DATABASE_URL is set.

The data is written by an app in this process pointing at the server's database; the races
go through the real login form and CSRF-protected POSTs, each reviewer with its own cookies.
Requests are started together: every thread opens its connection, waits at a barrier, sends.
"""

from __future__ import annotations

import html
import http.client
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Decision,
    Outcome,
    Recordation,
    RejectReason,
    Role,
    Status,
    StatusEvent,
    User,
    today,
)
from ipr_apps.services import filing, review
from tests.conftest import PASSWORD, base_config, make_app
from tests.factories import add_required_documents, complete_payload, make_user
from tests.live import LiveServer, live_server, postgres_url_from_env, temporary_database
from tests.tables import empty_tables

pytestmark = pytest.mark.live

WORKERS = 4
HTTP_TIMEOUT = 30.0  # seconds; SQLite writers may wait on each other's locks
# PostgreSQL in addition to SQLite when a server is configured, like the rest of the suite.
BACKENDS = ["sqlite", "postgresql"] if postgres_url_from_env() else ["sqlite"]

CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
FLASH = re.compile(
    r'<div class="alert alert-(\w+) alert-dismissible[^"]*" role="alert">\s*(.*?)\s*<button', re.S
)


# --------------------------------------------------------------------------- HTTP sessions


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        """The redirect target as a path (Flask may send absolute URLs)."""
        parts = urlsplit(self.headers.get("Location", ""))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def flashes(self, category: str | None = None) -> list[str]:
        return [
            html.unescape(message)
            for kind, message in FLASH.findall(self.text)
            if category in (None, kind)
        ]


@dataclass
class Session:
    """One signed-in browser, stdlib only: its own cookie jar, redirects not followed."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def connect(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT)
        connection.connect()
        return connection

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        connection: http.client.HTTPConnection | None = None,
    ) -> Response:
        connection = connection or self.connect()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.csrf_token, **form}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode())
        finally:
            connection.close()
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict | None = None, connection=None) -> Response:
        return self.request("POST", path, form or {}, connection)

    def follow(self, response: Response) -> Response:
        assert response.status in (302, 303), (response.status, response.text[:500])
        return self.get(response.location)

    def refresh_csrf(self, path: str) -> None:
        match = CSRF_INPUT.search(self.get(path).text)
        assert match, f"no csrf_token on {path}"
        self.csrf_token = match.group(1) or match.group(2)

    def login(self, email: str, password: str = PASSWORD) -> Session:
        self.refresh_csrf("/auth/login")
        response = self.post("/auth/login", {"email": email, "password": password, "next": ""})
        assert response.status == 302, f"login of {email} failed: {response.flashes()}"
        self.refresh_csrf("/review/")  # a token for this session's forms
        return self


def race(calls: list[Callable[[http.client.HTTPConnection], Response]], sessions: list[Session]):
    """Run `calls[i]` in its own thread on a connection of `sessions[i]`, all released at once.

    Returns the responses in order; an exception in any thread fails the test.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Response | BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            connection = sessions[index].connect()  # the TCP handshake before the barrier
            barrier.wait(timeout=HTTP_TIMEOUT)
            results[index] = calls[index](connection)
        except BaseException as error:  # reported below, in the test's own thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * HTTP_TIMEOUT)
    for result in results:
        if isinstance(result, BaseException):
            raise result
        assert isinstance(result, Response), "a request did not finish"
    return results


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory) -> Iterator[LiveServer]:
    """gunicorn with 4 workers on a fresh database of the parametrised backend."""
    tmp = tmp_path_factory.mktemp(f"live-{request.param}")
    env = {
        "IPR_SECRET_KEY": f"live-tests-{secrets.token_hex(16)}",
        "IPR_LOGIN_RATE_LIMIT": "10000 per minute",  # dozens of sign-ins from one address
    }
    postgres = request.param == "postgresql"
    with (
        temporary_database("live", tmp, postgres=postgres) as url,
        live_server(url, tmp / "instance", workers=WORKERS, env=env) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def data_app(server: LiveServer, tmp_path_factory) -> Iterator[Flask]:
    """An app in this process on the server's database, to create rows and check them."""
    tmp = tmp_path_factory.mktemp("live-data")
    application = make_app(base_config(tmp, server.database_url))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def live(server: LiveServer, data_app: Flask) -> Iterator[LiveServer]:
    """Empty tables, an app context for the test, and no server error in its log afterwards."""
    with data_app.app_context():
        _empty_tables()
        log_start = len(server.log())
        yield server
        db.session.remove()
        new_log = server.log()[log_start:]  # the app logs every unhandled error with its trace
        assert "Traceback" not in new_log, new_log


def _empty_tables() -> None:
    empty_tables(db.engine)


# --------------------------------------------------------------------------- data


def reviewers(count: int) -> list[User]:
    return [make_user(Role.REVIEWER, name=f"Officer {i:02d}") for i in range(1, count + 1)]


def submitted_applications(count: int, ipr_type: str = "trademark") -> list[Application]:
    holder = make_user(Role.HOLDER)
    found = []
    for _ in range(count):
        number = f"TM-{secrets.token_hex(4)}"
        draft = filing.create_draft(holder, ipr_type, complete_payload(ipr_type, number))
        add_required_documents(draft)
        found.append(filing.submit(holder, draft.id).application)
    return found


def signed_in(live: LiveServer, users: list[User]) -> list[Session]:
    return [Session(live.url).login(user.email) for user in users]


def fresh(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def events(application_id: int, action: str) -> list[StatusEvent]:
    stmt = select(StatusEvent).where(
        StatusEvent.application_id == application_id, StatusEvent.action == action
    )
    return list(db.session.execute(stmt).scalars())


def decisions(application_id: int) -> list[Decision]:
    stmt = select(Decision).where(Decision.application_id == application_id)
    return list(db.session.execute(stmt).scalars())


# --------------------------------------------------------------------------- the races


APPLICATIONS = 5
CLAIMANTS = 6


def test_simultaneous_claims_have_one_winner_each(live: LiveServer) -> None:
    users = reviewers(CLAIMANTS)
    applications = [(a.id, a.reference) for a in submitted_applications(APPLICATIONS)]
    sessions = signed_in(live, users)

    for application_id, reference in applications:
        path = f"/review/{application_id}/claim"
        calls = [lambda c, s=s, p=path: s.post(p, connection=c) for s in sessions]
        responses = race(calls, sessions)

        assert [r.status for r in responses] == [302] * CLAIMANTS, [r.text for r in responses]
        winners = [i for i, r in enumerate(responses) if r.location == f"/review/{application_id}"]
        assert len(winners) == 1, [r.location for r in responses]
        winner = users[winners[0]]
        for index, response in enumerate(responses):
            landed = sessions[index].follow(response)
            assert landed.status == 200
            if index in winners:
                assert f"You claimed {reference}." in landed.flashes("success")
                continue
            assert response.location == "/review/"
            assert landed.flashes("danger") == [f"{reference} was just claimed by {winner.name}."]

        saved = fresh(application_id)
        assert saved.status == Status.UNDER_REVIEW
        assert saved.claimed_by_id == winner.id
        assert len(events(application_id, "claim")) == 1


def test_simultaneous_claim_next_hands_out_distinct_applications(live: LiveServer) -> None:
    users = reviewers(8)
    ids = {a.id for a in submitted_applications(5)}
    sessions = signed_in(live, users)

    calls = [lambda c, s=s: s.post("/review/claim-next", connection=c) for s in sessions]
    responses = race(calls, sessions)

    assert [r.status for r in responses] == [302] * len(users)
    claimed: dict[int, User] = {}
    empty_handed = 0
    for user, session, response in zip(users, sessions, responses, strict=True):
        landed = session.follow(response)
        assert landed.status == 200
        match = re.fullmatch(r"/review/(\d+)", response.location)
        if match:
            application_id = int(match.group(1))
            assert application_id not in claimed, "one application handed to two reviewers"
            claimed[application_id] = user
            assert any(m.startswith("You claimed ") for m in landed.flashes("success"))
        else:
            assert response.location == "/review/"
            assert landed.flashes() == ["No unclaimed application is waiting."]
            empty_handed += 1
    assert set(claimed) == ids
    assert empty_handed == 3
    for application_id, user in claimed.items():
        saved = fresh(application_id)
        assert (saved.status, saved.claimed_by_id) == (Status.UNDER_REVIEW, user.id)
        assert len(events(application_id, "claim")) == 1


def test_simultaneous_approvals_number_recordations_without_gaps(live: LiveServer) -> None:
    count = 8
    users = reviewers(count)
    applications = submitted_applications(count)
    for user, application in zip(users, applications, strict=True):
        review.claim(user, application.id)
    ids = [a.id for a in applications]
    prefix = applications[0].ipr_type.prefix
    sessions = signed_in(live, users)

    calls = [
        lambda c, s=s, i=i: s.post(f"/review/{i}/approve", connection=c)
        for s, i in zip(sessions, ids, strict=True)
    ]
    responses = race(calls, sessions)

    db.session.expire_all()
    year = today().year
    numbers = []
    for session, response, application_id in zip(sessions, responses, ids, strict=True):
        assert response.status == 302
        assert response.location == f"/review/{application_id}"
        saved = fresh(application_id)
        assert saved.status == Status.APPROVED
        assert len(decisions(application_id)) == 1
        assert len(events(application_id, "approve")) == 1
        number = saved.recordation.number
        flashed = session.follow(response).flashes("success")
        assert flashed == [f"{saved.reference} approved: recordation {number}."]
        numbers.append(number)
    assert sorted(numbers) == [f"{prefix}{year}-{n:06d}" for n in range(1, count + 1)]
    total = select(func.count()).select_from(Recordation)
    assert db.session.execute(total).scalar_one() == count


def test_approve_and_reject_at_once_leave_one_decision(live: LiveServer) -> None:
    (reviewer,) = reviewers(1)
    (application,) = submitted_applications(1)
    review.claim(reviewer, application.id)
    application_id = application.id
    # Two tabs of the same reviewer: two sessions, so each keeps its own flashed message.
    approver, rejecter = signed_in(live, [reviewer, reviewer])
    reject_form = {
        "reason_codes": [RejectReason.FALSE_INFORMATION.value],
        "message": "Forged.",
        "confirm": "1",  # the confirmation step's button
    }

    approve, reject = race(
        [
            lambda c: approver.post(f"/review/{application_id}/approve", connection=c),
            lambda c: rejecter.post(f"/review/{application_id}/reject", reject_form, c),
        ],
        [approver, rejecter],
    )

    (decision,) = decisions(application_id)
    saved = fresh(application_id)
    assert approve.status == 302 and approve.location == f"/review/{application_id}"
    approve_page = approver.follow(approve)
    if decision.outcome == Outcome.APPROVED:
        assert saved.status == Status.APPROVED and saved.recordation is not None
        assert any(" approved: recordation " in m for m in approve_page.flashes("success"))
        assert reject.status == 422  # the form is shown again with why it was refused
        refusal = reject.flashes("danger")
    else:
        assert saved.status == Status.REJECTED and saved.recordation is None
        assert reject.status == 302
        assert f"{saved.reference} rejected." in rejecter.follow(reject).flashes("success")
        refusal = approve_page.flashes("danger")
    assert len(refusal) == 1, refusal
    assert refusal[0].startswith(("Cannot ", "Someone else changed this application")), refusal
    assert len(events(application_id, "approve")) + len(events(application_id, "reject")) == 1
