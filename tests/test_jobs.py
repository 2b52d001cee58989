"""Jobs started from the web: the service (claim once, progress, failure report, stale
heartbeat → failed → re-run, expiry) and the pages (upload an import, export statistics as a
file, the jobs list, the job page and its JSON). Tasks run inline here (JOBS_IMMEDIATE);
tests/test_jobs_live.py runs them in a real worker."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import threading
import time
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import OperationalError

from ipr_apps.db import db
from ipr_apps.errors import (
    ConflictError,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from ipr_apps.models import Job, JobKind, JobStatus, Role, utcnow
from ipr_apps.models.base import clock_at
from ipr_apps.services import imports, job_files, job_runs, jobs
from ipr_apps.services.periods import By
from tests.import_files import counts, csv_text, rejected, row

EXPORT = {"by": "half", "from": "2019-01-01", "to": "2019-12-31", "group_by": None, "format": "csv"}
NOTHING = [0, 0, 0, 0, 0, 0]  # rows in the import's tables (import_files.TABLES)


@pytest.fixture(autouse=True)
def jobs_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    monkeypatch.setitem(app.config, "JOBS_FOLDER", str(folder))
    return folder


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Admin Wu")


def _history(count: int = 3) -> str:
    """`count` valid rows: approvals in 2019-H1 with their own numbers, every third rejected."""
    rows = []
    for n in range(1, count + 1):
        number = f"HIST-{n:06d}"
        if n % 3 == 0:
            rows.append(rejected(f"OLD-{n}", right_number=f"TM-{n}"))
        else:
            rows.append(row(f"OLD-{n}", right_number=f"TM-{n}", recordation_number=number))
    return csv_text(*rows)


def _fresh(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _queued(admin, kind=JobKind.EXPORT_STATS, **values) -> Job:
    """A job row as the service creates it, not yet handed to any worker."""
    values.setdefault("parameters", dict(EXPORT))
    job = Job(kind=kind, started_by_id=admin.id, **values)
    db.session.add(job)
    db.session.commit()
    return job


def _queued_import(admin, text: str) -> Job:
    name = job_files.new_file_name("csv")
    job_files.folder().mkdir(parents=True, exist_ok=True)
    job_files.file_path(name).write_text(text, encoding="utf-8")
    return _queued(admin, JobKind.IMPORT_RECORDATIONS, parameters={"file_name": "h.csv"},
                   input_file=name, input_name="h.csv")  # fmt: skip


# --------------------------------------------------------------------------- the service


def test_a_job_is_claimed_once(admin):
    job = _queued(admin)
    assert jobs.claim(job.id) is True
    assert jobs.claim(job.id) is False  # the second worker loses
    claimed = _fresh(job.id)
    assert claimed.status == JobStatus.RUNNING and claimed.runs == 1
    assert claimed.started_at == claimed.heartbeat_at is not None
    assert job_runs.run(job.id) is None  # a duplicate task does nothing


def test_two_workers_claiming_at_once_have_one_winner(app, admin):
    job_id = _queued(admin).id
    barrier, wins = threading.Barrier(4), []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            wins.append(jobs.claim(job_id))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False, False, False, True]


def test_progress_and_heartbeat(admin):
    job = _queued(admin, JobKind.IMPORT_RECORDATIONS)
    start = utcnow()
    with clock_at(start):
        jobs.claim(job.id)
    with clock_at(start + timedelta(seconds=30)):
        assert jobs.record_progress(job.id, "check", 40, 100)
    job = _fresh(job.id)
    assert (job.phase, job.done, job.total, job.percent) == ("check", 40, 100, 20)
    assert job.heartbeat_at == start + timedelta(seconds=30)
    jobs.record_progress(job.id, "import", 50)  # the write pass fills the second half
    assert (_fresh(job.id).total, _fresh(job.id).percent) == (100, 75)
    jobs.fail(job.id, "stopped")
    assert jobs.record_progress(job.id, "import", 60) is False  # no longer running


def test_an_import_reports_its_progress_through_both_passes(admin, monkeypatch):
    seen = []
    record = jobs.record_progress
    monkeypatch.setattr(job_runs, "BEAT_SECONDS", 0)
    monkeypatch.setattr(
        jobs, "record_progress", lambda *a, **k: seen.append(a[1:3]) or record(*a, **k)
    )
    job = _queued_import(admin, _history(2500))
    assert job_runs.run(job.id) == JobStatus.DONE
    last_check = max(i for i, (phase, _line) in enumerate(seen) if phase == "check")
    assert seen[0] == ("check", 0) and seen[last_check + 1] == ("import", 0)
    assert max(line for phase, line in seen if phase == "check") == 2501  # the last row's line
    if db.engine.dialect.name != "sqlite":  # SQLite: the write pass holds the only write lock
        assert any(phase == "import" and line > 0 for phase, line in seen)
    done = _fresh(job.id)
    assert done.summary == {"imported": 2500, "skipped": 0} and done.percent == 100
    assert done.total == 2501  # lines in the file, the header's included


def test_a_progress_write_that_fails_does_not_stop_the_import(admin, monkeypatch):
    record = jobs.record_progress
    failures = []

    def locked_once(*args, **kwargs):
        if not failures:
            failures.append(args)
            raise OperationalError("UPDATE jobs", {}, Exception("database is locked"))
        return record(*args, **kwargs)

    monkeypatch.setattr(jobs, "record_progress", locked_once)
    job = _queued_import(admin, _history(3))
    assert job_runs.run(job.id) == JobStatus.DONE and failures and counts()[0] == 3


def test_an_import_that_finds_the_database_busy_fails_with_a_clear_error(admin, monkeypatch):
    """Busy at every try of the final swap: the job fails saying so (not "unexpectedly"), and
    nothing is imported; a re-run can then succeed."""

    def busy(*_args) -> None:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(imports, "swap", busy)
    monkeypatch.setattr(imports.time, "sleep", lambda _seconds: None)
    job = _queued_import(admin, _history(3))
    assert job_runs.run(job.id) == JobStatus.FAILED
    assert _fresh(job.id).error == job_runs.BUSY_ERROR and counts()[0] == 0


def test_a_bad_file_fails_with_the_error_report_and_imports_nothing(admin):
    text = csv_text(
        row("OLD-1"),
        row("OLD-2", decided_on="2019-02-30", ipr_type="brand", recordation_number="X-2"),
    )
    job = _queued_import(admin, text)
    assert job_runs.run(job.id) == JobStatus.FAILED
    job = _fresh(job.id)
    assert job.error == "1 invalid row; nothing was imported."
    assert job.error_lines == [
        "line 3, column ipr_type: brand is not one of trademark, copyright, patent_invention, "
        "patent_utility_model, patent_design",
        "line 3, column decided_on: 2019-02-30 is not a date (YYYY-MM-DD)",
    ]
    assert job.finished_at and job.expires_at == job.finished_at + jobs.RESULT_DAYS
    assert counts() == NOTHING


def test_an_unexpected_error_fails_the_job_without_details(admin, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(job_runs.RUNNERS, JobKind.EXPORT_STATS, broken)
    job = _queued(admin)
    assert job_runs.run(job.id) == JobStatus.FAILED
    assert _fresh(job.id).error == jobs.UNEXPECTED_ERROR


def test_a_stale_heartbeat_fails_the_job_which_is_re_run(admin, make_user):
    job = _queued_import(admin, _history(3))
    start = utcnow()
    with clock_at(start):
        jobs.claim(job.id)  # ...and the worker is killed before it writes anything
    with clock_at(start + jobs.STALE_AFTER - timedelta(seconds=1)):
        assert jobs.mark_stale_failed() == 0
    with clock_at(start + jobs.STALE_AFTER + timedelta(seconds=1)):
        assert jobs.mark_stale_failed() == 1
    failed = _fresh(job.id)
    assert failed.status == JobStatus.FAILED and "worker stopped" in failed.error
    assert counts() == NOTHING
    with pytest.raises(PermissionDenied):
        jobs.rerun(make_user(Role.REVIEWER), job.id)
    other = make_user(Role.ADMIN)
    jobs.rerun(other, job.id)  # back on the queue, and run at once here
    done = _fresh(job.id)
    assert done.status == JobStatus.DONE and done.runs == 2 and done.error is None
    assert done.started_by_id == other.id  # who started this run
    assert done.summary == {"imported": 3, "skipped": 0} and counts()[0] == 3
    with pytest.raises(TransitionError):
        jobs.rerun(admin, job.id)  # only failed jobs


def test_a_job_failed_meanwhile_imports_nothing(app, admin, monkeypatch):
    """Another worker marks the job failed (its heartbeat looked stale) while the import runs:
    the import's own commit checks the job, so the rows are not saved."""
    opened = job_runs._Progress.opened

    def stale_check_in_another_worker(progress) -> None:
        opened(progress)
        if progress.opens == 2:  # the write pass starts

            def mark() -> None:
                with app.app_context(), clock_at(utcnow() + timedelta(hours=1)):
                    jobs.mark_stale_failed()

            thread = threading.Thread(target=mark)
            thread.start()
            thread.join()

    monkeypatch.setattr(job_runs._Progress, "opened", stale_check_in_another_worker)
    job = _queued_import(admin, _history(5))
    assert job_runs.run(job.id) == JobStatus.FAILED
    assert "worker stopped" in _fresh(job.id).error
    assert counts() == NOTHING


