"""The border side's jobs run by a real `flask ipr worker` beside gunicorn: an admin uploads a
detention-case history over HTTP, polls the job until done (the cases are all there), then
exports the enforcement statistics as a job and downloads the file, which holds the rows the
export service gives. A few thousand rows: about 10-15 s, most of it starting the server."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from ipr_apps.models import DetentionCase, Role
from ipr_apps.services import enforcement, exports
from ipr_apps.services.case_rows import HEADER
from tests.conftest import app_on
from tests.factories import make_user
from tests.live import LiveServer, job_test_server, start_worker
from tests.test_concurrency import Response, Session
from tests.test_jobs_live import _count, _poll_until_finished

pytestmark = pytest.mark.live

ROWS = 3000
CHANNELS = ("freight", "post", "express", "cross_border_ecommerce", "passenger", "other")


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    with job_test_server("case_jobs_live", tmp_path) as live:
        yield live


@pytest.fixture
def data_app(server: LiveServer, tmp_path) -> Iterator[Flask]:
    with app_on(server.database_url, tmp_path / "data") as app:
        yield app


def _history(path: Path) -> Path:
    """ROWS cases over 2018 and 2019, on three ports and every channel."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(ROWS):
            writer.writerow([
                f"LIVE-{n:06d}", date(2018, 1, 1) + timedelta(days=n % 730),
                ("5301", "2200", "4200")[n % 3], CHANNELS[n % 6], "import" if n % 5 else "export",
                "ex_officio" if n % 4 else "on_application", "trademark", "", f"Goods {n}", "",
                n % 500, f"{n * 7 % 100000}.{n % 100:02d}", "confiscated" if n % 2 else "",
            ])  # fmt: skip
    return path


def _upload(session: Session, path: Path) -> int:
    """POST the file to the case import page as a browser would (multipart, CSRF token)."""
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
        connection.request("POST", "/admin/jobs/import-cases", body=body, headers=headers)
        raw = connection.getresponse()
        response = Response(raw.status, raw.headers, raw.read().decode())
    finally:
        connection.close()
    assert response.status == 302, (response.status, response.flashes(), response.text[:300])
    return int(response.location.rsplit("/", 1)[1])


def test_a_case_import_and_an_enforcement_export_run_by_the_worker(
    server: LiveServer, data_app: Flask, tmp_path
) -> None:
    admin = make_user(Role.ADMIN)
    session = Session(server.url).login(admin.email)
    worker = start_worker(server.env, tmp_path / "worker.log")
    try:
        job_id = _upload(session, _history(tmp_path / "cases.csv"))
        seen = _poll_until_finished(session, job_id)
        assert seen[-1]["status"] == "done", (seen[-1], (tmp_path / "worker.log").read_text())
        assert _count(DetentionCase) == ROWS
        page = session.get(f"/admin/jobs/{job_id}")
        assert f"Imported {ROWS:,} detention cases; skipped 0 already present." in page.text

        session.refresh_csrf("/stats/")
        form = {"by": "quarter", "from": "2018-01-01", "to": "2019-12-31", "figures": "enforcement",
                "enforcement_group_by": "channel", "format": "csv"}  # fmt: skip
        response = session.post("/stats/export-job", form)
        assert response.status == 302, response.text[:300]
        export_id = int(response.location.rsplit("/", 1)[1])
        assert _poll_until_finished(session, export_id)[-1]["status"] == "done"
        download = session.get(f"/admin/jobs/{export_id}/result")
        assert download.status == 200
        rows = enforcement.rows("quarter", date(2018, 1, 1), date(2019, 12, 31), "channel")
        expected = "".join(exports.csv_lines(rows, bom=True, layout=exports.ENFORCEMENT))
        assert download.text == expected and len(rows) == 8 * 6
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
    assert server.tracebacks() == []
