"""Large files of declaration lines screened on the job queue: a ScreeningRun with its Job.

`start_batch` keeps the uploaded file and creates the job and the run in one transaction; the
job goes to the worker after the commit. The worker (`run_job`, in job_runs.RUNNERS) reads one
line at a time: first it checks every line of the file (any wrong line fails the job with the
"line N, column C: reason" report, and nothing is stored) and copies the good ones into a CSV
spool file; then it screens the spool's lines CHUNK_LINES at a time, each chunk's hits
committed in a short transaction of its own. The end marks the run finished and the job done,
with the hits as a CSV file. A run starts by removing what an earlier, failed run of the same
job stored, so a re-run never doubles hits.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, TooLarge, ValidationError
from ipr_apps.i18n import in_language, locale_code
from ipr_apps.models import Job, JobKind, RunSource, ScreeningHit, ScreeningRun, User, utcnow
from ipr_apps.screening import current, lines
from ipr_apps.screening.engine import DeclarationLine, screen
from ipr_apps.services import job_files, job_runs, jobs, screening, screening_results
from ipr_apps.services.imports import when_free

CHUNK_LINES = 2000  # lines screened, and their hits committed, at a time
HEAD_BYTES = 64 * 1024  # what start_batch reads of a CSV file to tell it is text
XLSX_MAGIC = b"PK\x03\x04"
ENCODINGS = ("utf-8-sig", "gb18030")  # as lines.decode: UTF-8, else Excel's CSV on Chinese Windows
READ_PHASE, SCREEN_PHASE = "read", "screen"  # job phases (models.jobs.PHASE_SPANS)

# User-facing texts, kept here in one place: lazy, so each is in the language of the moment it
# is used (the officer's request; in the worker, the language the batch was started in).
CHOOSE_FILE = _l("Choose a CSV or XLSX file of declaration lines.")
WRONG_NAME = _l("Upload a file whose name ends in .csv or .xlsx.")
EMPTY = _l("The file is empty.")
TOO_LARGE = _l("The file is larger than %(most)s MB. Split it into smaller files.")
NOT_XLSX = _l(
    "This file is not an XLSX workbook, whatever its name says. Save it as XLSX or CSV and "
    "upload that."
)
NOT_CSV = _l(
    "This file is not CSV text, whatever its name says. Save it as CSV (UTF-8) or XLSX and "
    "upload that."
)
NOT_TEXT = _l("The file is neither UTF-8 nor GB18030 text; nothing was screened.")
BAD_LINES = _l(
    "Some lines of the file are wrong; nothing was screened. Correct them and upload it again."
)
MORE_ERRORS = _l("… and %(count)s more wrong lines.")


def max_bytes() -> int:
    """A screening file's size limit, on the page and for a batch (SCREENING_MAX_BYTES)."""
    return current_app.config["SCREENING_MAX_BYTES"]


# --------------------------------------------------------------------------- starting


def start_batch(
    actor: User, stream: BinaryIO, filename: str, threshold: int | None = None
) -> ScreeningRun:
    """Keep the uploaded CSV/XLSX file and queue its screening; the run (unfinished, with its
    job) is returned at once and its page shows the progress."""
    screening.require_screener(actor)
    threshold = screening.check_threshold(threshold)
    extension = _extension(filename)
    name, size = job_files.save(stream, extension)
    try:
        _check_file(job_files.file_path(name), extension, size)
        return _create(actor, name, filename.strip()[:255], threshold)
    except BaseException:
        job_files.remove([name])  # no orphan file for a job that was never created
        raise


def _extension(filename: str | None) -> str:
    if not filename or not filename.strip():
        raise ValidationError.on("file", str(CHOOSE_FILE))
    extension = filename.strip().rsplit(".", 1)[-1].lower()
    if extension not in ("csv", "xlsx"):
        raise ValidationError.on("file", str(WRONG_NAME))
    return extension


