"""An import started from the browser, run by a real `flask ipr worker` beside gunicorn.

An admin uploads a 100,000-row history file over HTTP and polls the job's JSON until it is
done; the rows are all there. Then a second import is under way when the worker is killed
(SIGKILL, during its write pass, some batches staged): nothing of it is visible, the stale check
shows the job failed, and a re-run by a new worker imports it whole. Once with the queue in
its SQLite storage, once in Redis (required in CI, skipped here when no Redis answers).

Time: about 1 minute per storage on SQLite, 2.5 on PostgreSQL (the Redis variant always uses
SQLite), on a busy 2-core machine; every wait below has its own deadline (POLL_DEADLINE,
KILL_DEADLINE), so a stuck worker fails the test instead of hanging it.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Application, Job, JobStatus, Organisation, Recordation, Role, utcnow
from ipr_apps.models.base import clock_at
from ipr_apps.services import jobs
from ipr_apps.services.import_rows import HEADER
from tests.conftest import app_on
from tests.factories import make_user
from tests.live import LiveServer, job_test_server, start_worker
from tests.live import redis_call as _redis_call
from tests.test_concurrency import Response, Session

# Under pytest-xdist the file runs on one worker: its tests share one Redis database.
pytestmark = [pytest.mark.live, pytest.mark.xdist_group("test_jobs_live")]

BIG, SECOND = 100_000, 60_000  # rows of the first and of the killed import
POLL_DEADLINE = 240.0  # seconds for one import to finish (the big one takes ~40-60 s here)
KILL_DEADLINE = 120.0  # seconds for the second import to reach its write pass
# Its own Redis database: the e-mail worker tests empty theirs (15) and read its queue.
REDIS_URL = os.environ.get("IPR_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture(params=["sqlite", "redis"])
def storage(request) -> dict[str, str]:
    """The queue's settings: the default SQLite storage, or Redis (required in CI)."""
    if request.param == "sqlite":
        return {}
    try:
        _redis_call(REDIS_URL, "flushdb")
    except redis.RedisError:
        if os.environ.get("IPR_REQUIRE_REDIS") == "1":
            pytest.fail(f"IPR_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return {"IPR_REDIS_URL": REDIS_URL}


@pytest.fixture
def server(tmp_path, storage: dict[str, str]) -> Iterator[LiveServer]:
    # The Redis variant is about the queue: it keeps the fast SQLite database either way.
    postgres = False if storage else None
    with job_test_server("jobs_live", tmp_path, env=storage, postgres=postgres) as live:
        yield live


@pytest.fixture
def data_app(server: LiveServer, tmp_path) -> Iterator[Flask]:
    """An app in this process on the server's database, to create the admin and count rows."""
    with app_on(server.database_url, tmp_path / "data") as app:
        yield app


def _history(path: Path, count: int, prefix: str, holders: str) -> Path:
    """`count` decisions (every fourth rejected) over 2016–2020, references `prefix-n`."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(count):
            decided = date(2016, 1, 4) + timedelta(days=n % 1800)
            approved = n % 4 != 0
            writer.writerow([
                f"{prefix}-{n:06d}", "trademark", f"TM-{prefix}-{n}", f"Mark {n}",
                f"{holders} {n % 400}", "CN" if n % 3 else "US",
                decided - timedelta(days=20 + n % 30), decided,
                "approved" if approved else "rejected",
                f"{prefix}/{n:06d}" if approved else "",
                decided + timedelta(days=3650) if approved else "",
            ])  # fmt: skip
    return path


def _upload(session: Session, path: Path) -> int:
    """POST the file to the import page as a browser would (multipart, CSRF token)."""
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{session.csrf_token}\r\n--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
    )
    body = head.encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items()),
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    connection = session.connect()
    try:
        connection.request("POST", "/admin/jobs/import", body=body, headers=headers)
        raw = connection.getresponse()
        response = Response(raw.status, raw.headers, raw.read().decode())
    finally:
        connection.close()
    assert response.status == 302, (response.status, response.flashes(), response.text[:300])
    return int(response.location.rsplit("/", 1)[1])


def _state(session: Session, job_id: int) -> dict:
    response = session.get(f"/admin/jobs/{job_id}.json")
    assert response.status == 200, response.status
    return json.loads(response.text)


def _poll_until_finished(session: Session, job_id: int) -> list[dict]:
    deadline, seen = time.monotonic() + POLL_DEADLINE, []
    while not (seen and seen[-1]["finished"]):
        assert time.monotonic() < deadline, f"job {job_id} unfinished after {POLL_DEADLINE} s"
        time.sleep(0.5)
        seen.append(_state(session, job_id))
    return seen


def _count(model, *where) -> int:
    db.session.rollback()  # a fresh snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _in_write_pass(live: LiveServer, state: dict) -> bool:
    """The import is in its write pass: the check is done and it stages its rows batch by batch,
    each batch its own transaction. (Its line count is written at most once a second, so on an
    idle machine a short write pass may end before it first shows more than 0: the phase is
    what tells.)"""
    return state["phase"] == "import"


def _kill_during_write_pass(live: LiveServer, session: Session, job_id: int, worker) -> None:
    deadline = time.monotonic() + KILL_DEADLINE
    while not _in_write_pass(live, _state(session, job_id)):
        assert worker.poll() is None and time.monotonic() < deadline, "no write pass seen"
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_a_big_import_from_the_browser_and_a_killed_worker(
    server: LiveServer, data_app: Flask, tmp_path
) -> None:
    admin = make_user(Role.ADMIN)
    session = Session(server.url).login(admin.email)
    worker = start_worker(server.env, tmp_path / "worker.log")
    try:
        # 1. 100,000 rows through the browser's upload; the JSON shows the progress.
        job_id = _upload(session, _history(tmp_path / "history.csv", BIG, "OLD", "Holder"))
        page = session.get(f"/admin/jobs/{job_id}")  # a reload while it runs: the bar is there
        assert page.status == 200 and ('role="progressbar"' in page.text or "done" in page.text)
        seen = _poll_until_finished(session, job_id)
        assert seen[-1]["status"] == "done", (seen[-1], (tmp_path / "worker.log").read_text())
        assert seen[-1]["percent"] == 100
        assert any(0 < s["percent"] < 100 for s in seen), seen  # the bar moved in between
        percents = [s["percent"] for s in seen]
        assert percents == sorted(percents)
        assert _count(Application) == BIG and _count(Recordation) == BIG * 3 // 4
        result = session.get(f"/admin/jobs/{job_id}")
        assert "Imported 100,000 recordations; skipped 0 already present." in result.text

        # 2. A second import; the worker is killed during its write pass.
        organisations = _count(Organisation)
        second = _upload(session, _history(tmp_path / "more.csv", SECOND, "NEW", "Kestrel"))
        _kill_during_write_pass(server, session, second, worker)
        assert _state(session, second)["status"] == "running"  # until the stale check
        with clock_at(utcnow() + jobs.STALE_AFTER + timedelta(seconds=1)):
            assert jobs.mark_stale_failed() == 1  # what the worker's minutely check does
        state = _state(session, second)
        assert state["status"] == "failed" and state["finished"]
        assert _count(Application) == BIG and _count(Organisation) == organisations
        assert _count(Application, Application.reference.like("NEW-%")) == 0
        page = session.get(f"/admin/jobs/{second}")
        assert "The worker stopped while running this job" in page.text

        # 3. Re-run by a new worker: imported whole.
        worker = start_worker(server.env, tmp_path / "worker2.log")
        session.refresh_csrf(f"/admin/jobs/{second}")
        assert session.post(f"/admin/jobs/{second}/rerun").status == 302
        assert _poll_until_finished(session, second)[-1]["status"] == "done"
        assert _count(Application, Application.reference.like("NEW-%")) == SECOND
        db.session.expire_all()
        rerun = db.session.get(Job, second)
        assert rerun.status == JobStatus.DONE and rerun.runs == 2
        assert rerun.summary == {"imported": SECOND, "skipped": 0}
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
    assert "Traceback" not in server.log()
