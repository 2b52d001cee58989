"""Holder pages: my applications, the application form, the application page, withdraw,
revise and file again."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ipr_apps.errors import DomainError, ValidationError
from ipr_apps.filing.forms import (
    GROUPS,
    ApplicationForm,
    NewApplicationForm,
    WithdrawForm,
    blank_rows,
    lock,
    mark_required,
    summary_rows,
)
from ipr_apps.forms import attach_field_errors, enum_arg
from ipr_apps.i18n import ngettext
from ipr_apps.models import Role, Status, today
from ipr_apps.pagination import Sort
from ipr_apps.security import role_required
from ipr_apps.services import change_rules, completeness, documents, filing, listings, revise
from ipr_apps.services.access import get_application, represented_holders
from ipr_apps.services.content import RIGHT_FIELDS, to_payload
from ipr_apps.workdays import days_left_map, reply_days_left_map
from ipr_apps.workflow import DECISION_WORKING_DAYS, is_owner

bp = Blueprint("filing", __name__, url_prefix="/applications")
VIEWERS = (Role.HOLDER, Role.REVIEWER, Role.ADMIN)


@bp.get("/")
@role_required(Role.HOLDER)
def index():
    query = _list_query(request.args)
    page = listings.applications_of(
        current_user, query, request.args.get("cursor"), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "filing/index.html", page=page, query=query, Status=Status, Scope=listings.Scope,
        days_left=days_left_map(page.items, today()),
        reply_days_left=reply_days_left_map(page.items, today()),
    )  # fmt: skip


def _list_query(args) -> listings.ListQuery:
    return listings.ListQuery(
        status=enum_arg(Status, args.get("status")),
        q=args.get("q", "").strip()[:100] or None,
        scope=enum_arg(listings.Scope, args.get("scope"), listings.Scope.OURS),
        sort=Sort.parse(args.get("sort"), listings.HOLDER_SORTS, "-created"),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def new():
    form = NewApplicationForm()
    holders = represented_holders(current_user)
    form.holder_org_id.choices = [(org.id, org.reader_name) for org in holders]
    if not current_user.is_agent:
        del form.holder_org_id
    elif not holders:
        flash(_("Your agency has no mandate from any holder yet, so it cannot file."), "warning")
    if form.validate_on_submit():
        holder_id = form.holder_org_id.data if current_user.is_agent else None
        try:
            application = filing.create_draft(current_user, form.ipr_type.data, None, holder_id)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                _(
                    "Draft %(reference)s created. Nothing is sent until you submit.",
                    reference=application.reference,
                ),
                "info",
            )
            return redirect(url_for("filing.edit", application_id=application.id))
    return render_template("filing/new.html", form=form)


@bp.get("/<int:application_id>")
@role_required(*VIEWERS)
def show(application_id: int):
    application = _visible(application_id)
    return render_template(
        "filing/show.html", application=application, **_page_context(application)
    )


@bp.get("/<int:application_id>/certificate")
@role_required(*VIEWERS)
def certificate(application_id: int):
    """The printable recordation certificate of an approved application."""
    application = _visible(application_id)
    if not application.has_certificate:
        abort(404)
    return render_template("filing/certificate.html", application=application)


@bp.route("/<int:application_id>/edit", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def edit(application_id: int):
    application = _visible(application_id)
    if not is_owner(application, current_user):
        abort(404)
    if not application.editable_by(current_user):
        flash(_("This application has been submitted and can no longer be edited."), "info")
        return redirect(url_for("filing.show", application_id=application.id))
    if request.method == "GET":
        form = ApplicationForm(formdata=None, data=to_payload(application))
        return _render_form(application, form)
    return _handle_post(application, ApplicationForm())


def _handle_post(application, form: ApplicationForm):
    action = request.form.get("action", "save")
    readable = form.validate()
    if action == "submit":
        return _submit(application, form, readable)
    if not readable:
        flash(
            _("Some fields have an invalid format; nothing was lost — correct them below."),
            "danger",
        )
        return _render_form(application, form, status=422)
    payload = form.payload(RIGHT_FIELDS[application.ipr_type])
    _apply_row_buttons(payload, request.form.get("remove", ""))
    try:
        filing.update_draft(current_user, application.id, payload)
    except ValidationError as error:  # a renewal or amendment changing what stays recorded
        attach_field_errors(form, error.fields)
        flash(error.message, "danger")
        return _render_form(application, form, status=422)
    if action in UPLOADS:
        return _upload(application, action)
    added = request.form.get("add", "")
    if added in GROUPS:
        form = ApplicationForm(formdata=None, data=to_payload(application))
        form[added].append_entry()
        return _render_form(application, form, anchor=added)
    flash(_("Draft saved."), "success")
    return redirect(url_for("filing.edit", application_id=application.id))


UPLOADS = {
    "upload_document": ("file", _l("Document attached.")),
    "upload_mark_image": ("mark_image", _l("Mark image saved.")),
}


def _upload(application, action: str):
    """The documents panel's buttons on this page also save the draft (nothing typed is lost)."""
    field, success = UPLOADS[action]
    upload = request.files.get(field)
    filename = upload.filename if upload else None
    try:
        if action == "upload_mark_image":
            documents.set_mark_image(current_user, application.id, upload, filename)
        else:
            doc_type = request.form.get("doc_type", "")
            documents.attach(current_user, application.id, doc_type, upload, filename)
    except DomainError as error:
        flash(
            _("Draft saved, but the file was not attached: %(error)s", error=error.message),
            "danger",
        )
    else:
        flash(_("Draft saved. %(outcome)s", outcome=success), "success")
    return redirect(url_for("filing.edit", application_id=application.id, _anchor="documents"))