def _check_file(path: Path, extension: str, size: int) -> None:
    """Type by content as well as by name: a workbook is a zip with a workbook part; a CSV
    file is text (its start decodes, no NUL bytes)."""
    if size == 0:
        raise ValidationError.on("file", str(EMPTY))
    if size > max_bytes():
        raise TooLarge.on("file", str(TOO_LARGE) % {"most": max_bytes() // (1024 * 1024)})
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if extension == "xlsx":
        if not head.startswith(XLSX_MAGIC) or not _is_workbook(path):
            raise ValidationError.on("file", str(NOT_XLSX))
    elif head.startswith(XLSX_MAGIC) or b"\x00" in head or not _is_text(head):
        raise ValidationError.on("file", str(NOT_CSV))


def _is_text(head: bytes) -> bool:
    return _encoding_of(lambda: [head], final=False) is not None


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _encoding_of(read: Callable[[], Iterable[bytes]], final: bool = True) -> str | None:
    """The first of ENCODINGS that decodes every chunk `read()` gives (a fresh read for each
    encoding), or None. Not `final`: the chunks are the start of a file, cut anywhere."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in read():
                decoder.decode(chunk)
            decoder.decode(b"", final=final)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _create(actor: User, file: str, input_name: str, threshold: int) -> ScreeningRun:
    # The worker writes the report and the hits file in the language the officer reads now.
    parameters = {"threshold": threshold, "file_name": input_name, "locale": locale_code()}
    with unit_of_work() as session:
        job = jobs.create_in(session, actor, JobKind.SCREEN_DECLARATIONS, parameters,
                             input_file=file, input_name=input_name)  # fmt: skip
        run = ScreeningRun(created_by_id=actor.id, source=RunSource.BATCH, input_name=input_name,
                           threshold=threshold, job_id=job.id)  # fmt: skip
        session.add(run)
    return run


# --------------------------------------------------------------------------- the worker's side


class _File:
    """The uploaded batch file: a workbook, or CSV text in the encoding it was found in."""

    def __init__(self, job: Job) -> None:
        if not job.input_file:
            raise FileNotFoundError(job.id)
        self.path = job_files.file_path(job.input_file)
        self.is_xlsx = self.path.suffix == ".xlsx"
        self.encoding = None if self.is_xlsx else self._encoding()

    def _encoding(self) -> str:
        encoding = _encoding_of(self._blocks)
        if encoding is None:
            raise ValidationError(str(NOT_TEXT))
        return encoding

    def _blocks(self) -> Iterator[bytes]:
        with self.path.open("rb") as file:
            yield from iter(partial(file.read, job_files.CHUNK_BYTES), b"")

    def estimate(self) -> int | None:
        """About how many lines (the text lines after the header); None for a workbook."""
        return None if self.is_xlsx else max(job_runs.count_lines(self.path) - 1, 0)

    @contextmanager
    def rows(self) -> Iterator[Iterator[list[Any]]]:
        if self.is_xlsx:
            rows = lines.xlsx_rows(self.path)
            try:
                yield rows
            finally:
                rows.close()
            return
        with self.path.open(encoding=self.encoding, newline="") as handle:
            yield lines.csv_stream_rows(handle)


def run_job(job: Job) -> None:
    """Check every line (copying the good ones into a CSV spool file: a workbook is slow to
    read, and is read once), then screen the spool's lines chunk by chunk, then finish; in the
    language the batch was started in (its error report, the hits file's reasons)."""
    with in_language((job.parameters or {}).get("locale")):
        _run_job(job)


def _run_job(job: Job) -> None:
    job_id, runs = job.id, job.runs
    stmt = select(ScreeningRun.id, ScreeningRun.threshold).where(ScreeningRun.job_id == job_id)
    run_id, threshold = db.session.execute(stmt).one()
    file = _File(job)
    _start_afresh(job_id, runs, run_id)
    spool = job_files.file_path(job_files.new_file_name("csv"))
    try:
        total = _check(job_id, file, spool)
        in_use = current.current()
        db.session.rollback()  # only read: no transaction is held while the lines are screened
        progress = job_runs._Progress(job_id, total, phase=SCREEN_PHASE)
        progress.opened()
        position = 1
        with spool.open(encoding="utf-8", newline="") as handle:
            for chunk in _chunks(_lines(csv.reader(handle)), CHUNK_LINES):
                results = screen(in_use.index, chunk, threshold)
                when_free(partial(_store, job_id, runs, run_id, results, position))
                position += len(chunk)
                progress(SCREEN_PHASE, position - 1)
    finally:
        spool.unlink(missing_ok=True)
    _finish(job_id, runs, run_id, in_use.version)


def _start_afresh(job_id: int, runs: int, run_id: int) -> None:
    """What an earlier run of this job stored goes (a failed run may have stored chunks)."""
    with unit_of_work() as session:
        _require_running(session, job_id, runs)
        session.execute(delete(ScreeningHit).where(ScreeningHit.run_id == run_id))
        fresh = {"line_count": 0, "hit_lines": 0, "hits": 0, "finished_at": None}
        session.execute(update(ScreeningRun).where(ScreeningRun.id == run_id).values(fresh))


def _require_running(session, job_id: int, runs: int) -> None:
    if not jobs.still_running(session, job_id, runs):
        raise ConflictError(jobs.NOT_RUNNING_ERROR)


def _check(job_id: int, file: _File, spool: Path) -> int:
    """Every line checked, the good ones copied to `spool`; their number, or ValidationError
    with the report."""
    progress = job_runs._Progress(job_id, file.estimate(), phase=READ_PHASE)
    progress.opened()
    parsed, count = lines.Parsed(), 0
    with file.rows() as rows, spool.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(lines.COLUMNS)
        for number, data in lines.line_rows(rows, parsed):
            try:
                line = lines.line_from(data)
            except lines.LineError as error:
                parsed.add_line_error(number, error)
            else:
                writer.writerow(["" if value is None else value for value in astuple(line)])
                count += 1
            progress(READ_PHASE, number - 1)
    if parsed.error_count:
        rest = {"count": f"{parsed.more_errors:,}"}
        more = [str(MORE_ERRORS) % rest] if parsed.more_errors else []
        raise ValidationError(str(BAD_LINES), {"rows": parsed.errors + more})
    if count == 0:
        raise ValidationError(str(lines.NO_LINES), {"rows": [str(lines.NO_LINES)]})
    return count


def _lines(rows: Iterable[list[Any]]) -> Iterator[DeclarationLine]:
    """The spool's lines (checked already, so line_from gives each back as it was)."""
    for _number, data in lines.line_rows(rows, lines.Parsed()):
        yield lines.line_from(data)


def _chunks(items: Iterable[DeclarationLine], size: int) -> Iterator[list[DeclarationLine]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _store(job_id: int, runs: int, run_id: int, results, first_position: int) -> None:
    """One chunk's hits and counts, committed only while this run still owns the job (tried
    again, by when_free, when the database stayed busy)."""
    with unit_of_work() as session:
        _require_running(session, job_id, runs)
        run = session.get(ScreeningRun, run_id)
        screening.add_results(session, run, results, first_position)


def _finish(job_id: int, runs: int, run_id: int, version: int) -> None:
    """The hits as the job's CSV file; then the run finished and the job done, together."""
    run = db.session.get(ScreeningRun, run_id)
    name, result_name = job_files.new_file_name("csv"), screening_results.file_name(run, "csv")
    path = job_files.file_path(name)
    try:
        with path.open("wb") as target:
            screening_results.write_csv(run_id, target)
        db.session.rollback()
        with unit_of_work() as session:
            _require_running(session, job_id, runs)
            run = session.get(ScreeningRun, run_id)
            run.finished_at, run.index_version = utcnow(), version
            summary = {"lines": run.line_count, "hit_lines": run.hit_lines, "hits": run.hits,
                       "rows": run.hits}  # fmt: skip
            jobs.finish_in(session, job_id, result_file=name, result_name=result_name,
                           summary=summary)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
