"""Screening batches: a large file of declaration lines screened on the job queue (start_batch's
checks, the worker's two passes, progress, a failing file, re-runs), and the result downloads
and progress JSON of every run. Tasks run inline here (JOBS_IMMEDIATE);
tests/test_screening_batches_live.py runs a 100,000-line file in a real worker."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from flask import render_template_string
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import (
    ConflictError,
    DatabaseBusy,
    PermissionDenied,
    TooLarge,
    ValidationError,
)
from ipr_apps.models import (
    Goods,
    Job,
    JobKind,
    JobStatus,
    Role,
    RunSource,
    ScreeningHit,
    ScreeningRun,
    SecurityAction,
    SecurityEvent,
    Status,
)
from ipr_apps.screening import current
from ipr_apps.screening.engine import DeclarationLine
from ipr_apps.services import imports, job_files, job_runs, jobs, screening, screening_batches
from ipr_apps.services.screening_results import COLUMNS
from tests.factories import recordation_row

HEADER = ["declaration_number", "line_number", "description", "hs_code", "consignee"]


@pytest.fixture(autouse=True)
def jobs_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    monkeypatch.setitem(app.config, "JOBS_FOLDER", str(folder))
    return folder


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def recorded(make_user, make_application):
    """An active recordation of the mark BRIGHTSTAR for lamps (HS 9405)."""
    application = make_application(make_user(), Status.APPROVED)
    application.right.title = "BRIGHTSTAR"
    db.session.add(Goods(application_id=application.id, position=0, name="Lamp", hs_code="9405"))
    row = recordation_row(application)
    db.session.commit()
    return row


def _rows(count: int) -> list[list]:
    """`count` lines; every third names the mark (score 50), every sixth with its HS code too
    (75); the others are plain cups."""
    rows = []
    for n in range(1, count + 1):
        hit, with_hs = n % 3 == 0, n % 6 == 0
        rows.append([f"D{n:06d}", n, "Brightstar lamp" if hit else "Plain cups",
                     "940510" if with_hs else "691200", "Kestrel Trading Ltd"])  # fmt: skip
    return rows


def _csv(rows: list[list], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _start(officer, data: bytes, name: str = "lines.csv", threshold: int | None = None):
    return screening_batches.start_batch(officer, io.BytesIO(data), name, threshold)


def _get(client, url: str):
    """The response, read whole and closed (a download is sent from an open file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _job(run_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(ScreeningRun, run_id).job


def _queued(monkeypatch, officer, data: bytes, name: str = "lines.csv") -> ScreeningRun:
    """A batch whose job is queued but not handed to the worker (it waits for the test)."""
    monkeypatch.setattr(jobs, "_hand_to_worker", lambda job_id: None)
    return _start(officer, data, name)


# --------------------------------------------------------------------------- start_batch


@pytest.mark.parametrize("role", [Role.HOLDER, Role.REVIEWER, Role.ADMIN])
def test_only_officers_start_a_batch(make_user, role, jobs_folder):
    with pytest.raises(PermissionDenied):
        _start(make_user(role), _csv(_rows(3)))
    assert _count(Job) == _count(ScreeningRun) == 0


XLSX_AS_CSV = _xlsx([["D1", 1, "x", "", ""]])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("", b"declaration_number,line_number\nD1,1\n", screening_batches.CHOOSE_FILE),
        ("lines.txt", b"declaration_number,line_number\nD1,1\n", screening_batches.WRONG_NAME),
        ("lines.csv", b"", screening_batches.EMPTY),
        ("lines.xlsx", b"declaration_number,line_number\nD1,1\n", screening_batches.NOT_XLSX),
        ("lines.xlsx", b"PK\x03\x04 not really a zip", screening_batches.NOT_XLSX),
        ("lines.csv", XLSX_AS_CSV, screening_batches.NOT_CSV),
        ("lines.csv", b"declaration_number\x00\x01\x02", screening_batches.NOT_CSV),
        ("lines.csv", b"%PDF-1.7\n\xff\xfe\xfd\xfc\x80\x81", screening_batches.NOT_CSV),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused(officer, jobs_folder, name, data, message):
    with pytest.raises(ValidationError) as refused:
        _start(officer, data, name)
    assert refused.value.fields == {"file": [message]}
    assert _count(Job) == _count(ScreeningRun) == 0
    assert not jobs_folder.exists() or list(jobs_folder.iterdir()) == []  # no file kept


def test_a_file_over_the_size_limit_is_refused(app, officer, jobs_folder, monkeypatch):
    data = _csv(_rows(50))
    monkeypatch.setitem(app.config, "SCREENING_MAX_BYTES", len(data) - 1)
    with pytest.raises(TooLarge):
        _start(officer, data)
    assert _count(Job) == 0 and list(jobs_folder.iterdir()) == []


def test_a_threshold_out_of_range_is_refused(officer):
    with pytest.raises(ValidationError):
        _start(officer, _csv(_rows(3)), threshold=501)
    assert _count(Job) == 0


def test_start_creates_the_job_and_the_run_together(monkeypatch, officer, jobs_folder):
    data = _csv(_rows(4))
    run = _queued(monkeypatch, officer, data, "  week 12.csv ")
    job = run.job
    assert (run.source, run.input_name, run.threshold, run.finished_at, run.created_by_id) == (
        RunSource.BATCH, "week 12.csv", 50, None, officer.id)  # fmt: skip
    assert (job.kind, job.status, job.started_by_id, job.input_name) == (
        JobKind.SCREEN_DECLARATIONS, JobStatus.QUEUED, officer.id, "week 12.csv")  # fmt: skip
    assert job.parameters == {"threshold": 50, "file_name": "week 12.csv", "locale": "en"}
    assert job_files.file_path(job.input_file).read_bytes() == data


# --------------------------------------------------------------------------- the worker


def test_a_batch_is_screened_in_chunks_with_its_progress(officer, recorded, monkeypatch):
    monkeypatch.setattr(job_runs, "BEAT_SECONDS", 0)
    monkeypatch.setattr(screening_batches, "CHUNK_LINES", 4)
    seen, record = [], jobs.record_progress
    monkeypatch.setattr(
        jobs, "record_progress", lambda *a, **k: seen.append(a[1:]) or record(*a, **k)
    )
    run = _start(officer, _csv(_rows(10)))  # the job runs inline, after the commit
    job = _job(run.id)
    assert job.status == JobStatus.DONE, job.error
    run = db.session.get(ScreeningRun, run.id)
    assert (run.line_count, run.hit_lines, run.hits) == (10, 3, 3)
    assert run.finished_at is not None and run.index_version == current.version(db.session)
    assert job.summary == {"lines": 10, "hit_lines": 3, "hits": 3, "rows": 3}
    assert (job.done, job.total, job.percent) == (10, 10, 100)
    hits = db.session.scalars(select(ScreeningHit).order_by(ScreeningHit.position)).all()
    assert [(h.position, h.declaration_number, h.score) for h in hits] == [
        (3, "D000003", 50), (6, "D000006", 75), (9, "D000009", 50)]  # fmt: skip
    # The check pass (an estimate of the total, the rows read), then the chunks screened.
    reads = [s for s in seen if s[0] == "read"]
    screens = [s for s in seen if s[0] == "screen"]
    assert reads[0] == ("read", 0, 10) and reads[-1] == ("read", 10, 10)
    assert [done for _phase, done, _total in screens] == [0, 4, 8, 10]
    assert {total for _phase, _done, total in screens} == {10}
    assert seen.index(reads[-1]) < seen.index(screens[0])


def test_an_xlsx_batch_and_a_gb18030_csv_batch(officer, recorded):
    rows = _rows(6)
    rows[0][2] = "光明 Brightstar 台灯"
    gb18030 = _csv(rows).decode().encode("gb18030")
    for data, name in ((_xlsx(rows), "lines.xlsx"), (gb18030, "lines.csv")):
        run = _start(officer, data, name)
        assert _job(run.id).status == JobStatus.DONE
        assert (run.line_count, run.hits) == (6, 3)
    positions = db.session.scalars(select(ScreeningHit.position).order_by(ScreeningHit.id))
    assert list(positions) == [1, 3, 6, 1, 3, 6]


def test_a_file_with_wrong_lines_fails_with_its_report_and_stores_nothing(officer, recorded):
    rows = _rows(6)
    rows[1][1] = "two"
    rows[4][0] = ""
    run = _start(officer, _csv(rows))
    job = _job(run.id)
    assert job.status == JobStatus.FAILED and job.error == screening_batches.BAD_LINES
    assert job.error_lines == [
        "line 3, column line_number: Write a whole number from 1.",
        "line 6, column declaration_number: This column is required.",
    ]
    run = db.session.get(ScreeningRun, run.id)
    assert (run.line_count, run.hits, run.finished_at) == (0, 0, None)
    assert _count(ScreeningHit) == 0


def test_many_wrong_lines_are_counted_after_the_first_ones(officer):
    rows = [[f"D{n}", "x", "", "", ""] for n in range(60)]
    job = _job(_start(officer, _csv(rows)).id)
    assert len(job.error_lines) == 51 and job.error_lines[-1] == "… and 10 more wrong lines."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"description\nlamps\n", "line 1: the first row must name the columns"),
        (b"declaration_number,line_number\n\n,\n", "There are no declaration lines"),
        (b"declaration_number,line_number\nD1,1\n\xff\xfe\x81\x30", "The file is neither"),
    ],
)
def test_a_file_without_lines_fails(officer, data, expected, monkeypatch):
    monkeypatch.setattr(screening_batches, "HEAD_BYTES", 20)  # start_batch looks at the start
    job = _job(_start(officer, data).id)
    assert job.status == JobStatus.FAILED
    assert expected in job.error + " ".join(job.error_lines or [])


