"""A 100,000-line file of declarations screened by a real `flask ipr worker` beside gunicorn.

The batch is started as the upload form starts it (`start_batch` in a process with the
server's configuration, so the job goes onto the real queue); the officer's browser polls the
run's progress JSON until it is done, then downloads the hits. The hits are all there, once.

Time: the screening itself takes about 10-30 s on a busy 2-core machine (the worker prints
nothing; the job's duration is reported on failure); POLL_DEADLINE bounds the wait.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Goods, Job, JobStatus, Role, ScreeningHit, ScreeningRun, Status
from ipr_apps.services.screening_results import COLUMNS
from tests.conftest import app_on
from tests.factories import make_application, make_user, recordation_row
from tests.live import PROJECT_ROOT, LiveServer, job_test_server, start_worker
from tests.test_concurrency import Session

pytestmark = pytest.mark.live

LINES = 100_000
POLL_DEADLINE = 240.0  # seconds for the batch to finish
START = """
import sys
from app import app
from ipr_apps.db import db
from ipr_apps.models import User
from ipr_apps.services import screening_batches

with app.app_context(), open(sys.argv[2], "rb") as file:
    officer = db.session.get(User, int(sys.argv[1]))
    print(screening_batches.start_batch(officer, file, "week-12.csv").id)
"""


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    with job_test_server("screening_live", tmp_path) as live:
        yield live


@pytest.fixture
def data_app(server: LiveServer, tmp_path) -> Iterator[Flask]:
    with app_on(server.database_url, tmp_path / "data") as app:
        yield app


def _recorded(title: str, hs_code: str) -> None:
    application = make_application(make_user(), Status.APPROVED)
    application.right.title = title
    db.session.add(Goods(application_id=application.id, position=0, name="Goods", hs_code=hs_code))
    recordation_row(application)
    db.session.commit()


def _declarations(path: Path) -> tuple[Path, int]:
    """LINES lines: every tenth names the mark BRIGHTSTAR (one hit each); (file, hit lines)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["declaration_number", "line_number", "port", "hs_code", "description",
                         "consignor", "consignee", "declared_value"])  # fmt: skip
        for n in range(1, LINES + 1):
            hit = n % 10 == 0
            writer.writerow([f"5316{n // 20:014d}", n % 20 + 1, "Huangpu",
                             "940510" if n % 50 == 0 else "691200",
                             "Brightstar desk lamps" if hit else f"Porcelain cups, model {n}",
                             "Foshan Export Co., Ltd.", "Kestrel GmbH", "1200.50"])  # fmt: skip
    return path, LINES // 10


def _start(server: LiveServer, officer_id: int, path: Path) -> int:
    result = subprocess.run(
        [sys.executable, "-c", START, str(officer_id), str(path)], cwd=PROJECT_ROOT,
        env=dict(server.env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.strip().splitlines()[-1])


def _progress(session: Session, run_id: int) -> dict:
    response = session.get(f"/screening/runs/{run_id}/progress")
    assert response.status == 200, response.status
    return json.loads(response.text)


def test_a_100000_line_file_screened_by_the_worker(server: LiveServer, data_app: Flask, tmp_path):
    _recorded("BRIGHTSTAR", "9405")
    _recorded("NORTHWIND", "8518")
    officer = make_user(Role.OFFICER)
    path, hit_lines = _declarations(tmp_path / "week-12.csv")
    session = Session(server.url).login(officer.email)
    worker = start_worker(server.env, tmp_path / "worker.log")
    try:
        run_id = _start(server, officer.id, path)
        seen, deadline = [], time.monotonic() + POLL_DEADLINE
        while not (seen and seen[-1]["finished"]):
            assert time.monotonic() < deadline, (seen[-1:], (tmp_path / "worker.log").read_text())
            time.sleep(0.5)
            seen.append(_progress(session, run_id))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert seen[-1]["status"] == "done", (seen[-1], (tmp_path / "worker.log").read_text())
    percents = [state["percent"] for state in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert any(0 < p < 100 for p in percents), seen  # the bar moved in between
    assert any(state["phase"] == "screen" and state["total"] == LINES for state in seen), seen

    db.session.expire_all()
    run = db.session.get(ScreeningRun, run_id)
    job = db.session.get(Job, run.job_id)
    assert job.status == JobStatus.DONE and run.finished_at is not None
    assert (run.line_count, run.hit_lines, run.hits) == (LINES, hit_lines, hit_lines)
    stored = select(func.count()).where(ScreeningHit.run_id == run_id)
    assert db.session.scalar(stored) == hit_lines
    duration = (job.finished_at - job.started_at).total_seconds()
    assert duration < 180, f"{LINES:,} lines took {duration:.0f} s"

    download = session.get(f"/screening/runs/{run_id}/hits.csv")
    assert download.status == 200
    header, *rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert tuple(header) == COLUMNS and len(rows) == hit_lines
    scores = [int(row[COLUMNS.index("score")]) for row in rows]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert "Traceback" not in server.log()
