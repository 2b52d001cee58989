"""Request-for-detention pages: the holder files one from its recordation (with evidence) and
may withdraw it; the officers of the likely port's district accept it into a case or refuse
it; the list and the page of one request, for the owner, those officers and admins."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.cases.officer_forms import OpenCaseForm
from ipr_apps.detention_requests.forms import RefuseForm, RequestForm
from ipr_apps.errors import DomainError, NotFound, ValidationError
from ipr_apps.forms import enum_arg
from ipr_apps.models import RequestStatus, Role
from ipr_apps.request_workflow import RequestAction, can, transition_for
from ipr_apps.security import role_required
from ipr_apps.services import detention_requests as service
from ipr_apps.services import request_access
from ipr_apps.services.document_files import human_size
from ipr_apps.services.document_names import name_for
from ipr_apps.services.request_fields import RequestFields, active_districts

bp = Blueprint("detention_requests", __name__, url_prefix="/detention-requests")
VIEWERS = (Role.HOLDER, Role.OFFICER, Role.ADMIN)


@bp.app_context_processor
def _helpers() -> dict:
    return {"request_can": lambda req, action: can(req, action, current_user)}


def _visible(request_id: int):
    try:
        return request_access.get_request(current_user, request_id)
    except DomainError:
        abort(404)


def _show(request_id: int):
    return redirect(url_for("detention_requests.show", request_id=request_id))


@bp.get("/")
@role_required(*VIEWERS)
def index():
    status = enum_arg(RequestStatus, request.args.get("status"))
    size = current_app.config["PAGE_SIZE"]
    page = request_access.requests_of(current_user, status, request.args.get("cursor"), size)
    return render_template(
        "detention_requests/index.html", page=page, status=status, RequestStatus=RequestStatus
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def new():
    """The holder's form, reached from a recordation in force ("Request detention")."""
    recordation_id = request.args.get("recordation_id", type=int)
    try:
        recordation = service.recordation_to_request(current_user, recordation_id or 0)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("recordations.show", recordation_id=recordation_id))
    form = RequestForm()
    form.set_districts(active_districts())
    if form.is_submitted():
        filed = _file(form, recordation)
        if filed is not None:
            flash(_("Request %(reference)s filed. The officers of customs %(port)s have been "
                    "told.", reference=filed.reference, port=filed.port_code),
                  "success")  # fmt: skip
            return _show(filed.id)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "detention_requests/new.html", form=form, recordation=recordation,
        max_size=human_size(current_app.config.get("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)),
        max_files=service.EVIDENCE_MAX,
    ), status  # fmt: skip


def _file(form: RequestForm, recordation):
    """File the request, or put every problem beside its field. A form the browser sent
    malformed (a number that is not one) goes no further than the field checks."""
    fields, evidence = _fields(form), _evidence()
    if not form.validate():
        problems = fields.problems()
        if not evidence:
            problems["evidence"] = [_("Attach at least one evidence file (PDF, JPEG or PNG).")]
        _put_errors(form, ValidationError(_("Check the request."), problems))
        return None
    try:
        return service.file(current_user, recordation.id, fields, evidence)
    except ValidationError as error:
        _put_errors(form, error)
    except DomainError as error:
        flash(error.message, "danger")
    return None


def _fields(form: RequestForm) -> RequestFields:
    """What the holder typed; a number the form could not read counts as not given (its own
    error is already beside it)."""
    return RequestFields(
        port_code=form.port_code.data, channel=form.channel.data,
        direction=form.direction.data, goods=form.goods.data or "",
        consignor=form.consignor.data, consignee=form.consignee.data,
        hs_code=form.hs_code.data, items=form.items.data, value_cny=form.value_cny.data,
        expected_from=form.expected_from.data, expected_until=form.expected_until.data,
        note=form.note.data,
    )  # fmt: skip


def _evidence() -> list[service.Evidence]:
    return [
        service.Evidence(upload.stream, upload.filename)
        for upload in request.files.getlist("evidence")
        if upload and upload.filename
    ]


def _put_errors(form, error: ValidationError) -> None:
    """The service's messages beside their fields (once each); others on top."""
    for name, messages in (error.fields or {}).items():
        field = form._fields.get(name)
        if field is None:
            flash(" ".join(messages), "danger")
            continue
        field.errors = [*field.errors, *(m for m in messages if m not in field.errors)]
    if not error.fields:
        flash(error.message, "danger")


@bp.get("/<int:request_id>")
@role_required(*VIEWERS)
def show(request_id: int):
    req = _visible(request_id)
    return render_template(
        "detention_requests/show.html", req=req, case=request_access.case_of(req),
        decided_by=request_access.decided_by(req), district=request_access.district_of(req),
        human_size=human_size,
    )  # fmt: skip


@bp.get("/<int:request_id>/evidence/<int:doc_id>")
@role_required(*VIEWERS)
def evidence(request_id: int, doc_id: int):
    try:
        document, path = request_access.get_evidence(current_user, request_id, doc_id)
    except DomainError:
        abort(404)
    response: Response = send_file(
        path, mimetype=document.content_type, as_attachment=True,
        download_name=name_for(document.original_name, document.content_type),
        etag=document.sha256,
    )  # fmt: skip
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.post("/<int:request_id>/withdraw")
@role_required(Role.HOLDER)
def withdraw(request_id: int):
    req = _visible(request_id)
    try:
        service.withdraw(current_user, req.id)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("Request %(reference)s withdrawn.", reference=req.reference), "success")
    return _show(req.id)