def test_a_failed_run_rerun_does_not_double_the_hits(officer, recorded, monkeypatch, make_user):
    """The worker fails after storing the first chunk; the re-run starts from no hits."""
    monkeypatch.setattr(screening_batches, "CHUNK_LINES", 6)
    original, calls = screening_batches.screen, []

    def fails_on_the_second_chunk(index, chunk, threshold):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("the worker's disk is full")
        return original(index, chunk, threshold)

    monkeypatch.setattr(screening_batches, "screen", fails_on_the_second_chunk)
    run = _start(officer, _csv(_rows(12)))
    job = _job(run.id)
    assert job.status == JobStatus.FAILED and job.error == jobs.UNEXPECTED_ERROR
    assert _count(ScreeningHit) == 2  # the first chunk's hits were committed
    jobs.rerun(make_user(Role.ADMIN), job.id)  # runs inline again
    job = _job(run.id)
    assert job.status == JobStatus.DONE and job.runs == 2
    run = db.session.get(ScreeningRun, run.id)
    assert (run.line_count, run.hit_lines, run.hits) == (12, 4, 4)
    assert _count(ScreeningHit, ScreeningHit.run_id == run.id) == 4


def test_a_chunk_that_found_the_database_busy_is_stored_once(officer, recorded, monkeypatch):
    monkeypatch.setattr(imports.time, "sleep", lambda seconds: None)
    original, calls = screening.add_results, []

    def busy_once(session, run, results, first_position):
        calls.append(first_position)
        original(session, run, results, first_position)
        if len(calls) == 1:
            raise DatabaseBusy()  # after writing: the rollback must drop this chunk's hits

    monkeypatch.setattr(screening, "add_results", busy_once)
    run = _start(officer, _csv(_rows(6)))
    assert _job(run.id).status == JobStatus.DONE and calls == [1, 1]
    run = db.session.get(ScreeningRun, run.id)
    assert run.hits == _count(ScreeningHit) == 2