def test_a_worker_killed_right_after_the_import_commits_leaves_a_done_job(admin, monkeypatch):
    """The import's commit records that the rows are saved: the stale check then ends the job
    done (not failed, which would invite a re-run)."""

    def killed(*args, **kwargs):
        raise RuntimeError("SIGKILL")

    monkeypatch.setattr(jobs, "finish", killed)
    job = _queued_import(admin, _history(3))
    job_runs.run(job.id)
    saved = _fresh(job.id)
    assert (saved.status, saved.phase, saved.percent) == (JobStatus.RUNNING, "saved", 100)
    assert counts()[0] == 3
    with clock_at(utcnow() + jobs.STALE_AFTER + timedelta(seconds=1)):
        assert jobs.mark_stale_failed() == 0
    assert _fresh(job.id).status == JobStatus.DONE and counts()[0] == 3


def test_a_job_the_queue_lost_is_handed_out_again(admin):
    start = utcnow()
    with clock_at(start - jobs.REQUEUE_AFTER - timedelta(seconds=1)):
        lost = _queued(admin)
    recent = _queued(admin)
    with clock_at(start):
        assert jobs.requeue_lost() == 1  # runs at once here
    assert _fresh(lost.id).status == JobStatus.DONE
    assert _fresh(recent.id).status == JobStatus.QUEUED


