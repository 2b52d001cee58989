"""Large files of declaration lines screened on the job queue: progress and result files.

The run page includes templates/screenings/_batch.html, which polls `progress` while a batch
runs (static/js/jobs.js, as the admin job page) and links the downloads of every finished run.
"""

from __future__ import annotations

import tempfile

from flask import abort, jsonify, send_file
from flask_login import current_user

from ipr_apps.errors import NotFound
from ipr_apps.models import Role, ScreeningRun, SecurityAction
from ipr_apps.screenings.views import bp
from ipr_apps.security import role_required
from ipr_apps.services import (
    exports,
    jobs,
    screening,
    screening_results,
    security_log,
)


def _run(run_id: int) -> ScreeningRun:
    try:
        return screening.get_run(current_user, run_id)
    except NotFound:
        abort(404)


def _finished_run(run_id: int) -> ScreeningRun:
    """The officer's own run, once its hits are all there (a batch still running has none)."""
    run = _run(run_id)
    if run.finished_at is None:
        abort(404)
    return run


@bp.get("/runs/<int:run_id>/progress")
@role_required(Role.OFFICER)
def progress(run_id: int):
    """What the run page's script polls while a batch runs (no-store: always fresh)."""
    run = _run(run_id)
    job = run.job
    if job is None:  # screened at once: finished when it was created
        state = {"status": "done", "phase": None, "done": run.line_count,
                 "total": run.line_count, "percent": 100, "finished": True, "error": None,
                 "error_lines": None}  # fmt: skip
    else:
        state = {"status": job.status.value, "phase": job.phase, "done": job.done,
                 "total": job.total, "percent": job.percent, "finished": job.status.finished,
                 "error": job.error, "error_lines": job.error_lines}  # fmt: skip
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/runs/<int:run_id>/hits.csv")
@role_required(Role.OFFICER)
def hits_csv(run_id: int):
    """One row per hit, highest score first: a batch's own result file while it is kept,
    else written from the hits."""
    return _download(_finished_run(run_id), "csv")


@bp.get("/runs/<int:run_id>/hits.xlsx")
@role_required(Role.OFFICER)
def hits_xlsx(run_id: int):
    """The same rows as a workbook."""
    return _download(_finished_run(run_id), "xlsx")


def _download(run: ScreeningRun, fmt: str):
    """The file, from a temporary file (constant memory; closed once sent) unless the batch's
    job kept it."""
    name = screening_results.file_name(run, fmt)
    _log_download(run, name)
    source = jobs.result_path(run.job) if run.job and fmt == "csv" else None
    if source is None:
        source = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
        screening_results.WRITERS[fmt](run.id, source)
        source.seek(0)
    response = send_file(source, mimetype=exports.MEDIA_TYPES[fmt], download_name=name,
                         as_attachment=True)  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


def _log_download(run: ScreeningRun, name: str) -> None:
    security_log.record_now(SecurityAction.EXPORT_DOWNLOADED, current_user, run, {"file": name})