def test_a_run_that_lost_its_job_stores_nothing(monkeypatch, officer, recorded):
    """The stale check failed the job, or a re-run claimed it: the old worker's chunk is
    refused in its own transaction."""
    run = _queued(monkeypatch, officer, _csv(_rows(3)))
    job_id = run.job_id
    jobs.claim(job_id)
    results = screening_batches.screen(current.current().index, [DeclarationLine("D", 1)], 50)
    with pytest.raises(ConflictError):
        screening_batches._store(job_id, 0, run.id, results, 1)  # an earlier claim's worker
    jobs.fail(job_id, "stale")
    with pytest.raises(ConflictError):
        screening_batches._store(job_id, 1, run.id, results, 1)
    assert db.session.get(ScreeningRun, run.id).line_count == 0


def test_the_admin_job_page_shows_a_screening_job(client, login, make_user, officer, recorded):
    run = _start(officer, _csv(_rows(3)))
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/jobs/{run.job_id}").get_data(as_text=True)
    assert "Screening of declarations" in page and "1 row" in page


# --------------------------------------------------------------------------- downloads


def _pasted(officer, *lines: DeclarationLine) -> ScreeningRun:
    run, _ = screening.screen_lines(officer, list(lines))
    return run


def _formula_lines() -> list[DeclarationLine]:
    return [
        DeclarationLine("D1", 1, description="BRIGHTSTAR lamps", hs_code="940510",
                        consignee="=HYPERLINK(\"http://x\")", port="Huangpu",
                        quantity=Decimal("500"), declared_value=Decimal("12000.50")),
        DeclarationLine("D1", 2, description="@SUM(1) brightstar", brand="+cmd"),
        DeclarationLine("D1", 3, description="cups"),
    ]  # fmt: skip