def test_results_expire_after_a_week(admin, jobs_folder):
    job = jobs.start_export(admin, By.HALF, date(2019, 1, 1), date(2019, 12, 31), None, "csv")
    job = _fresh(job.id)
    result = jobs_folder / job.result_file
    assert job.status == JobStatus.DONE and result.is_file()
    assert job.expires_at == job.finished_at + timedelta(days=7)
    with clock_at(job.expires_at - timedelta(seconds=1)):
        assert jobs.purge_expired() == 0
        assert jobs.result_path(_fresh(job.id)) == result
    with clock_at(job.expires_at):
        assert jobs.result_path(_fresh(job.id)) is None  # no longer handed out
        assert jobs.purge_expired() == 1
        assert jobs.purge_expired() == 0
    assert not result.exists() and _fresh(job.id).result_file is None


def test_an_expired_failed_import_loses_its_file_and_cannot_be_re_run(admin, jobs_folder):
    job = _queued_import(admin, csv_text(row("OLD-1", decision="maybe")))
    job_runs.run(job.id)
    job = _fresh(job.id)
    upload = jobs_folder / job.input_file
    assert job.status == JobStatus.FAILED and upload.is_file() and job.error_lines
    with clock_at(job.expires_at):
        assert jobs.purge_expired() == 1
        job = _fresh(job.id)
        assert not upload.exists() and job.input_file is None and job.error_lines is None
        with pytest.raises(TransitionError):
            jobs.rerun(admin, job.id)


