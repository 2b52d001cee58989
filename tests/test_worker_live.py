"""The job worker for real: gunicorn + `flask ipr worker` processes on a real queue (SQLite
storage, and Redis, which runs on this machine and in CI), and a real SMTP server (aiosmtpd).

No request waits on SMTP: with a mail server that accepts connections and never answers, an
approval answers at once and its e-mail waits in the outbox; when the server comes back the
worker delivers it on the retry. Two workers never send the same message.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterator

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import MailStatus, OutboxMessage, Role
from ipr_apps.services import outbox
from tests.conftest import base_config, make_app
from tests.factories import make_user
from tests.live import LiveServer, free_port, live_server, start_worker, temporary_database
from tests.live import redis_call as _redis_call
from tests.test_concurrency import Session, submitted_applications
from tests.test_mail import Inbox

# Under pytest-xdist the file runs on one worker: its tests share one Redis database.
pytestmark = [pytest.mark.live, pytest.mark.xdist_group("test_worker_live")]

REDIS_URL = os.environ.get("IPR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STORAGES = ["sqlite", "redis"]


def _redis_ready() -> bool:
    try:
        _redis_call(REDIS_URL, "ping")
    except redis.RedisError:
        return False
    return True


@pytest.fixture(params=STORAGES)
def storage(request) -> dict[str, str]:
    """The queue's settings: the default SQLite storage, or Redis (required in CI)."""
    if request.param == "sqlite":
        return {}
    if not _redis_ready():
        if os.environ.get("IPR_REQUIRE_REDIS") == "1":
            pytest.fail(f"IPR_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    _redis_call(REDIS_URL, "flushdb")
    return {"IPR_REDIS_URL": REDIS_URL}


class BlackHole:
    """A port that accepts connections and never says a word (a hung mail server): the
    kernel completes the handshakes into the backlog, nobody ever answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_server(("127.0.0.1", port), backlog=64)

    def close(self) -> None:
        self.sock.close()


def _server(tmp, storage: dict[str, str], extra: dict[str, str]):
    env = {
        "IPR_SECRET_KEY": f"worker-tests-{secrets.token_hex(16)}",
        "IPR_LOGIN_RATE_LIMIT": "10000 per minute",
        **storage,
        **extra,
    }
    return env


@pytest.fixture
def data_app(tmp_path) -> Iterator[callable]:
    """An app in this process on a live server's database, to create and read rows."""
    made: list[Flask] = []

    def make(live: LiveServer) -> Flask:
        app = make_app(base_config(tmp_path / "data", live.database_url))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def test_an_approval_never_waits_for_a_hung_mail_server(
    request, tmp_path, storage, data_app
) -> None:
    smtp_port = free_port()
    hole = BlackHole(smtp_port)
    request.addfinalizer(hole.close)
    mail_env = {
        "IPR_MAIL_SERVER": "127.0.0.1",
        "IPR_MAIL_PORT": str(smtp_port),
        "IPR_MAIL_TIMEOUT": "4",
        "IPR_MAIL_RETRY_SECONDS": "[3, 3, 3, 3]",
    }
    env = _server(tmp_path, storage, mail_env)
    with (
        temporary_database("worker", tmp_path) as url,
        live_server(url, tmp_path / "instance", env=env) as live,
    ):
        app = data_app(live)
        with app.app_context():
            reviewer = make_user(Role.REVIEWER)
            [application] = submitted_applications(1)
            session = Session(live.url).login(reviewer.email)
            session.post(f"/review/{application.id}/claim")
            started = time.monotonic()
            response = session.post(f"/review/{application.id}/approve")
            took = time.monotonic() - started
            assert response.status == 302 and took < 2.0, took  # not the 4-s SMTP timeout
            _wait_for(lambda: _messages()[0].last_error is not None, 20, "the first failure")
            [message] = _messages()
            assert message.status == MailStatus.PENDING and "timed out" in message.last_error

            hole.close()  # the mail server comes back on the same port
            inbox = Inbox()
            controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
            controller.start()
            try:
                _wait_for(lambda: _messages()[0].status == MailStatus.SENT, 30, "delivery")
            finally:
                controller.stop()
            [(_, to, received)] = inbox.received
            assert to == [message.to_address] and application.reference in received["Subject"]


def test_two_workers_send_each_message_once(tmp_path, storage, data_app) -> None:
    env = _server(tmp_path, storage, {"IPR_OUTBOX_FOLDER": str(tmp_path / "eml")})
    with (
        temporary_database("worker", tmp_path) as url,
        live_server(url, tmp_path / "instance", env=env) as live,
    ):
        second = start_worker(live.env, tmp_path / "worker2.log")
        try:
            app = make_app(
                {
                    **base_config(tmp_path / "queue", url),
                    "JOBS_IMMEDIATE": False,  # enqueue on the live queue, like the web app
                    "JOBS_DATABASE": str(live.instance / "jobs.sqlite3"),
                    "REDIS_URL": storage.get("IPR_REDIS_URL"),
                }
            )
            with app.app_context():
                for batch in range(10):  # ten commits, each kicking a delivery task
                    with unit_of_work():
                        for n in range(20):
                            outbox.queue(
                                f"r{batch}-{n}@example.com", f"Message {batch}-{n}", "Body"
                            )
                _wait_for(
                    lambda: all(m.status == MailStatus.SENT for m in _messages()), 60, "delivery"
                )
                messages = _messages()
                db.engine.dispose()
        finally:
            second.terminate()
            second.wait(timeout=20)
    files = list((tmp_path / "eml").glob("*.eml"))
    assert len(messages) == 200 and len(files) == 200
    assert {m.attempts for m in messages} == {1}
