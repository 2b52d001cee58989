"""API clients racing each other against a live gunicorn with 4 workers.

K reviewers claim the same application at once through POST /api/v1/.../claim: one 200, the
rest 409 with the error body. The claimant fires approve and reject at once: one 200, one 409,
one decision. SQLite always; PostgreSQL too (a sibling database ``<db>_api``) when
IPR_TEST_DATABASE_URL is set. Every thread opens its connection, waits at a barrier, sends.
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Application, Decision, Outcome, Role, Status, StatusEvent
from ipr_apps.services import filing, review
from tests.api_helpers import API, assert_error, token_for
from tests.conftest import base_config, make_app
from tests.factories import add_required_documents, complete_payload, make_user
from tests.live import LiveServer, live_server, postgres_url_from_env, temporary_database
from tests.tables import empty_tables

pytestmark = pytest.mark.live

WORKERS = 4
CLAIMANTS = 6
ROUNDS = 3
HTTP_TIMEOUT = 30.0
BACKENDS = ["sqlite", "postgresql"] if postgres_url_from_env() else ["sqlite"]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: object


def connect(base_url: str) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT)
    connection.connect()
    return connection


def call(connection: http.client.HTTPConnection, token: str, path: str, body=None) -> Reply:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request("POST", API + path, body=data, headers=headers)
        raw = connection.getresponse()
        text = raw.read().decode()
        assert raw.headers.get_content_type() == "application/json", (raw.status, text[:300])
        return Reply(raw.status, raw.headers, json.loads(text))
    finally:
        connection.close()


def race(base_url: str, requests: list[tuple[str, str, dict | None]]) -> list[Reply]:
    """POST every (token, path, body) in its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(requests))
    results: list[Reply | BaseException | None] = [None] * len(requests)

    def run(index: int) -> None:
        try:
            connection = connect(base_url)
            barrier.wait(timeout=HTTP_TIMEOUT)
            results[index] = call(connection, *requests[index])
        except BaseException as error:  # re-raised in the test's thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * HTTP_TIMEOUT)
    for result in results:
        if isinstance(result, BaseException):
            raise result
        assert isinstance(result, Reply), "a request did not finish"
    return results  # type: ignore[return-value]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"api-live-{request.param}")
    env = {"IPR_SECRET_KEY": f"api-live-{secrets.token_hex(16)}"}
    with (
        temporary_database("api", tmp, postgres=request.param == "postgresql") as url,
        live_server(url, tmp / "instance", workers=WORKERS, env=env) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def data_app(server: LiveServer, tmp_path_factory) -> Iterator[Flask]:
    application = make_app(base_config(tmp_path_factory.mktemp("api-data"), server.database_url))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def live(server: LiveServer, data_app: Flask) -> Iterator[LiveServer]:
    with data_app.app_context():
        empty_tables(db.engine)
        log_start = len(server.log())
        yield server
        db.session.remove()
        new_log = server.log()[log_start:]
        assert "Traceback" not in new_log, new_log


def submitted_application() -> int:
    holder = make_user(Role.HOLDER)
    payload = complete_payload("trademark", f"TM-{secrets.token_hex(4)}")
    draft = filing.create_draft(holder, "trademark", payload)
    add_required_documents(draft)
    return filing.submit(holder, draft.id).application.id


def rows(model, application_id: int, **where) -> list:
    stmt = select(model).where(model.application_id == application_id)
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    return list(db.session.execute(stmt).scalars())


# --------------------------------------------------------------------------- the races


def test_simultaneous_api_claims_have_one_winner(live: LiveServer) -> None:
    officers = [make_user(Role.REVIEWER) for _ in range(CLAIMANTS)]
    tokens = [token_for(officer) for officer in officers]
    for _ in range(ROUNDS):
        app_id = submitted_application()
        replies = race(live.url, [(t, f"/applications/{app_id}/claim", None) for t in tokens])

        statuses = sorted(r.status for r in replies)
        assert statuses == [200] + [409] * (CLAIMANTS - 1), [r.body for r in replies]
        (winner,) = [i for i, r in enumerate(replies) if r.status == 200]
        assert replies[winner].body["status"] == "under_review"
        for reply in replies:
            assert "Set-Cookie" not in reply.headers
            if reply.status == 409:
                assert assert_error(reply.body)["code"] == "conflict"
        db.session.expire_all()
        saved = db.session.get(Application, app_id)
        assert (saved.status, saved.claimed_by_id) == (Status.UNDER_REVIEW, officers[winner].id)
        assert len(rows(StatusEvent, app_id, action="claim")) == 1


def test_simultaneous_api_approve_and_reject_leave_one_decision(live: LiveServer) -> None:
    officer = make_user(Role.REVIEWER)
    first, second = token_for(officer, "tab 1"), token_for(officer, "tab 2")
    for _ in range(ROUNDS):
        app_id = submitted_application()
        review.claim(officer, app_id)
        path = f"/applications/{app_id}/decision"
        reject = {"outcome": "reject", "reason": "Forged.", "reason_codes": ["false_information"]}
        approved, rejected = race(
            live.url, [(first, path, {"outcome": "approve"}), (second, path, reject)]
        )

        assert sorted([approved.status, rejected.status]) == [200, 409], (
            approved.body,
            rejected.body,
        )
        loser = rejected if approved.status == 200 else approved
        assert_error(loser.body)
        db.session.expire_all()
        saved = db.session.get(Application, app_id)
        (decision,) = rows(Decision, app_id)
        winner = Outcome.APPROVED if approved.status == 200 else Outcome.REJECTED
        assert decision.outcome == winner
        if approved.status == 200:
            assert saved.status == Status.APPROVED and saved.recordation is not None
            assert approved.body["recordation_number"] == saved.recordation.number
        else:
            assert saved.status == Status.REJECTED and saved.recordation is None
            assert rejected.body["status"] == "rejected"
        decided = rows(StatusEvent, app_id, action="approve") + rows(
            StatusEvent, app_id, action="reject"
        )
        assert len(decided) == 1
