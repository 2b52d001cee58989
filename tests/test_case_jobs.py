"""Jobs of the border side: importing detention cases from an uploaded CSV (the contract of
`flask ipr import-cases`) and exporting the enforcement statistics (the rows of `flask ipr
export-enforcement-stats`). Tasks run inline here (JOBS_IMMEDIATE), as in tests/test_jobs.py."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, PermissionDenied
from ipr_apps.models import DetentionCase, Job, JobKind, JobStatus, Role, utcnow
from ipr_apps.models.base import clock_at
from ipr_apps.services import case_imports, job_files, job_runs, jobs
from tests.test_import_cases import case, text_of

RANGE = {"by": "half", "from": "2018-01-01", "to": "2019-06-30"}


@pytest.fixture(autouse=True)
def jobs_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    monkeypatch.setitem(app.config, "JOBS_FOLDER", str(folder))
    return folder


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Admin Wu")


def _history() -> str:
    """Five cases: three in 2019-H1, two in 2018-H1, on two ports and two channels."""
    return text_of(
        case("H-1", opened_on="2019-02-01", items="1000", value_cny="100.10"),
        case("H-2", opened_on="2019-03-05", items="3000", value_cny="250.25", port_code="5300"),
        case("H-3", opened_on="2019-06-30", items="20", channel="post", outcome=""),
        case("H-4", opened_on="2018-01-15", items="500", value_cny="99.99"),
        case("H-5", opened_on="2018-06-01", items="40", channel="post", port_code="5300"),
    )


def _stored() -> list[str]:
    db.session.rollback()
    stmt = select(DetentionCase.case_number).order_by(DetentionCase.case_number)
    return list(db.session.scalars(stmt))


def _fresh(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _upload(client, text: str, name: str = "cases.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/admin/jobs/import-cases", data=data, content_type="multipart/form-data")


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(True)[:500]
    return int(re.fullmatch(r"/admin/jobs/(\d+)", response.headers["Location"])[1])


def _queued_import(admin, text: str) -> Job:
    name = job_files.new_file_name("csv")
    job_files.folder().mkdir(parents=True, exist_ok=True)
    job_files.file_path(name).write_text(text, encoding="utf-8")
    job = Job(kind=JobKind.IMPORT_CASES, started_by_id=admin.id, input_file=name,
              input_name="cases.csv", parameters={"file_name": "cases.csv"})  # fmt: skip
    db.session.add(job)
    db.session.commit()
    return job


# --------------------------------------------------------------------------- importing cases


def test_the_jobs_page_offers_both_imports(client, login, admin):
    login(admin)
    page = client.get("/admin/jobs").get_data(True)
    assert 'href="/admin/jobs/import"' in page and "Import recordations" in page
    assert 'href="/admin/jobs/import-cases"' in page and "Import detention cases" in page
    form = client.get("/admin/jobs/import-cases").get_data(True)
    assert 'enctype="multipart/form-data"' in form and 'name="csrf_token"' in form
    assert "case_number,opened_on,port_code,channel," in form


def test_an_uploaded_case_file_is_imported_and_again_adds_nothing(client, login, admin):
    login(admin)
    job_id = _job_id(_upload(client, _history()))
    job = _fresh(job_id)
    assert (job.kind, job.status, job.summary) == (
        JobKind.IMPORT_CASES, JobStatus.DONE, {"imported": 5, "skipped": 0}
    )  # fmt: skip
    assert _stored() == ["H-1", "H-2", "H-3", "H-4", "H-5"]
    stored = db.session.scalars(select(DetentionCase).where(DetentionCase.case_number == "H-2"))
    assert stored.one().items == 3000
    page = client.get(f"/admin/jobs/{job_id}").get_data(True)
    assert f"Job {job_id}: Import of detention cases" in page
    assert "Imported 5 detention cases; skipped 0 already present." in page
    state = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert (state["status"], state["percent"], state["done"], state["total"]) == ("done", 100, 6, 6)
    again = _job_id(_upload(client, _history()))
    assert _fresh(again).status == JobStatus.DONE
    assert _fresh(again).summary == {"imported": 0, "skipped": 5}
    assert len(_stored()) == 5
    listed = client.get("/admin/jobs").get_data(True)
    assert "Import of detention cases" in listed and "0 imported, 5 skipped" in listed


def test_a_bad_case_file_fails_with_the_cli_errors_and_stores_nothing(
    client, login, runner, admin, tmp_path
):
    text = text_of(
        case("B-1"), case("B-2", items="-1"), case("B-1", value_cny="1.234"),
        case("B-4", channel="ship", opened_on="2019-02-30"),
    )  # fmt: skip
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    cli = runner.invoke(args=["ipr", "import-cases", str(path)])
    assert cli.exit_code != 0
    cli_lines = [line for line in cli.stderr.splitlines() if line.startswith("line ")]
    login(admin)
    job_id = _job_id(_upload(client, text))
    job = _fresh(job_id)
    assert job.status == JobStatus.FAILED and job.error_lines == cli_lines
    assert len(cli_lines) >= 4 and all(
        re.fullmatch(r"line \d+, column [a-z_]+: .+", line) for line in cli_lines
    )
    assert any(line.startswith("line 3, column items: ") for line in cli_lines)
    assert _stored() == []
    page = client.get(f"/admin/jobs/{job_id}").get_data(True)
    assert 'data-testid="job-status">failed<' in page and "Re-run this job" in page
    assert f"<li>{cli_lines[0]}</li>" in page


def test_a_case_import_reports_one_pass_of_lines(admin, monkeypatch):
    monkeypatch.setattr(case_imports, "BATCH_ROWS", 2)
    monkeypatch.setattr(job_runs, "BEAT_SECONDS", 0)
    seen = []
    original = jobs.record_progress

    def spy(job_id, phase, done, total=None):
        seen.append((phase, done, total))
        return original(job_id, phase, done, total)

    monkeypatch.setattr(jobs, "record_progress", spy)
    job = _queued_import(admin, _history())
    assert job_runs.run(job.id) == JobStatus.DONE
    assert seen[0] == ("cases", 0, 6)
    assert {phase for phase, _, _ in seen} == {"cases"}
    lines = [done for _, done, _ in seen]
    assert lines == sorted(lines) and lines[-1] == 6 and len(lines) >= 4
    assert _fresh(job.id).phase == "saved"  # the import's commit recorded it


def test_the_percent_of_a_case_import_runs_over_its_one_pass(admin):
    job = _queued_import(admin, _history())
    jobs.claim(job.id)
    jobs.record_progress(job.id, job_runs.CASES_PHASE, 3, 6)
    assert _fresh(job.id).percent == 50


def test_a_case_import_failed_meanwhile_stores_nothing(admin, monkeypatch):
    """The swap's commit checks that the job still runs (a stale check may have failed it)."""
    job = _queued_import(admin, _history())
    assert jobs.claim(job.id)
    monkeypatch.setattr(jobs, "record_progress", lambda *args, **kwargs: True)
    jobs.fail(job.id, "stopped")
    with pytest.raises(ConflictError):
        job_runs._import_cases(_fresh(job.id))
    assert _stored() == []