def test_purge_removes_old_files_no_job_refers_to(admin, jobs_folder):
    job = _queued_import(admin, _history(1))
    jobs_folder.mkdir(exist_ok=True)
    old_orphan, new_orphan = jobs_folder / "old.csv", jobs_folder / "new.csv"
    for path in (old_orphan, new_orphan):
        path.write_text("x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    os.utime(jobs_folder / job.input_file, (two_days_ago, two_days_ago))
    jobs.purge_expired()
    assert not old_orphan.exists() and new_orphan.exists()
    assert (jobs_folder / job.input_file).exists()  # its job still needs it


def test_only_admins_start_jobs_and_exports_are_checked(make_user, admin):
    reviewer = make_user(Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        jobs.start_import(reviewer, io.BytesIO(b"x"), "h.csv")
    with pytest.raises(PermissionDenied):
        jobs.start_export(reviewer, By.HALF, date(2019, 1, 1), date(2019, 6, 30), None, "csv")
    with pytest.raises(ValidationError):
        jobs.start_export(admin, By.HALF, date(2019, 1, 1), date(2019, 6, 30), None, "pdf")
    with pytest.raises(ValidationError):
        jobs.start_export(admin, By.HALF, date(2019, 6, 1), date(2019, 1, 1), None, "csv")
    with pytest.raises(ValidationError):
        jobs.start_import(admin, io.BytesIO(b""), "empty.csv")
    assert list(job_files.folder().glob("*")) == []  # no file kept for a job never created


def test_a_re_run_lost_to_another_admin_is_a_conflict(admin, monkeypatch):
    job = _queued_import(admin, csv_text(row("OLD-1", decision="maybe")))
    job_runs.run(job.id)
    real_get = jobs.get

    def get_then_someone_else_reruns(job_id):
        found = real_get(job_id)
        with db.engine.begin() as conn:
            conn.execute(
                Job.__table__.update()
                .where(Job.id == job_id)
                .values(status="queued", started_at=None, finished_at=None)
            )
        return found

    monkeypatch.setattr(jobs, "get", get_then_someone_else_reruns)
    with pytest.raises(ConflictError):
        jobs.rerun(admin, job.id)


# --------------------------------------------------------------------------- the pages


def _upload(client, text: str, name: str = "history.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/admin/jobs/import", data=data, content_type="multipart/form-data")


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(True)[:500]
    return int(re.fullmatch(r"/admin/jobs/(\d+)", response.headers["Location"])[1])


def test_upload_runs_the_import_and_the_figures_are_in_the_statistics(client, login, admin):
    login(admin)
    form = client.get("/admin/jobs/import").get_data(True)
    assert 'enctype="multipart/form-data"' in form and "reference,ipr_type," in form
    job_id = _job_id(_upload(client, _history(6)))
    page = client.get(f"/admin/jobs/{job_id}").get_data(True)
    assert 'data-testid="job-status">done<' in page
    assert "Imported 6 recordations; skipped 0 already present." in page
    assert "history.csv" in page and "Admin Wu" in page
    assert counts()[0] == 6
    stats = client.get("/stats/?by=half&from=2019-01-01&to=2019-06-30").get_data(True)
    received, approved, rejected_ = re.search(
        r'<th scope="row">2019-H1</th><td class="text-end">([\d,]+)</td>\s*'
        r'<td class="text-end">([\d,]+)</td><td class="text-end">([\d,]+)</td>',
        stats,
    ).groups()
    assert (received, approved, rejected_) == ("6", "4", "2")
    again = _job_id(_upload(client, _history(6)))  # the same file again changes nothing
    assert _fresh(again).summary == {"imported": 0, "skipped": 6}
    listed = client.get("/admin/jobs").get_data(True)
    assert "0 imported, 6 skipped" in listed and "6 imported, 0 skipped" in listed


def test_a_bad_file_shows_failed_with_line_and_column_errors(client, login, admin):
    login(admin)
    text = csv_text(row("OLD-1"), row("OLD-2", decision="rejected", recordation_number=""))
    job_id = _job_id(_upload(client, text))
    page = client.get(f"/admin/jobs/{job_id}").get_data(True)
    assert 'data-testid="job-status">failed<' in page
    assert "1 invalid row; nothing was imported." in page
    assert (
        "<li>line 3, column valid_until: must be empty when the decision is rejected</li>" in page
    )
    assert "Re-run this job" in page
    assert counts() == NOTHING
    state = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert state["status"] == "failed" and state["result_url"] is None
    listed = client.get("/admin/jobs").get_data(True)
    assert f"/admin/jobs/{job_id}#report" in listed and "Re-run" in listed


def test_an_empty_upload_is_refused_beside_the_field(client, login, admin):
    login(admin)
    response = _upload(client, "")
    assert response.status_code == 200
    assert "The file is empty." in response.get_data(True)
    assert db.session.query(Job).count() == 0


def test_the_import_page_takes_files_larger_than_other_uploads(
    app, client, login, admin, monkeypatch
):
    login(admin)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 100_000)
    assert _job_id(_upload(client, _history(40))) > 0  # ~5 KB
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 3000)
    assert _upload(client, _history(40)).status_code == 413


