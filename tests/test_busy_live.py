"""A busy SQLite database under gunicorn (issue 11, item 6).

While another process holds SQLite's write lock, API reads with a bearer token answer 200 at
once (a read does not write the token's last use), and a form POST and an API write answer 503
with Retry-After within the busy timeout (never a 500 after it). During a real 50,000-row
import (`flask ipr import-recordations`), interactive writes go through within seconds: the
import commits its rows into a staging table batch by batch and makes them visible in one
short swap. SQLite only: the problem is SQLite's single write lock.
"""

from __future__ import annotations

import http.client
import json
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Application, Role, Status
from tests.api_helpers import API, assert_error, token_for
from tests.conftest import app_on
from tests.factories import make_user
from tests.live import PROJECT_ROOT, LiveServer, live_server, temporary_database
from tests.test_concurrency import Session
from tests.test_jobs_live import _history

pytestmark = pytest.mark.live

BUSY_TIMEOUT = 5.0  # the default SQLITE_BUSY_TIMEOUT, seconds
SLACK = 3.0  # a loaded 2-core machine answers a little later than the timeout itself
QUICK = 2.0  # seconds for a request that must not wait for the lock at all
IMPORT_ROWS = 50_000
IMPORT_DEADLINE = 300.0


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    env = {"IPR_SECRET_KEY": f"busy-live-{secrets.token_hex(16)}"}
    with (
        temporary_database("busy_live", tmp_path, postgres=False) as url,
        live_server(url, tmp_path / "instance", env=env, with_worker=False) as live,
    ):
        yield live


@pytest.fixture
def data_app(server: LiveServer, tmp_path) -> Iterator[Flask]:
    """An app in this process on the server's database, to create users and count rows."""
    with app_on(server.database_url, tmp_path / "data") as app:
        yield app


def _api(server: LiveServer, method: str, path: str, token: str, body: dict | None = None):
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    began = time.monotonic()
    try:
        connection.request(method, API + path, json.dumps(body) if body else None, headers)
        raw = connection.getresponse()
        return Answer(raw.status, raw.headers, raw.read().decode(), time.monotonic() - began)
    finally:
        connection.close()


def _timed(call) -> tuple:
    began = time.monotonic()
    return call(), time.monotonic() - began


class _WriteLock:
    """Another process's transaction holding SQLite's only write lock (BEGIN IMMEDIATE)."""

    def __init__(self, server: LiveServer) -> None:
        path = server.database_url.removeprefix("sqlite:///")
        self.connection = sqlite3.connect(path, isolation_level=None)

    def __enter__(self) -> _WriteLock:
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_exc) -> None:
        self.connection.rollback()
        self.connection.close()


def _drafts() -> int:
    db.session.rollback()  # a fresh snapshot
    stmt = select(func.count()).select_from(Application).where(Application.status == Status.DRAFT)
    return db.session.scalar(stmt)


def test_reads_answer_and_writes_are_503_while_another_process_holds_the_lock(
    server: LiveServer, data_app: Flask
) -> None:
    holder = make_user(Role.HOLDER)
    token = token_for(holder)
    created = _api(server, "POST", "/applications", token, {"ipr_type": "trademark"})
    assert created.status == 201, created.body
    draft = created.json()["id"]
    browser = Session(server.url).login(holder.email)
    browser.refresh_csrf("/applications/new")

    with _WriteLock(server):
        for path in ("/applications", f"/applications/{draft}"):
            read = _api(server, "GET", path, token)
            assert read.status == 200 and read.seconds < QUICK, (path, read.status, read.seconds)
        page, seconds = _timed(lambda: browser.get("/applications/"))
        assert page.status == 200 and seconds < QUICK, (page.status, seconds)

        new = {"ipr_type": "patent_design"}
        form, seconds = _timed(lambda: browser.post("/applications/new", new))
        assert form.status == 503 and seconds < BUSY_TIMEOUT + SLACK, (form.status, seconds)
        assert int(form.headers["Retry-After"]) > 0
        assert "nothing was saved" in form.text and "Traceback" not in form.text

        write = _api(server, "POST", "/applications", token, {"ipr_type": "copyright"})
        assert write.status == 503, (write.status, write.body)
        assert write.seconds < BUSY_TIMEOUT + SLACK, write.seconds
        assert int(write.headers["Retry-After"]) > 0
        assert assert_error(write.json())["code"] == "busy"
    assert _drafts() == 1  # nothing of the refused writes was saved

    # The lock is gone: the same requests succeed.
    assert browser.post("/applications/new", {"ipr_type": "patent_design"}).status == 302
    assert _api(server, "POST", "/applications", token, {"ipr_type": "copyright"}).status == 201
    assert _drafts() == 3
    assert "Traceback" not in server.log()


def test_interactive_writes_go_through_during_a_long_import(
    server: LiveServer, data_app: Flask, tmp_path: Path
) -> None:
    holder = make_user(Role.HOLDER)
    token = token_for(holder)
    source = _history(tmp_path / "history.csv", IMPORT_ROWS, "OLD", "Holder")
    command = [sys.executable, "-m", "flask", "--app", "app", "ipr", "import-recordations",
               str(source)]  # fmt: skip
    importer = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=dict(server.env), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    answers: list[Answer] = []
    try:
        _wait_for_the_write_pass(server, importer)
        while importer.poll() is None:
            answers.append(_api(server, "POST", "/applications", token, {"ipr_type": "trademark"}))
            time.sleep(0.2)
        out, err = importer.communicate(timeout=IMPORT_DEADLINE)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.communicate()
    assert importer.returncode == 0, err
    assert f"Imported {IMPORT_ROWS:,} recordations" in out
    statuses = [answer.status for answer in answers]
    quick = [a for a in answers if a.status == 201 and a.seconds < QUICK + 1]
    assert len(quick) >= 3, [(a.status, round(a.seconds, 1)) for a in answers]
    # Only a write that meets the final swap may wait (and, past the busy timeout, be a 503).
    assert set(statuses) <= {201, 503}, statuses
    assert all(a.seconds < BUSY_TIMEOUT + SLACK for a in answers), [a.seconds for a in answers]
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status == 503)
    assert _drafts() == statuses.count(201)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == (
        IMPORT_ROWS + statuses.count(201)
    )
    assert "Traceback" not in server.log()


def _wait_for_the_write_pass(server: LiveServer, importer: subprocess.Popen) -> None:
    """Until the import has staged its first batch (its check pass has ended)."""
    path = server.database_url.removeprefix("sqlite:///")
    deadline = time.monotonic() + IMPORT_DEADLINE
    while True:
        assert importer.poll() is None, importer.communicate()
        assert time.monotonic() < deadline, "the import never reached its write pass"
        connection = sqlite3.connect(path, timeout=0)
        try:
            if _staged(connection):
                return
        finally:
            connection.close()
        time.sleep(0.1)


def _staged(connection: sqlite3.Connection) -> bool:
    """Staging rows exist (now), or (before the staging table) the import holds the lock."""
    try:
        return connection.execute("SELECT count(*) FROM import_staging").fetchone()[0] > 0
    except sqlite3.OperationalError:  # no such table: the import's one long transaction
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return False
        except sqlite3.OperationalError:
            return True