def test_a_worker_killed_right_after_the_case_import_commits_leaves_a_done_job(admin, monkeypatch):
    def killed(*args, **kwargs):
        raise RuntimeError("SIGKILL")

    monkeypatch.setattr(jobs, "finish", killed)
    job = _queued_import(admin, _history())
    job_runs.run(job.id)
    saved = _fresh(job.id)
    assert (saved.status, saved.phase, saved.percent) == (JobStatus.RUNNING, "saved", 100)
    with clock_at(utcnow() + jobs.STALE_AFTER + timedelta(seconds=1)):
        assert jobs.mark_stale_failed() == 0
    assert _fresh(job.id).status == JobStatus.DONE and len(_stored()) == 5


def test_a_failed_case_import_is_re_run_with_its_file(client, login, admin):
    job = _queued_import(admin, _history())
    jobs.claim(job.id)
    with clock_at(utcnow() + timedelta(hours=1)):
        jobs.mark_stale_failed()
    assert _fresh(job.id).status == JobStatus.FAILED
    login(admin)
    client.post(f"/admin/jobs/{job.id}/rerun")
    assert _fresh(job.id).status == JobStatus.DONE and len(_stored()) == 5


# --------------------------------------------------------------------------- enforcement export


def _import_history(runner, tmp_path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(_history(), encoding="utf-8")
    result = runner.invoke(args=["ipr", "import-cases", str(path)])
    assert result.exit_code == 0, result.output


def _sheet(path) -> list[tuple]:
    return list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))


def _export_job(client, fmt: str, **args) -> int:
    form = {**RANGE, "figures": "enforcement", "format": fmt, **args}
    return _job_id(client.post("/stats/export-job", data=form))


