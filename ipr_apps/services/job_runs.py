"""What a job does in the worker: the same services as the CLI commands (import-recordations,
import-cases, export-stats, export-enforcement-stats), with their progress written to the job
row and their result kept with it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, DatabaseBusy, DomainError, ValidationError
from ipr_apps.i18n import in_language
from ipr_apps.models import Job, JobKind, JobStatus
from ipr_apps.services import case_imports, enforcement, exports, imports, job_files, jobs, stats
from ipr_apps.services.enforcement import CaseGroupBy
from ipr_apps.services.periods import By
from ipr_apps.services.stats import GroupBy

log = logging.getLogger(__name__)

BEAT_SECONDS = 1.0  # progress is written at most this often (and at each phase change)
EXPORT_STEP = 1000  # rows between progress reports while writing an export
CASES_PHASE = "cases"  # a case import checks and stages each line in one pass
BUSY_ERROR = _l(
    "The database stayed busy with other work (for example another import), so the job could "
    "not finish and nothing of it was kept; re-run it in a few minutes."
)


def run(job_id: int) -> JobStatus | None:
    """Claim the job and run it; None when another worker has it (or it is not queued).

    It runs in the language of the admin who started it, so its error report (and any other
    text it writes) reads as the page they started it from."""
    if not jobs.claim(job_id):
        return None
    job = db.session.get(Job, job_id)
    with in_language(jobs.job_locale(job)):
        _run(job_id, job)
    db.session.expire_all()
    return db.session.get(Job, job_id).status


def _run(job_id: int, job: Job) -> None:
    try:
        RUNNERS[job.kind](job)
    except DomainError as error:
        db.session.rollback()
        lines = error.fields.get("rows") if isinstance(error, ValidationError) else None
        jobs.fail(job_id, error.message, lines)
    except FileNotFoundError:
        db.session.rollback()
        jobs.fail(job_id, jobs.FILE_GONE_ERROR)
    except DatabaseBusy:  # the database stayed locked, even after retries: re-run it
        db.session.rollback()
        jobs.fail(job_id, BUSY_ERROR)
    except Exception:
        log.exception("Job %s failed", job_id)
        db.session.rollback()
        jobs.fail(job_id, jobs.UNEXPECTED_ERROR)


class _Progress:
    """The import's progress callback (phase, line), written to the job at most once a second.

    The write pass commits each batch into the staging table on its own, so its progress is
    written between batches on SQLite too (no lock is held across batches).
    """

    def __init__(self, job_id: int, total: int, phase: str | None = None) -> None:
        self.job_id, self.total = job_id, total
        self.phase = phase  # the job's phase for every pass, if the import has only one
        self.opens = 0
        self.last = 0.0

    def opened(self) -> None:
        self.opens += 1
        self._write(self.phase or ("check" if self.opens == 1 else "import"), 0)

    def __call__(self, phase: str, line: int) -> None:
        if time.monotonic() - self.last >= BEAT_SECONDS:
            self._write(self.phase or phase, line)

    def _write(self, phase: str, line: int) -> None:
        self.last = time.monotonic()
        try:
            running = jobs.record_progress(self.job_id, phase, line, self.total)
        except OperationalError:  # e.g. the database stayed locked: the import goes on
            log.warning("Job %s: progress not recorded", self.job_id, exc_info=True)
            return
        if not running:
            raise ConflictError(str(jobs.NOT_RUNNING_ERROR))


def count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as file:
        for chunk in iter(partial(file.read, 1 << 20), b""):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _import(job: Job) -> None:
    path = job_files.file_path(job.input_file or "")
    progress = _Progress(job.id, count_lines(path))

    def opener():
        progress.opened()
        return path.open(encoding="utf-8-sig", newline="")

    with _saved_on_commit(job.id):
        result = imports.import_recordations(opener, progress)
    _finish_import(job.id, result)


def _import_cases(job: Job) -> None:
    """`flask ipr import-cases`: one pass (check and stage), then the cases in one INSERT on
    the import's own connection, whose commit also records that they are saved."""
    path = job_files.file_path(job.input_file or "")
    progress = _Progress(job.id, count_lines(path), phase=CASES_PHASE)

    def opener():
        progress.opened()
        return path.open(encoding="utf-8-sig", newline="")

    def saved(connection) -> None:
        if not jobs.mark_saved(connection, job.id):
            raise ConflictError(str(jobs.NOT_RUNNING_ERROR))

    _finish_import(job.id, case_imports.import_cases(opener, progress, saved))