@bp.route("/<int:request_id>/accept", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def accept(request_id: int):
    """GET: the case form, prefilled from the request. POST: open the case."""
    req = _visible(request_id)
    if not can(req, RequestAction.ACCEPT, current_user):
        return _cannot(req, RequestAction.ACCEPT)
    form = OpenCaseForm(data=_prefill(req) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            case = service.accept(current_user, req.id, form.facts())
        except ValidationError as error:
            _put_errors(form, error)
        except DomainError as error:
            flash(error.message, "danger")
            return _show(req.id)
        else:
            flash(_("Request %(reference)s accepted: case %(number)s opened. The holder has been "
                    "told.", reference=req.reference, number=case.case_number),
                  "success")  # fmt: skip
            return redirect(url_for("cases.show", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template("detention_requests/accept.html", req=req, form=form), status


def _prefill(req) -> dict:
    return {
        "channel": req.channel.value, "direction": req.direction.value, "goods": req.goods,
        "hs_code": req.hs_code, "consignor": req.consignor, "consignee": req.consignee,
        "items": req.items, "value_cny": req.value_cny,
    }  # fmt: skip


@bp.route("/<int:request_id>/refuse", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def refuse(request_id: int):
    """GET asks for the reason; POST refuses."""
    req = _visible(request_id)
    if not can(req, RequestAction.REFUSE, current_user):
        return _cannot(req, RequestAction.REFUSE)
    form = RefuseForm()
    if form.validate_on_submit():
        try:
            service.refuse(current_user, req.id, form.reason.data)
        except ValidationError as error:
            _put_errors(form, error)
        except DomainError as error:
            flash(error.message, "danger")
            return _show(req.id)
        else:
            flash(_("Request %(reference)s refused. The holder has been told.",
                    reference=req.reference), "success")  # fmt: skip
            return _show(req.id)
    status = 422 if form.is_submitted() else 200
    return render_template("detention_requests/refuse.html", req=req, form=form), status


def _cannot(req, action: RequestAction):
    """Not the district's officer: 404 like any other hidden thing; a decided request: back
    to its page with the reason (e.g. accepted twice)."""
    if req.status == RequestStatus.SUBMITTED:
        abort(404)  # an admin reads the request but only the district's officers decide
    try:
        transition_for(req, action, current_user)
    except DomainError as error:
        flash(error.message, "warning")
    return _show(req.id)
