"""Jobs started from the web: every write to a job row. A job is created (and handed to the
worker after commit), claimed by one worker, reports progress and a heartbeat in short
transactions of its own, and ends done or failed; its result is kept for RESULT_DAYS. A running
job whose heartbeat stopped (the worker was killed) is marked failed and can be re-run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from flask import has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, joinedload

from ipr_apps.db import after_commit, db, unit_of_work
from ipr_apps.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from ipr_apps.i18n import in_language, locale_code
from ipr_apps.models import Job, JobKind, JobStatus, Role, User, utcnow
from ipr_apps.pagination import Page, keyset_page
from ipr_apps.services import exports, job_files
from ipr_apps.services.enforcement import CaseGroupBy
from ipr_apps.services.periods import By
from ipr_apps.services.stats import GroupBy

RESULT_DAYS = timedelta(days=7)  # results (files, error reports) are kept this long
STALE_AFTER = timedelta(minutes=5)  # a running job without a heartbeat this long is dead
REQUEUE_AFTER = timedelta(minutes=10)  # a job still queued this long is handed out again
IMPORT_KINDS = frozenset({JobKind.IMPORT_RECORDATIONS, JobKind.IMPORT_CASES})
# ?figures=… of the statistics page: the job kind and its groupings
EXPORT_KINDS = {
    "approvals": (JobKind.EXPORT_STATS, GroupBy),
    "enforcement": (JobKind.EXPORT_ENFORCEMENT, CaseGroupBy),
}
SAVED = "saved"  # the phase of an import whose rows are committed (the job ends done)

LOCALE = "locale"  # the parameter holding the language of the admin who (re-)started the job

# User-facing texts, in one place. A job's error is stored in the language of the admin who
# started it (the worker runs the job in that language: job_runs.run).
UNEXPECTED_ERROR = _l("The job failed unexpectedly; the worker's log has the details.")
FILE_GONE_ERROR = _l("The uploaded file is no longer available; upload it again.")
NOT_RUNNING_ERROR = _l("The job was stopped before it finished; nothing of it was kept.")


def stale_error(minutes: int) -> str:
    """Why a job whose worker died failed (imports, exports and screenings alike)."""
    return _(
        "The worker stopped while running this job (no sign of life for %(minutes)s "
        "minutes). The job did not finish and nothing of it was kept; re-run it.",
        minutes=minutes,
    )


def job_locale(job: Job) -> str | None:
    """The language the job reports in: that of the admin who started it, when known."""
    return (job.parameters or {}).get(LOCALE)


def _with_reader_locale(parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters plus the language of the request starting the job (none from the CLI)."""
    if not has_request_context():
        return parameters
    return {**parameters, LOCALE: locale_code()}


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators start and re-run jobs."))


# --------------------------------------------------------------------------- starting


def start_import(
    actor: User, stream: BinaryIO, filename: str | None, kind: JobKind = JobKind.IMPORT_RECORDATIONS
) -> Job:
    """Keep the uploaded history CSV and queue its import (`flask ipr import-recordations`, or
    `flask ipr import-cases` for kind IMPORT_CASES)."""
    _require_admin(actor)
    if not filename:
        raise ValidationError.on("file", _("Choose a CSV file to upload."))
    name, size = job_files.save(stream, "csv")
    try:
        if size == 0:
            raise ValidationError.on("file", _("The file is empty."))
        return _create(actor, kind, {"file_name": filename[:255]},
                       input_file=name, input_name=filename[:255])  # fmt: skip
    except BaseException:
        job_files.remove([name])  # no orphan file for a job that was never created
        raise


def start_export(
    actor: User,
    by: By,
    start: date,
    end: date,
    group_by: StrEnum | None,
    fmt: str,
    figures: str = "approvals",
) -> Job:
    """Queue a statistics export: the rows of `flask ipr export-stats` (or with
    figures="enforcement" of `flask ipr export-enforcement-stats`) as a file to download."""
    _require_admin(actor)
    if figures not in EXPORT_KINDS:
        choices = ", ".join(EXPORT_KINDS)
        raise ValidationError.on("figures", _("Choose one of %(choices)s.", choices=choices))
    kind, groups = EXPORT_KINDS[figures]
    if fmt not in exports.FORMATS:
        choices = ", ".join(exports.FORMATS)
        raise ValidationError.on("format", _("Choose one of %(choices)s.", choices=choices))
    if end < start:
        raise ValidationError.on("to", _("The end date is before the start date."))
    parameters = {
        "by": By(by).value, "from": start.isoformat(), "to": end.isoformat(),
        "group_by": groups(group_by).value if group_by else None, "format": fmt,
    }  # fmt: skip
    return _create(actor, kind, parameters)


