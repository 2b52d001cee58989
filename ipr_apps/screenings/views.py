"""Officers' screening pages: paste or upload lines, the results of a run, a case from a hit."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.errors import DomainError
from ipr_apps.forms import apply_errors
from ipr_apps.i18n import format_number
from ipr_apps.models import Role, ScreeningRun
from ipr_apps.screening.lines import COLUMNS, REQUIRED
from ipr_apps.screenings.forms import PASTE_MAX, ScreenForm
from ipr_apps.security import role_required
from ipr_apps.services import screening, screening_batches, screening_input

bp = Blueprint("screenings", __name__, url_prefix="/screening")

FORM_BYTES = 64 * 1024  # room for the form's other fields beside the file
# The example file offered on the page: one line per kind of finding, the header first.
# The example file: lines the demo's BRIGHTSTAR recordation screens (its known infringer at one
# of its ports; the mark in full-width letters; a genuine import by its recorded importer, not a
# hit; goods that have nothing to do with it).
EXAMPLE_ROWS = (
    ("531620261000001", "1", "Huangpu", "export", "8539.52.00", "LED bulbs BRIGHTSTAR 9W",
     "BRIGHTSTAR", "Dongguan Shiny Lamps Co Ltd", "Retail Imports GmbH", "CN", "5000", "12000.00"),
    ("531620261000002", "1", "Shenzhen Bay", "import", "8539.52.00",
     "ＢＲＩＧＨＴＳＴＡＲ LED lamps", "", "Lucky Star Trading", "Quick Sale Ltd", "VN",
     "800", "2400.00"),
    ("531620261000003", "1", "Huanggang", "import", "8539.52.00", "LED lamps BRIGHTSTAR",
     "BRIGHTSTAR", "Brightlight GmbH", "Shenzhen Bright Trading Co., Ltd.", "DE", "2000",
     "30000.00"),
    ("531620261000003", "2", "Huanggang", "import", "6912.00", "Ceramic cups", "",
     "Brightlight GmbH", "Shenzhen Bright Trading Co., Ltd.", "DE", "1200", "3600.00"),
)  # fmt: skip


@bp.url_value_preprocessor
def _allow_large_upload(endpoint: str | None, _values) -> None:
    """The screening form takes files up to SCREENING_MAX_BYTES, and pasted text up to the
    field's PASTE_MAX characters (up to 4 bytes each in UTF-8; Werkzeug's default for a form
    field, 500 kB, would refuse a paste the page allows). Set before the CSRF check reads the
    body."""
    if endpoint == "screenings.index":
        request.max_content_length = screening_batches.max_bytes() + FORM_BYTES
        request.max_form_memory_size = PASTE_MAX * 4 + FORM_BYTES


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def index():
    form, rejected = ScreenForm(), None
    if form.validate_on_submit():
        try:
            run = _screen(form)
        except screening_input.LinesRejected as error:
            rejected = error
        except DomainError as error:
            apply_errors(form, error)
        else:
            if run.finished_at is None:
                flash(_queued_message(run), "info")
            return redirect(url_for("screenings.run", run_id=run.id), 303)
    page = screening.runs_page(
        current_user, request.args.get("cursor"), current_app.config["PAGE_SIZE"]
    )
    status = 422 if form.is_submitted() else 200
    return render_template(
        "screenings/index.html", form=form, rejected=rejected, page=page, columns=COLUMNS,
        required=REQUIRED, limit=screening.INLINE_LINES,
    ), status  # fmt: skip


def _queued_message(run: ScreeningRun) -> str:
    return _(
        "%(name)s has more than %(limit)s lines: it is screened in the background.",
        name=run.input_name, limit=format_number(screening.INLINE_LINES),
    )  # fmt: skip


def _screen(form: ScreenForm) -> ScreeningRun:
    if form.file.data:
        upload = form.file.data
        return screening_input.screen_upload(
            current_user, upload.stream, upload.filename or "", form.threshold.data
        )
    return screening_input.screen_pasted(current_user, form.lines.data, form.threshold.data)


@bp.get("/example.csv")
@role_required(Role.OFFICER)
def example():
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(EXAMPLE_ROWS)
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=screening-example.csv"},
    )


@bp.get("/runs/<int:run_id>")
@role_required(Role.OFFICER)
def run(run_id: int):
    screening_run = _own_run(run_id)
    min_score = _min_score(request.args.get("min_score"), screening_run.threshold)
    page, cases = None, {}
    if screening_run.finished_at is not None:
        page = screening.hits_page(
            screening_run, min_score, request.args.get("cursor"), current_app.config["PAGE_SIZE"]
        )
        cases = screening.cases_of_hits([hit.id for hit in page.items])
    return render_template(
        "screenings/run.html", run=screening_run, page=page, min_score=min_score, cases=cases
    )


def _own_run(run_id: int) -> ScreeningRun:
    try:
        return screening.get_run(current_user, run_id)
    except DomainError:
        abort(404)


def _min_score(raw: str | None, threshold: int) -> int | None:
    """The filter's score when it is a whole number from the run's threshold up; else none."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return None
    value = int(raw)
    return value if threshold <= value <= screening.MAX_THRESHOLD else None


from ipr_apps.screenings import batch_views, holder_views  # noqa: E402, F401