def _export_job(client, fmt: str, **args) -> int:
    form = {"by": "half", "from": "2018-01-01", "to": "2019-06-30", "format": fmt, **args}
    return _job_id(client.post("/stats/export-job", data=form))


def test_an_export_job_gives_the_file_export_stats_writes(client, login, runner, admin, tmp_path):
    result = runner.invoke(args=["ipr", "import-recordations", str(_write(tmp_path, 7))])
    assert result.exit_code == 0, result.output
    login(admin)
    assert 'data-testid="export-job"' in client.get("/stats/").get_data(True)
    cli = ["ipr", "export-stats", "--by", "half", "--from", "2018-01-01", "--to", "2019-06-30"]
    for fmt in ("csv", "json"):
        job_id = _export_job(client, fmt)
        page = client.get(f"/admin/jobs/{job_id}").get_data(True)
        assert f"Download ipr-stats-half-2018-01-01-2019-06-30.{fmt}" in page
        download = client.get(f"/admin/jobs/{job_id}/result")
        body = download.get_data(True)
        download.close()
        assert download.status_code == 200
        disposition = download.headers["Content-Disposition"]
        assert disposition == f"attachment; filename=ipr-stats-half-2018-01-01-2019-06-30.{fmt}"
        expected = runner.invoke(args=[*cli, "--format", fmt]).stdout_bytes.decode()
        if fmt == "csv":  # with a BOM for spreadsheets, as the page's direct download
            expected = "\ufeff" + expected
            direct = client.get("/stats/export.csv?by=half&from=2018-01-01&to=2019-06-30")
            assert body == direct.get_data(True)
        assert body == expected
        state = client.get(f"/admin/jobs/{job_id}.json").get_json()
        assert state == {
            "id": job_id, "status": "done", "phase": "export", "done": 3, "total": 3,
            "percent": 100, "finished": True, "result_url": f"/admin/jobs/{job_id}/result",
        }  # fmt: skip


def test_an_xlsx_export_job_has_the_cli_rows(client, login, runner, admin, tmp_path):
    runner.invoke(args=["ipr", "import-recordations", str(_write(tmp_path, 4))])
    login(admin)
    job_id = _export_job(client, "xlsx", group_by="ipr_type")
    mine = tmp_path / "job.xlsx"
    download = client.get(f"/admin/jobs/{job_id}/result")
    mine.write_bytes(download.data)
    download.close()
    theirs = tmp_path / "cli.xlsx"
    cli = ["ipr", "export-stats", "--by", "half", "--from", "2018-01-01", "--to", "2019-06-30",
           "--group-by", "ipr_type", "--format", "xlsx", "--output", str(theirs)]  # fmt: skip
    assert runner.invoke(args=cli).exit_code == 0
    assert _sheet(mine) == _sheet(theirs) and len(_sheet(mine)) > 1


def _write(tmp_path, count: int):
    path = tmp_path / "history.csv"
    path.write_text(_history(count), encoding="utf-8")
    return path


def _sheet(path) -> list[tuple]:
    return list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))