def _create(actor: User, kind: JobKind, parameters: dict[str, Any], **values: Any) -> Job:
    with unit_of_work() as session:
        return create_in(session, actor, kind, parameters, **values)


def create_in(
    session: Session, actor: User, kind: JobKind, parameters: dict[str, Any], **values: Any
) -> Job:
    """In the caller's transaction (which checked the actor's permission): a queued job, handed
    to the worker once that transaction commits."""
    parameters = _with_reader_locale(parameters)
    job = Job(kind=kind, started_by_id=actor.id, parameters=parameters, **values)
    session.add(job)
    session.flush()
    after_commit(session, partial(_hand_to_worker, job.id))
    return job


def _hand_to_worker(job_id: int) -> None:
    from ipr_apps.tasks import enqueue
    from ipr_apps.tasks.jobs import run_job

    enqueue(run_job, job_id)


def rerun(actor: User, job_id: int) -> Job:
    """A failed job goes back to the queue (same parameters and file), started by `actor`."""
    _require_admin(actor)
    with unit_of_work() as session:
        job = get(job_id)
        if job.status != JobStatus.FAILED:
            raise TransitionError(_("Only a failed job can be re-run."))
        if job.expired or (job.input_file is None and job.kind in IMPORT_KINDS):
            raise TransitionError(_("This job's file has expired; start it again."))
        stmt = (
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.FAILED)
            .values(status=JobStatus.QUEUED, started_by_id=actor.id, queued_at=utcnow(),
                    parameters=_with_reader_locale(job.parameters or {}), **_fresh_run())
        )  # fmt: skip
        if session.execute(stmt).rowcount != 1:
            raise ConflictError(_("Someone re-ran this job a moment ago."))
        after_commit(session, partial(_hand_to_worker, job_id))
    db.session.refresh(job)
    return job


def _fresh_run() -> dict[str, Any]:
    return {
        "started_at": None, "heartbeat_at": None, "finished_at": None, "expires_at": None,
        "phase": None, "done": 0, "total": None, "error": None, "error_lines": None,
        "summary": None,
    }  # fmt: skip


# --------------------------------------------------------------------------- the worker's side


def claim(job_id: int) -> bool:
    """Take a queued job for this worker: one conditional UPDATE, so one winner."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, runs=Job.runs + 1)
    )
    with unit_of_work() as session:
        return session.execute(stmt).rowcount == 1


@contextmanager
def _own_transaction() -> Iterator[Session]:
    """A short transaction on its own connection, beside whatever the caller's session holds
    open (an import's one big transaction must not carry its progress)."""
    with Session(db.engine) as session, session.begin():
        yield session


def record_progress(job_id: int, phase: str, done: int, total: int | None = None) -> bool:
    """Progress and heartbeat; False when the job is no longer running (marked failed)."""
    values: dict[str, Any] = {"phase": phase, "done": done, "heartbeat_at": utcnow()}
    if total is not None:
        values["total"] = total
    stmt = update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING).values(values)
    with _own_transaction() as session:
        return session.execute(stmt).rowcount == 1


def mark_saved(session: Session | Connection, job_id: int) -> bool:
    """In the caller's transaction (an import's own session or connection): its rows are
    saved when this commits. False when the job is no longer running (then it must not)."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(phase=SAVED, heartbeat_at=utcnow())
    )
    return session.execute(stmt).rowcount == 1


def _done_values(now) -> dict[str, Any]:
    return {
        "status": JobStatus.DONE, "finished_at": now, "heartbeat_at": now,
        "expires_at": now + RESULT_DAYS, "done": func.coalesce(Job.total, Job.done),
    }  # fmt: skip


def finish(job_id: int, **values: Any) -> bool:
    """Running → done with its result (file, summary); False when no longer running."""
    with unit_of_work() as session:
        return finish_in(session, job_id, **values)


def finish_in(session: Session, job_id: int, **values: Any) -> bool:
    """`finish` in the caller's transaction (with the rows the result belongs to)."""
    stmt = update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
    return session.execute(stmt.values(**_done_values(utcnow()), **values)).rowcount == 1


