"""Figures: SIGKILL mid-traffic loses nothing acknowledged; a killed import leaves nothing.

1. gunicorn (4 workers) serves API clients creating applications and reviewers approving
   claimed ones; the master and every worker get SIGKILL mid-traffic. After a restart on the
   same database every write a client saw acknowledged is there (and readable over HTTP), the
   database passes its integrity checks, the recordation numbers have no gap, and new writes
   work.
2. `flask ipr import-recordations` is killed (SIGKILL) inside its write pass: nothing of the
   file is visible, and running it again imports the whole file.

SQLite always; PostgreSQL too (sibling databases) when IPR_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, func, select, text

from ipr_apps.db import db
from ipr_apps.models import Application, IprType, Organisation, Recordation, Role, Status, today
from ipr_apps.services import review
from tests.api_helpers import API, token_for
from tests.conftest import app_on
from tests.factories import make_application, make_user
from tests.live import (
    PROJECT_ROOT,
    _wait_until_serving,
    free_port,
    postgres_url_from_env,
    run_cli,
    server_env,
    temporary_database,
)
from tests.test_jobs_live import _history

pytestmark = pytest.mark.live

BACKENDS = ["sqlite", "postgresql"] if postgres_url_from_env() else ["sqlite"]
WRITERS, APPROVERS = 4, 2
TRAFFIC_BEFORE_KILL = 60  # acknowledged writes before the kill
TO_APPROVE = 120
IMPORT_ROWS = 20_000
DEADLINE = 180.0  # seconds for any wait below


@contextmanager
def data_app(database_url: str, tmp: Path) -> Iterator[None]:
    """An app in this process on the server's database, its context pushed."""
    with app_on(database_url, tmp / "data"):
        yield


def start_gunicorn(env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn in its own process group (so one killpg reaches the master and its workers)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "app:app", "-b", f"127.0.0.1:{port}",
               "-w", "4", "--no-control-socket"]  # fmt: skip
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    _wait_until_serving(process, f"{url}/auth/login", log_path)
    return process, url


def kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def api(url: str, token: str, method: str, path: str, body: dict | None = None):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        connection.request(method, API + path, json.dumps(body) if body else None, headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


class Traffic:
    """Client threads that keep writing until the server dies; what each saw acknowledged."""

    def __init__(self, url: str, holder_token: str, reviewer_token: str, to_approve: list[int]):
        self.url, self.stop = url, threading.Event()
        self.created: dict[int, str] = {}  # id → title, each answered 201
        self.approved: dict[int, str] = {}  # id → recordation number, each answered 200
        self.refused: list[tuple[int, object]] = []  # anything but success or a lost race
        self.threads = [threading.Thread(target=self._create, args=(holder_token, n))
                        for n in range(WRITERS)]  # fmt: skip
        self.threads += [threading.Thread(target=self._approve,
                                          args=(reviewer_token, to_approve[n::APPROVERS]))
                         for n in range(APPROVERS)]  # fmt: skip

    def _create(self, token: str, n: int) -> None:
        for i in range(10_000):
            title = f"crash-{n}-{i}"
            body = {"ipr_type": "trademark", "right": {"title": title}}
            if not self._call(token, "POST", "/applications", body, 201, self.created, title):
                return

    def _approve(self, token: str, ids: list[int]) -> None:
        for application_id in ids:
            path = f"/applications/{application_id}/decision"
            if not self._call(token, "POST", path, {"outcome": "approve"}, 200, self.approved):
                return

    def _call(self, token, method, path, body, expected, acknowledged, value=None) -> bool:
        try:
            status, reply = api(self.url, token, method, path, body)
        except (OSError, http.client.HTTPException):
            return False  # the server is gone: what was not answered was not acknowledged
        if status not in (expected, 409):
            self.refused.append((status, reply))
        if status == expected:
            acknowledged[reply["id"]] = value or reply["recordation_number"]
        return not self.stop.is_set()

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    @property
    def acknowledged(self) -> int:
        return len(self.created) + len(self.approved)


def check_integrity(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
        return
    orphans = text("SELECT count(*) FROM applications a LEFT JOIN ip_rights r "
                   "ON r.application_id = a.id WHERE r.application_id IS NULL")  # fmt: skip
    assert db.session.execute(orphans).scalar_one() == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_traffic_loses_no_acknowledged_write(backend, tmp_path, capsys) -> None:
    with temporary_database("crash", tmp_path, postgres=backend == "postgresql") as url:
        env = server_env(url, tmp_path / "instance", {"IPR_SECRET_KEY": secrets.token_hex(16)})
        run_cli(["db", "upgrade"], env)
        with data_app(url, tmp_path):
            holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
            tokens = token_for(holder), token_for(reviewer)
            waiting = [make_application(holder, Status.SUBMITTED).id for _ in range(TO_APPROVE)]
            for application_id in waiting:
                review.claim(reviewer, application_id)
            db.session.remove()
            log = tmp_path / "gunicorn.log"
            server, base = start_gunicorn(env, log)
            try:
                with Traffic(base, *tokens, waiting) as traffic:
                    deadline = time.monotonic() + DEADLINE
                    while len(traffic.created) < TRAFFIC_BEFORE_KILL or not traffic.approved:
                        assert time.monotonic() < deadline, "the clients made no progress"
                        time.sleep(0.05)
                    kill_group(server)
                    killed_at = traffic.acknowledged
                assert traffic.refused == []
                check_integrity(url)
                server, base = start_gunicorn(env, log)
                _check_everything_acknowledged(traffic, base, tokens[0])
                assert api(base, tokens[0], "POST", "/applications",
                           {"ipr_type": "trademark"})[0] == 201  # fmt: skip
            finally:
                if server.poll() is None:
                    kill_group(server)
            assert "Traceback" not in log.read_text(errors="replace")
    with capsys.disabled():
        print(f"\n[figure] SIGKILL mid-traffic ({backend}): {killed_at} writes acknowledged "
              f"before the kill ({len(traffic.created)} created, {len(traffic.approved)} "
              "approved), lost: 0")  # fmt: skip


def _check_everything_acknowledged(traffic: Traffic, base: str, token: str) -> None:
    db.session.expire_all()
    for application_id, title in traffic.created.items():
        application = db.session.get(Application, application_id)
        assert application is not None and application.right.title == title
    for application_id, number in traffic.approved.items():
        application = db.session.get(Application, application_id)
        assert application.status == Status.APPROVED
        assert application.recordation.number == number
    numbers = sorted(db.session.execute(select(Recordation.number)).scalars())
    prefix = f"{IprType.TRADEMARK.prefix}{today().year}-"
    assert numbers == [f"{prefix}{n:06d}" for n in range(1, len(numbers) + 1)]
    assert set(traffic.approved.values()) <= set(numbers)
    sample = list(traffic.created)[:: max(1, len(traffic.created) // 10)]
    for application_id in sample:
        status, reply = api(base, token, "GET", f"/applications/{application_id}")
        assert status == 200 and reply["right"]["title"] == traffic.created[application_id]


# --------------------------------------------------------------------------- killed import


def _in_write_pass(database_url: str) -> bool:
    """The import has written inside its transaction: SQLite's write lock is taken, or a
    PostgreSQL backend on the database holds a transaction id."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return False
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        finally:
            connection.close()
    writing = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")  # fmt: skip
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(writing).scalar_one() > 0
    finally:
        engine.dispose()


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_import_killed_midway_leaves_nothing_and_reruns(backend, tmp_path, capsys) -> None:
    with temporary_database("crash_import", tmp_path, postgres=backend == "postgresql") as url:
        env = server_env(url, tmp_path / "instance")
        run_cli(["db", "upgrade"], env)
        history = _history(tmp_path / "history.csv", IMPORT_ROWS, "KILL", "Holder")
        command = [sys.executable, "-m", "flask", "--app", "app", "ipr", "import-recordations",
                   str(history)]  # fmt: skip
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + DEADLINE
        while not _in_write_pass(url):
            assert process.poll() is None, "the import ended before it was seen writing"
            assert time.monotonic() < deadline, "the import never reached its write pass"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        with data_app(url, tmp_path):
            assert (_count(Application), _count(Organisation), _count(Recordation)) == (0, 0, 0)
            result = run_cli(["ipr", "import-recordations", str(history)], env)
            assert f"Imported {IMPORT_ROWS:,} recordations" in result.stdout
            assert _count(Application) == IMPORT_ROWS
            assert _count(Recordation) == IMPORT_ROWS * 3 // 4
    with capsys.disabled():
        print(f"\n[figure] import killed midway ({backend}): 0 of {IMPORT_ROWS:,} rows visible, "
              "re-run imported all")  # fmt: skip