def _finish_import(job_id: int, result: imports.ImportResult) -> None:
    summary = {"imported": result.imported, "skipped": result.skipped}
    if not jobs.finish(job_id, summary=summary):  # the stale check ended it meanwhile
        jobs.add_summary(job_id, summary)


@contextmanager
def _saved_on_commit(job_id: int) -> Iterator[None]:
    """The import's own commit records that its rows are saved, so both happen or neither: a
    job marked failed meanwhile makes the commit fail (nothing imported), and a worker killed
    right after the commit leaves a job the stale check marks done, not failed."""
    session = db.session()

    def record(committing) -> None:
        if committing is session and not jobs.mark_saved(session, job_id):
            raise ConflictError(str(jobs.NOT_RUNNING_ERROR))

    event.listen(session, "before_commit", record)
    try:
        yield
    finally:
        event.remove(session, "before_commit", record)


# What an export job writes, by kind: its rows, groupings, columns and file name prefix (the
# statistics page's downloads are named alike).
EXPORTS = {
    JobKind.EXPORT_STATS: (stats.rows, GroupBy, exports.APPROVALS, "ipr-stats"),
    JobKind.EXPORT_ENFORCEMENT: (
        enforcement.rows,
        CaseGroupBy,
        exports.ENFORCEMENT,
        "ipr-enforcement",
    ),
}


def _export(job: Job) -> None:
    params = job.parameters
    rows_of, groups, layout, prefix = EXPORTS[job.kind]
    by, fmt = By(params["by"]), params["format"]
    start, end = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
    group_by = groups(params["group_by"]) if params.get("group_by") else None
    jobs.record_progress(job.id, "export", 0)
    rows = rows_of(by, start, end, group_by)
    db.session.rollback()  # only read; end the transaction before the file is written
    jobs.record_progress(job.id, "export", 0, len(rows))
    name = job_files.new_file_name(fmt)
    path = job_files.file_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _write_export(path, fmt, _counted(job.id, rows), layout)
        filename = export_filename(by, start, end, group_by, fmt, prefix)
        if jobs.finish(job.id, result_file=name, result_name=filename, summary={"rows": len(rows)}):
            return
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)  # the job was marked failed meanwhile: no file to keep


def _counted(job_id: int, rows: list[dict]) -> Iterator[dict]:
    for number, row in enumerate(rows, start=1):
        yield row
        if number % EXPORT_STEP == 0:
            jobs.record_progress(job_id, "export", number)


def _write_export(
    path: Path, fmt: str, rows: Iterable[dict], layout: exports.Layout = exports.APPROVALS
) -> None:
    """The file `flask ipr export-stats` (or export-enforcement-stats) writes (the CSV with a
    BOM, as the page's download)."""
    if fmt == "xlsx":
        exports.write_xlsx(rows, str(path), layout)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "json":
            handle.write(exports.json_text(rows, layout))
        else:
            handle.writelines(exports.csv_lines(rows, bom=True, layout=layout))


def export_filename(
    by: By, start: date, end: date, group_by: StrEnum | None, fmt: str, prefix: str = "ipr-stats"
) -> str:
    """ipr-stats-half-2018-01-01-2019-06-30.csv (plus -country / -ipr_type when grouped), as
    the statistics page's direct downloads are named; ipr-enforcement-… for enforcement."""
    group = f"-{group_by.value}" if group_by else ""
    return f"{prefix}-{by.value}-{start}-{end}{group}.{fmt}"


def _screen(job: Job) -> None:
    """A screening batch (imported here when first run: it reports through _Progress)."""
    from ipr_apps.services import screening_batches

    screening_batches.run_job(job)


RUNNERS: dict[JobKind, Callable[[Job], None]] = {
    JobKind.IMPORT_RECORDATIONS: _import,
    JobKind.EXPORT_STATS: _export,
    JobKind.IMPORT_CASES: _import_cases,
    JobKind.EXPORT_ENFORCEMENT: _export,
    JobKind.SCREEN_DECLARATIONS: _screen,
}