def test_the_csv_download_has_one_escaped_row_per_hit(client, login, officer, recorded):
    run = _pasted(officer, *_formula_lines())
    login(officer)
    response = _get(client, f"/screening/runs/{run.id}/hits.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"screening-{run.id}-hits.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(header) == COLUMNS
    found = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["line_number"], r["score"]) for r in found] == [("1", "75"), ("2", "50")]
    first, second = found
    assert first["consignee"] == '\'=HYPERLINK("http://x")'
    assert (second["description"], second["brand"]) == ("'@SUM(1) brightstar", "'+cmd")
    assert first["rules"] == "mark;hs_code"
    assert first["reasons"].split(" | ")[0] == (
        "The description contains the recorded mark “BRIGHTSTAR”."
    )
    assert first["recordation_number"] == recorded.number and first["port"] == "Huangpu"
    downloaded = select(SecurityEvent).where(
        SecurityEvent.action == SecurityAction.EXPORT_DOWNLOADED
    )
    event = db.session.scalars(downloaded).one()
    assert (event.actor_id, event.detail) == (officer.id, {"file": f"screening-{run.id}-hits.csv"})


def test_the_xlsx_download_has_the_same_rows(client, login, officer, recorded):
    run = _pasted(officer, *_formula_lines())
    login(officer)
    response = _get(client, f"/screening/runs/{run.id}/hits.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(header) == COLUMNS
    assert [(r[1], r[13]) for r in rows] == [(1, 75), (2, 50)]  # numbers stay numbers
    assert [(r[10], r[11]) for r in rows] == [(500, 12000.5), (None, None)]  # amounts too
    assert rows[0][8] == '\'=HYPERLINK("http://x")' and rows[1][6] == "'+cmd"


def test_a_batch_download_is_its_result_file_or_written_anew(client, login, officer, recorded):
    run = _start(officer, _csv(_rows(12)))
    login(officer)
    kept = _get(client, f"/screening/runs/{run.id}/hits.csv")
    assert kept.status_code == 200
    job = _job(run.id)
    assert job_files.file_path(job.result_file).read_bytes() == kept.data
    job_files.remove([job.result_file])  # e.g. removed after its week
    written = _get(client, f"/screening/runs/{run.id}/hits.csv")
    assert written.status_code == 200 and written.data == kept.data
    assert len(kept.get_data(as_text=True).splitlines()) == 1 + 4


def test_another_officers_run_is_not_found(client, login, make_user, officer, recorded):
    run = _pasted(officer, *_formula_lines())
    login(make_user(Role.OFFICER))
    for suffix in ("hits.csv", "hits.xlsx", "progress"):
        assert _get(client, f"/screening/runs/{run.id}/{suffix}").status_code == 404


def test_an_unfinished_batch_has_no_download_yet(client, login, officer, monkeypatch):
    run = _queued(monkeypatch, officer, _csv(_rows(3)))
    login(officer)
    assert _get(client, f"/screening/runs/{run.id}/hits.csv").status_code == 404
    assert _get(client, f"/screening/runs/{run.id}/hits.xlsx").status_code == 404


# --------------------------------------------------------------------------- progress


def _progress(client, run_id: int) -> dict:
    response = _get(client, f"/screening/runs/{run_id}/progress")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return json.loads(response.data)


def test_progress_of_a_batch_while_queued_running_and_failed(client, login, officer, monkeypatch):
    run = _queued(monkeypatch, officer, _csv(_rows(3)))
    login(officer)
    assert _progress(client, run.id) == {
        "status": "queued", "phase": None, "done": 0, "total": None, "percent": 0,
        "finished": False, "error": None, "error_lines": None,
    }  # fmt: skip
    jobs.claim(run.job_id)
    jobs.record_progress(run.job_id, "read", 50, 100)
    assert _progress(client, run.id)["percent"] == 5  # checking fills the first tenth
    jobs.record_progress(run.job_id, "screen", 50, 100)
    state = _progress(client, run.id)
    assert (state["status"], state["phase"], state["percent"]) == ("running", "screen", 55)
    jobs.fail(run.job_id, "Bad.", ["line 2, column x: y"])
    state = _progress(client, run.id)
    assert state["finished"] and (state["error"], state["error_lines"]) == (
        "Bad.", ["line 2, column x: y"])  # fmt: skip


def test_progress_of_a_run_screened_at_once(client, login, officer, recorded):
    run = _pasted(officer, *_formula_lines())
    login(officer)
    state = _progress(client, run.id)
    assert (state["status"], state["percent"], state["finished"], state["total"]) == (
        "done", 100, True, 3)  # fmt: skip


# --------------------------------------------------------------------------- the partial


def _partial(app, run_id: int) -> str:
    db.session.expire_all()
    run = db.session.get(ScreeningRun, run_id)
    with app.test_request_context(f"/screening/runs/{run_id}"):
        return render_template_string('{% include "screenings/_batch.html" %}', run=run)


def test_the_partial_while_running_failed_and_finished(app, officer, recorded, monkeypatch):
    run = _queued(monkeypatch, officer, _csv(_rows(3)))
    html = _partial(app, run.id)
    assert 'role="progressbar"' in html and 'aria-valuenow="0"' in html
    assert "Waiting for the worker" in html and "js/jobs.js" in html
    assert f'data-status-url="/screening/runs/{run.id}/progress"' in html
    jobs.claim(run.job_id)
    jobs.record_progress(run.job_id, "screen", 1200, 3000)
    html = _partial(app, run.id)
    assert 'aria-valuenow="46"' in html and "Screening: line 1,200 of 3,000." in html
    assert "hits.csv" not in html
    jobs.fail(run.job_id, "Some lines are wrong.", ["line 4, column port: Too long."])
    html = _partial(app, run.id)
    assert "progressbar" not in html and "line 4, column port: Too long." in html
    assert "Some lines are wrong." in html and "hits.csv" not in html
    assert "Correct these lines" in html
    finished = _pasted(officer, *_formula_lines())
    html = _partial(app, finished.id)
    assert f"/screening/runs/{finished.id}/hits.csv" in html and "hits.xlsx" in html
    assert "progressbar" not in html
