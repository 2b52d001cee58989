"""Admin views of the jobs started from the web: the list, one job (with a progress bar fed
by a small JSON endpoint), its result, re-run, and the upload that starts an import."""

from __future__ import annotations

from datetime import date

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ipr_apps.admin.job_forms import ImportForm
from ipr_apps.admin.views import bp
from ipr_apps.errors import DomainError, NotFound
from ipr_apps.forms import apply_errors
from ipr_apps.i18n import format_day
from ipr_apps.models import Job, JobKind, JobStatus, Role, SecurityAction
from ipr_apps.security import role_required
from ipr_apps.services import jobs, security_log
from ipr_apps.services.case_rows import HEADER as CASES_HEADER
from ipr_apps.services.import_rows import HEADER

IMPORT_MAX_BYTES = 512 * 1024 * 1024  # a history file may be far larger than a document
# An export job's parameters in words (the values are the statistics page's query values).
PERIODS = {"month": _l("month"), "quarter": _l("quarter"), "half": _l("half-year"),
           "year": _l("year")}  # fmt: skip
GROUPS = {
    "ipr_type": _l("right type"), "country": _l("holder country"), "channel": _l("channel"),
    "mode": _l("mode"), "direction": _l("direction"), "port": _l("port"),
}  # fmt: skip


@bp.url_value_preprocessor
def _allow_large_import(endpoint: str | None, _values) -> None:
    """Raise the upload limit for the import page only, before anything reads the body (the
    CSRF check does, in before_request; URL preprocessors run before it)."""
    if endpoint in ("admin.job_import", "admin.job_import_cases"):
        limit = current_app.config.get("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)
        request.max_content_length = limit


def _job(job_id: int) -> Job:
    try:
        return jobs.get(job_id)
    except NotFound:
        abort(404)


@bp.get("/jobs")
@role_required(Role.ADMIN)
def job_list():
    page = jobs.page(request.args.get("cursor"), current_app.config["PAGE_SIZE"])
    return render_template("admin/jobs.html", page=page, JobStatus=JobStatus)


@bp.route("/jobs/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def job_import():
    return _import_page(JobKind.IMPORT_RECORDATIONS, "admin/job_import.html", HEADER)


@bp.route("/jobs/import-cases", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def job_import_cases():
    """Historical detention cases (`flask ipr import-cases`), imported by the worker."""
    return _import_page(JobKind.IMPORT_CASES, "admin/job_import_cases.html", CASES_HEADER)


def _import_page(kind: JobKind, template: str, header):
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = jobs.start_import(current_user, upload.stream, upload.filename, kind)
        except DomainError as error:
            apply_errors(form, error)
        else:
            message = _("%(file)s is uploaded; its import runs in the background.",
                        file=upload.filename)  # fmt: skip
            flash(message, "success")
            return redirect(url_for("admin.job_show", job_id=job.id))
    return render_template(template, form=form, header=",".join(header))


@bp.get("/jobs/<int:job_id>")
@role_required(Role.ADMIN)
def job_show(job_id: int):
    job = _job(job_id)
    return render_template("admin/job.html", job=job, JobStatus=JobStatus, figures=figures(job))


def figures(job: Job) -> str | None:
    """What an export job counts, in words: "detention cases per half-year, 1 Jan 2018 to
    30 Jun 2019, by mode, XLSX"; None for other jobs."""
    if job.kind not in (JobKind.EXPORT_STATS, JobKind.EXPORT_ENFORCEMENT):
        return None
    p = job.parameters
    values = {
        "period": str(PERIODS.get(p["by"], p["by"])),
        "start": format_day(date.fromisoformat(p["from"])),
        "end": format_day(date.fromisoformat(p["to"])),
    }
    if job.kind == JobKind.EXPORT_STATS:
        text = _("decisions per %(period)s, %(start)s to %(end)s", **values)
    else:
        text = _("detention cases per %(period)s, %(start)s to %(end)s", **values)
    if p.get("group_by"):
        group = str(GROUPS.get(p["group_by"], p["group_by"]))
        text = _("%(figures)s, by %(group)s", figures=text, group=group)
    return _("%(figures)s, %(format)s", figures=text, format=p["format"].upper())


@bp.get("/jobs/<int:job_id>.json")
@role_required(Role.ADMIN)
def job_status(job_id: int):
    """What the job page's script polls: status and progress (no-store: always fresh)."""
    job = _job(job_id)
    has_result = jobs.result_path(job) is not None
    response = jsonify(
        id=job.id, status=job.status.value, phase=job.phase, done=job.done, total=job.total,
        percent=job.percent, finished=job.status.finished,
        result_url=url_for("admin.job_result", job_id=job.id) if has_result else None,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jobs/<int:job_id>/result")
@role_required(Role.ADMIN)
def job_result(job_id: int):
    """The job's file while it is kept (a week); any admin may download it."""
    job = _job(job_id)
    path = jobs.result_path(job) or abort(404)
    detail = {"file": job.result_name}
    security_log.record_now(SecurityAction.EXPORT_DOWNLOADED, current_user, job, detail)
    response = send_file(path, as_attachment=True, download_name=job.result_name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/jobs/<int:job_id>/rerun")
@role_required(Role.ADMIN)
def job_rerun(job_id: int):
    try:
        jobs.rerun(current_user, job_id)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("Job %(id)s is queued again.", id=job_id), "success")
    return redirect(url_for("admin.job_show", job_id=job_id))