def _download(client, job_id: int):
    response = client.get(f"/admin/jobs/{job_id}/result")
    body = response.data
    response.close()
    assert response.status_code == 200
    return body, response.headers["Content-Disposition"]


CLI = ["ipr", "export-enforcement-stats", "--by", "half", "--from", "2018-01-01",
       "--to", "2019-06-30"]  # fmt: skip


@pytest.mark.parametrize("group_by", [None, "channel", "port"])
def test_an_enforcement_export_job_gives_the_cli_file(client, login, runner, admin, tmp_path,
                                                      group_by):  # fmt: skip
    _import_history(runner, tmp_path)
    login(admin)
    grouping = {"enforcement_group_by": group_by} if group_by else {}
    cli_group = ["--group-by", group_by] if group_by else []
    suffix = f"-{group_by}" if group_by else ""
    for fmt in ("csv", "json"):
        job_id = _export_job(client, fmt, **grouping)
        job = _fresh(job_id)
        assert (job.kind, job.status) == (JobKind.EXPORT_ENFORCEMENT, JobStatus.DONE)
        body, disposition = _download(client, job_id)
        name = f"ipr-enforcement-half-2018-01-01-2019-06-30{suffix}.{fmt}"
        assert disposition == f"attachment; filename={name}"
        expected = runner.invoke(args=[*CLI, *cli_group, "--format", fmt]).stdout_bytes
        if fmt == "csv":  # with a BOM for spreadsheets, as the page's direct download
            query = "&".join(f"{k}={v}" for k, v in {**RANGE, **grouping}.items())
            direct = client.get(f"/stats/export.csv?figures=enforcement&{query}")
            assert body == direct.data
            assert disposition == direct.headers["Content-Disposition"]
            expected = "\ufeff".encode() + expected
        assert body == expected
        if fmt == "csv" and group_by is None:  # counted by hand from _history()
            assert b"\r\n2019-H1,,3,4020,35950.85,2,540,35700.49,50.0,644.4,0.7\r\n" in body


def test_an_xlsx_enforcement_export_job_has_the_cli_rows(client, login, runner, admin, tmp_path):
    _import_history(runner, tmp_path)
    login(admin)
    job_id = _export_job(client, "xlsx", enforcement_group_by="mode")
    mine = tmp_path / "job.xlsx"
    mine.write_bytes(_download(client, job_id)[0])
    theirs = tmp_path / "cli.xlsx"
    cli = [*CLI, "--group-by", "mode", "--format", "xlsx", "--output", str(theirs)]
    assert runner.invoke(args=cli).exit_code == 0
    assert _sheet(mine) == _sheet(theirs) and len(_sheet(mine)) == 1 + 3 * 2  # 3 halves × 2 modes
    page = client.get(f"/admin/jobs/{job_id}").get_data(True)
    assert "Enforcement statistics export" in page
    assert "detention cases per half-year, 1 Jan 2018 to 30 Jun 2019, by mode, XLSX" in page


def test_the_stats_page_offers_the_enforcement_export_job_to_admins(
    client, login, admin, make_user
):
    login(admin)
    page = client.get("/stats/?enforcement_group_by=channel").get_data(True)
    form = re.search(r'<form[^>]*data-testid="enforcement-export-job".*?</form>', page, re.S)[0]
    assert 'name="figures" value="enforcement"' in form and 'name="csrf_token"' in form
    assert 'name="enforcement_group_by" value="channel"' in form
    login(make_user(Role.REVIEWER))
    assert 'data-testid="enforcement-export-job"' not in client.get("/stats/").get_data(True)


def test_bad_figures_are_refused_and_only_admins_start_jobs(client, login, admin, make_user):
    login(admin)
    form = {**RANGE, "format": "csv"}
    assert client.post("/stats/export-job", data={**form, "figures": "seizures"}).status_code == 400
    for role in (Role.REVIEWER, Role.HOLDER, Role.OFFICER):
        login(make_user(role))
        enforcement = {**form, "figures": "enforcement"}
        assert client.post("/stats/export-job", data=enforcement).status_code == 403, role
        assert client.get("/admin/jobs/import-cases").status_code == 403, role
        assert _upload(client, _history()).status_code == 403, role
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert _stored() == []
    with pytest.raises(PermissionDenied):
        jobs.start_import(make_user(Role.REVIEWER), io.BytesIO(b"x"), "c.csv", JobKind.IMPORT_CASES)
