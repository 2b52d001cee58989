"""Statistics views: the dashboard page, its SVG charts and the downloads (all thin)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.models import Role, SecurityAction, today
from ipr_apps.security import role_required
from ipr_apps.services import dashboard, enforcement, exports, jobs, security_log, stats
from ipr_apps.stats import charts
from ipr_apps.stats.forms import Selection, StatsForm, selection

bp = Blueprint("stats", __name__, url_prefix="/stats")
# ?figures=…: which statistics a download holds (rows, columns, file name prefix)
DOWNLOADS = {
    "approvals": (stats.rows, exports.APPROVALS, "ipr-stats"),
    "enforcement": (enforcement.rows, exports.ENFORCEMENT, "ipr-enforcement"),
}


@bp.get("/")
@role_required(Role.ADMIN, Role.REVIEWER)
def index():
    form, day = StatsForm(request.args), today()
    chosen = selection(form, day)
    data = dashboard.overview(
        chosen.by, chosen.start, chosen.end, chosen.group_by, current_user, day,
        chosen.enforcement_group_by,
    )  # fmt: skip
    return render_template("stats/index.html", form=form, chosen=chosen, data=data)


@bp.get("/chart/<name>.svg")
@role_required(Role.ADMIN, Role.REVIEWER)
def chart(name: str):
    if name not in charts.CHARTS:
        abort(404)
    svg = charts.CHARTS[name](selection(StatsForm(request.args), today()))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = charts.SVG_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.<fmt>")
@role_required(Role.ADMIN)
def export(fmt: str):
    """The same file `flask ipr export-stats` writes for these arguments (CSV with a BOM), or
    with `figures=enforcement` the one of `flask ipr export-enforcement-stats`, grouped by
    `enforcement_group_by`."""
    figures = request.args.get("figures", "approvals")
    if fmt not in exports.FORMATS or figures not in DOWNLOADS:
        abort(404)
    form = StatsForm(request.args)
    chosen = selection(form, today())
    if form.errors:  # never hand out a file for other arguments than the ones asked for
        abort(400, "; ".join(e for errors in form.errors.values() for e in errors))
    rows_of, layout, prefix = DOWNLOADS[figures]
    group_by = chosen.enforcement_group_by if figures == "enforcement" else chosen.group_by
    rows = rows_of(chosen.by, chosen.start, chosen.end, group_by)
    detail = exports.log_detail(fmt, chosen.by, chosen.start, chosen.end, group_by,
                                None if figures == "approvals" else figures)  # fmt: skip
    security_log.record_now(SecurityAction.EXPORT_DOWNLOADED, current_user, detail=detail)
    if fmt == "csv":  # streamed; the rows are already loaded, so no request context is needed
        body = exports.csv_lines(rows, bom=True, layout=layout)
    elif fmt == "json":
        body = exports.json_text(rows, layout)
    else:
        body = exports.xlsx_bytes(rows, layout)
    response = Response(body, content_type=exports.MEDIA_TYPES[fmt])
    filename = _filename(prefix, chosen, group_by, fmt)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/export-job")
@role_required(Role.ADMIN)
def export_job():
    """The same file as a download, made by the worker (large exports): its progress and the
    file are on the job's page. `figures=enforcement`: the enforcement statistics, grouped by
    `enforcement_group_by`."""
    fmt = request.form.get("format", "")
    figures = request.form.get("figures", "approvals")
    form = StatsForm(request.form)
    chosen = selection(form, today())
    if form.errors or fmt not in exports.FORMATS or figures not in DOWNLOADS:
        abort(400, "; ".join(e for errors in form.errors.values() for e in errors) or None)
    group_by = chosen.enforcement_group_by if figures == "enforcement" else chosen.group_by
    job = jobs.start_export(
        current_user, chosen.by, chosen.start, chosen.end, group_by, fmt, figures
    )
    flash(_("The export runs in the background; its file appears here when it is ready."),
          "success")  # fmt: skip
    return redirect(url_for("admin.job_show", job_id=job.id))


def _filename(prefix: str, chosen: Selection, group_by, fmt: str) -> str:
    """ipr-stats-half-2018-01-01-2019-06-30.csv (plus -country / -ipr_type when grouped);
    ipr-enforcement-… for the enforcement statistics."""
    group = f"-{group_by.value}" if group_by else ""
    return f"{prefix}-{chosen.by.value}-{chosen.start}-{chosen.end}{group}.{fmt}"