def still_running(session: Session, job_id: int, runs: int) -> bool:
    """In the caller's transaction: the heartbeat, when the job is still running as the
    `runs`-th claim (not failed by the stale check, nor re-run meanwhile). The row lock
    orders this transaction with a re-run's claim, so a run that lost its job writes nothing."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.runs == runs)
        .values(heartbeat_at=utcnow())
    )
    return session.execute(stmt).rowcount == 1


def add_summary(job_id: int, summary: dict[str, Any]) -> None:
    """The figures of an import that the stale check marked done (its rows were saved)."""
    stmt = update(Job).where(Job.id == job_id, Job.status == JobStatus.DONE)
    with unit_of_work() as session:
        session.execute(stmt.values(summary=summary))


def fail(job_id: int, error: str | LazyString, lines: list[str] | None = None) -> bool:
    """Running → failed with an error report (`line N, column C: reason` lines). Not an import
    whose rows are saved already: the stale check ends that one done."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .where(or_(Job.phase.is_(None), Job.phase != SAVED))
        .values(status=JobStatus.FAILED, finished_at=now, expires_at=now + RESULT_DAYS,
                error=str(error)[:4000], error_lines=lines or None)
    )  # fmt: skip
    with unit_of_work() as session:
        return session.execute(stmt).rowcount == 1


def mark_stale_failed(older_than: timedelta = STALE_AFTER) -> int:
    """Running jobs whose heartbeat is older than `older_than`: their worker died. Failed, and
    re-runnable; except an import whose rows were saved just before: done. Returns how many
    failed."""
    now = utcnow()
    minutes = max(round(older_than.total_seconds() / 60), 1)
    is_stale = (Job.status == JobStatus.RUNNING, Job.heartbeat_at < now - older_than)
    stale = update(Job).where(*is_stale)
    with unit_of_work() as session:
        session.execute(stale.where(Job.phase == SAVED).values(**_done_values(now)))
        failed = 0
        for locale, ids in _ids_by_locale(session, select(Job).where(*is_stale)).items():
            with in_language(locale):  # the error in the language of the job's admin
                error = stale_error(minutes)
            values = {"status": JobStatus.FAILED, "finished_at": now,
                      "expires_at": now + RESULT_DAYS, "error": error}  # fmt: skip
            failed += session.execute(stale.where(Job.id.in_(ids)).values(values)).rowcount
        return failed


def _ids_by_locale(session: Session, stmt) -> dict[str | None, list[int]]:
    """The ids of the jobs `stmt` selects, grouped by the language they report in."""
    groups: dict[str | None, list[int]] = {}
    for job in session.execute(stmt).scalars():
        groups.setdefault(job_locale(job), []).append(job.id)
    return groups


def requeue_lost(older_than: timedelta = REQUEUE_AFTER) -> int:
    """Hand out again jobs queued long ago (the queue was down or lost the task); the claim
    makes a duplicate harmless."""
    now = utcnow()
    stmt = select(Job.id).where(Job.status == JobStatus.QUEUED, Job.queued_at < now - older_than)
    with unit_of_work() as session:
        ids = list(session.execute(stmt).scalars())
        if ids:
            session.execute(update(Job).where(Job.id.in_(ids)).values(queued_at=now))
            for job_id in ids:
                after_commit(session, partial(_hand_to_worker, job_id))
    return len(ids)


def purge_expired() -> int:
    """Remove the files and error reports of jobs whose week is over (the rows stay), and
    files in the folder that no job refers to."""
    now = utcnow()
    kept = or_(Job.input_file.is_not(None), Job.result_file.is_not(None),
               Job.error_lines.is_not(None))  # fmt: skip
    stmt = select(Job).where(Job.expires_at <= now, kept)
    with unit_of_work() as session:
        expired = list(session.execute(stmt).scalars())
        names = [n for job in expired for n in (job.input_file, job.result_file) if n]
        for job in expired:
            job.input_file = job.result_file = job.error_lines = None
        after_commit(session, partial(job_files.remove, names))
    used = select(Job.input_file, Job.result_file)
    referenced = {name for row in db.session.execute(used) for name in row if name}
    db.session.rollback()
    job_files.remove_orphans(referenced, now)
    return len(expired)


# --------------------------------------------------------------------------- reading


def get(job_id: int) -> Job:
    job = db.session.get(Job, job_id, options=[joinedload(Job.started_by)])
    if job is None:
        raise NotFound(_("No such job."))
    return job


def page(cursor: str | None, size: int) -> Page:
    """Jobs, newest first."""
    stmt = select(Job).options(joinedload(Job.started_by))
    return keyset_page(stmt, [Job.id], cursor, size, descending=True)


def result_path(job: Job) -> Path | None:
    """The job's result file while it is kept, else None."""
    if job.status != JobStatus.DONE or not job.result_file or job.expired:
        return None
    path = job_files.file_path(job.result_file)
    return path if path.is_file() else None