def _apply_row_buttons(payload: dict, remove: str) -> None:
    group, _, index = remove.rpartition("-")
    if group in GROUPS and index.isdigit() and int(index) < len(payload[group]):
        del payload[group][int(index)]


def _submit(application, form: ApplicationForm, readable: bool):
    """Save and submit; on failure show every problem at once (formats and completeness)."""
    payload = form.payload(RIGHT_FIELDS[application.ipr_type])
    if not readable:  # save nothing, but check the rest as if it were saved
        problems = filing.check(current_user, application.id, payload)
        return _refused(application, form, problems)
    try:
        filing.update_draft(current_user, application.id, payload)  # keep everything typed
        result = filing.submit(current_user, application.id)
    except ValidationError as error:
        return _refused(application, form, error.fields)
    for duplicate in result.duplicates:
        flash(
            _(
                "Warning: %(reference)s is already filed for the same right (%(state)s); "
                "the reviewer will see both.",
                reference=duplicate.reference,
                state=duplicate.status.label.lower(),
            ),
            "warning",
        )
    flash(
        _(
            "%(reference)s submitted. Customs will decide within %(days)s working days.",
            reference=application.reference,
            days=DECISION_WORKING_DAYS,
        ),
        "success",
    )
    return redirect(url_for("filing.show", application_id=application.id))


def _refused(application, form: ApplicationForm, problems: dict[str, list[str]]):
    general = attach_field_errors(form, problems, keep_first=True)
    form.right.form.adapt_to(application.ipr_type)  # the summary names fields by these labels
    summary = summary_rows(form, general)
    flash(
        ngettext(
            "The application is not complete: %(num)d problem, listed below.",
            "The application is not complete: %(num)d problems, listed below.",
            len(summary),
        ),
        "danger",
    )
    return _render_form(application, form, summary=summary, status=422)


def _render_form(application, form, summary=None, status=200, anchor=None):
    form.right.form.adapt_to(application.ipr_type)
    required = completeness.required_fields(application.ipr_type)
    form.mark_required(required)
    if application.open_request is not None:
        mark_required(form, ("response",))
    locked = change_rules.locked_fields(application)
    lock(form, locked)
    return render_template(
        "filing/edit.html",
        application=application,
        form=form,
        summary=summary if summary is not None else summary_rows(form),
        right_fields=RIGHT_FIELDS[application.ipr_type],
        anchor=anchor,
        blanks=blank_rows(required),
        locked=locked,
        **_page_context(application),
    ), status


@bp.route("/<int:application_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def withdraw(application_id: int):
    """GET asks for confirmation; POST withdraws."""
    application = _visible(application_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            filing.withdraw(current_user, application.id, form.reason.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                _("%(reference)s has been withdrawn.", reference=application.reference), "success"
            )
        return redirect(url_for("filing.show", application_id=application.id))
    if not application.can("withdraw", current_user):
        abort(404 if not is_owner(application, current_user) else 409)
    return render_template("filing/withdraw.html", application=application, form=form)


@bp.post("/<int:application_id>/revise", endpoint="revise")
@role_required(Role.HOLDER)
def revise_again(application_id: int):
    """Revise and file again: a new draft copying this rejected or withdrawn application."""
    application = _visible(application_id)
    try:
        draft = revise.revise(current_user, application.id)
    except revise.RevisionExists as error:
        flash(error.message, "warning")
        return redirect(url_for("filing.show", application_id=error.revision.id))
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("filing.show", application_id=application.id))
    flash(
        _(
            "Draft %(draft)s created from %(reference)s, with everything it filed (documents "
            "too). Change what customs objected to, then submit it.",
            draft=draft.reference,
            reference=application.reference,
        ),
        "success",
    )
    return redirect(url_for("filing.edit", application_id=draft.id))


def _visible(application_id: int):
    try:
        return get_application(current_user, application_id)
    except DomainError:
        abort(404)


def _page_context(application) -> dict:
    return {
        "days_left": days_left_map([application], today()).get(application.id),
        "reply_days_left": reply_days_left_map([application], today()).get(application.id),
        "documents_editable": application.editable_by(current_user),
        "lineage": revise.lineage(application, current_user),
    }