def test_job_files_are_for_admins_only(client, login, admin, make_user):
    job = jobs.start_export(admin, By.HALF, date(2019, 1, 1), date(2019, 6, 30), None, "json")
    url = f"/admin/jobs/{job.id}"
    login(make_user(Role.ADMIN))  # another admin: the jobs page is shared by all admins
    download = client.get(f"{url}/result")
    download.close()
    assert download.status_code == 200
    for role in (Role.REVIEWER, Role.HOLDER):
        login(make_user(role))
        for path in (url, f"{url}.json", f"{url}/result", "/admin/jobs", "/admin/jobs/import"):
            assert client.get(path).status_code == 403, (role, path)
        assert client.post(f"{url}/rerun").status_code == 403
        assert client.post("/stats/export-job", data={"format": "csv"}).status_code == 403
    login(admin)
    assert client.get("/admin/jobs/999999").status_code == 404
    assert client.get("/admin/jobs/999999.json").status_code == 404
    assert client.get("/admin/jobs/999999/result").status_code == 404
    assert client.post("/admin/jobs/999999/rerun").status_code == 404


def test_reviewers_see_no_export_job_buttons(client, login, make_user):
    login(make_user(Role.REVIEWER))
    assert 'data-testid="export-job"' not in client.get("/stats/").get_data(True)


def test_a_running_job_page_has_a_progress_bar_that_works_without_script(client, login, admin):
    job = _queued_import(admin, _history(1))
    jobs.claim(job.id)
    jobs.record_progress(job.id, "check", 40, 100)
    login(admin)
    page = client.get(f"/admin/jobs/{job.id}").get_data(True)
    assert 'role="progressbar"' in page and 'aria-valuenow="20"' in page
    assert "Checking the file: line 40 of 100." in page
    assert f'data-status-url="/admin/jobs/{job.id}.json"' in page
    assert '<script src="/static/js/jobs.js" defer></script>' in page
    assert "<noscript>" in page and "reload it</a> to see the progress" in page
    state = client.get(f"/admin/jobs/{job.id}.json")
    assert state.headers["Cache-Control"] == "no-store"
    assert state.get_json() == {
        "id": job.id, "status": "running", "phase": "check", "done": 40, "total": 100,
        "percent": 20, "finished": False, "result_url": None,
    }  # fmt: skip


def test_the_jobs_list_is_newest_first_in_keyset_pages(app, client, login, admin, monkeypatch):
    ids = [_queued(admin).id for _ in range(3)]
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(admin)
    first = client.get("/admin/jobs").get_data(True)
    assert re.findall(r'data-job-id="(\d+)"', first) == [str(ids[2]), str(ids[1])]
    assert "Admin Wu" in first and "queued" in first
    next_url = re.search(r'rel="next"\s+href="([^"]+)"', first)[1].replace("&amp;", "&")
    second = client.get(next_url).get_data(True)
    assert re.findall(r'data-job-id="(\d+)"', second) == [str(ids[0])]
    assert 'href="/admin/jobs">Jobs</a>' in first  # the admin's nav link


def test_re_run_from_the_page(client, login, admin):
    job = _queued_import(admin, _history(2))
    jobs.claim(job.id)
    with clock_at(utcnow() + timedelta(hours=1)):
        jobs.mark_stale_failed()
    login(admin)
    response = client.post(f"/admin/jobs/{job.id}/rerun")
    assert response.headers["Location"] == f"/admin/jobs/{job.id}"
    assert _fresh(job.id).status == JobStatus.DONE and counts()[0] == 2
    again = client.post(f"/admin/jobs/{job.id}/rerun", follow_redirects=True).get_data(True)
    assert "Only a failed job can be re-run." in again


def test_an_expired_job_page_says_so(client, login, admin):
    job = jobs.start_export(admin, By.HALF, date(2019, 1, 1), date(2019, 6, 30), None, "csv")
    job = _fresh(job.id)
    job.finished_at, job.expires_at = utcnow() - timedelta(days=8), utcnow() - timedelta(days=1)
    db.session.commit()
    assert jobs.purge_expired() == 1
    login(admin)
    assert 'data-testid="job-expired"' in client.get(f"/admin/jobs/{job.id}").get_data(True)
    assert client.get(f"/admin/jobs/{job.id}/result").status_code == 404
    assert json.loads(client.get(f"/admin/jobs/{job.id}.json").data)["result_url"] is None
