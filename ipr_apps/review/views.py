"""Reviewer pages: the queue, claiming, the review page and decisions."""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import DomainError, NotFound
from ipr_apps.forms import apply_errors, enum_arg
from ipr_apps.models import Application, IprType, Role, User, today
from ipr_apps.review.forms import (
    NoteForm,
    QueueFilterForm,
    ReassignForm,
    RejectForm,
    RequestInfoForm,
)
from ipr_apps.security import role_required
from ipr_apps.services import page_version, queue, recordations, review, revise
from ipr_apps.services.access import get_application
from ipr_apps.workdays import days_left_map, reply_days_left_map

bp = Blueprint("review", __name__, url_prefix="/review")
STAFF = (Role.REVIEWER, Role.ADMIN)


@bp.get("/")
@role_required(*STAFF)
def index():
    tag = page_version.etag(db.session, current_user)
    unchanged = page_version.not_modified(tag)
    if unchanged is not None:
        return unchanged
    return page_version.conditional(make_response(_queue()), tag)


def _queue() -> str:
    tab = enum_arg(queue.Tab, request.args.get("tab"), queue.Tab.UNCLAIMED)
    form = QueueFilterForm(request.args)
    filters = _filters(form, request.args)
    sort = queue.sort_for(tab, request.args.get("sort"))
    size = current_app.config["PAGE_SIZE"]
    page = queue.page(tab, current_user, filters, sort, request.args.get("cursor"), size)
    return render_template(
        "review/index.html", tab=queue.Tab, current=tab, page=page, form=form, filters=filters,
        sort=sort, counts=queue.tab_counts(current_user),
        days_left=days_left_map(page.items, today()),
        reply_days_left=reply_days_left_map(page.items, today()),
    )  # fmt: skip


def _filters(form: QueueFilterForm, args) -> queue.Filters:
    return queue.Filters(
        ipr_type=enum_arg(IprType, form.ipr_type.data),
        country=(form.country.data or "").strip()[:2] or None,
        overdue=args.get("overdue") == "1",
        flagged=args.get("flagged") == "1",
        q=(form.q.data or "").strip()[:100] or None,
    )


@bp.post("/claim-next")
@role_required(Role.REVIEWER)
def claim_next():
    try:
        application = review.claim_next(current_user)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("review.index"))
    if application is None:
        flash(_("No unclaimed application is waiting."), "info")
        return redirect(url_for("review.index"))
    flash(_("You claimed %(reference)s.", reference=application.reference), "success")
    return redirect(url_for("review.show", application_id=application.id))


@bp.post("/<int:application_id>/claim")
@role_required(Role.REVIEWER)
def claim(application_id: int):
    claimed = _attempt(lambda: review.claim(current_user, application_id),
                       lambda ref: _("You claimed %(reference)s.", reference=ref))  # fmt: skip
    if claimed:
        return redirect(url_for("review.show", application_id=application_id))
    return redirect(url_for("review.index"))


@bp.post("/<int:application_id>/release")
@role_required(*STAFF)
def release(application_id: int):
    _attempt(lambda: review.release(current_user, application_id),
             lambda ref: _("%(reference)s is back in the queue.", reference=ref))  # fmt: skip
    return redirect(url_for("review.index"))


@bp.post("/<int:application_id>/reassign")
@role_required(Role.ADMIN)
def reassign(application_id: int):
    form = ReassignForm()
    form.reviewer_id.choices = _reviewer_choices()
    if form.validate_on_submit():
        _attempt(
            lambda: review.reassign(current_user, application_id, form.reviewer_id.data),
            lambda ref: _("%(reference)s reassigned.", reference=ref),
        )
    return redirect(url_for("review.show", application_id=application_id))


@bp.get("/<int:application_id>")
@role_required(*STAFF)
def show(application_id: int):
    return _render_review(application_id)


def _decision(rule: str):
    """Register a decision at `rule`: POST decides. A GET (a bookmark, a link to the URL a
    refused decision was shown at) goes to the review page's decision panel, never a 405."""

    def register(view):
        @wraps(view)
        def dispatch(application_id: int):
            if request.method == "GET":
                return redirect(
                    url_for("review.show", application_id=application_id, _anchor="decide")
                )
            return view(application_id)

        return bp.route(rule, methods=["GET", "POST"])(role_required(Role.REVIEWER)(dispatch))

    return register


@_decision("/<int:application_id>/request-info")
def request_info(application_id: int):
    form = RequestInfoForm()
    if not form.validate_on_submit():
        return _render_review(application_id, status=422, info_form=form)
    return _decide(
        application_id, "info_form", form,
        lambda: review.request_info(
            current_user, application_id, form.message.data, form.reply_by.data
        ),
        lambda ref: _("Information requested from the holder of %(reference)s.", reference=ref),
    )  # fmt: skip


@_decision("/<int:application_id>/approve")
def approve(application_id: int):
    application = _attempt(lambda: review.approve(current_user, application_id), None)
    if application:
        message = _(
            "%(reference)s approved: recordation %(number)s.",
            reference=application.reference,
            number=application.recordation.number,
        )
        flash(message, "success")  # fmt: skip
    return redirect(url_for("review.show", application_id=application_id))


@_decision("/<int:application_id>/reject")
def reject(application_id: int):
    """Validate first, then confirm: a valid form is restated on a confirmation page whose
    "Confirm rejection" sends the same values with `confirm`; "Change" brings them back."""
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_review(application_id, status=422, reject_form=form)
    if form.change.data:
        return _render_review(application_id, reject_form=form)
    if not form.confirm.data:
        return _confirm_reject(application_id, form)
    return _decide(
        application_id, "reject_form", form,
        lambda: review.reject(
            current_user, application_id, form.reason_codes.data, form.message.data
        ),
        lambda ref: _("%(reference)s rejected.", reference=ref),
    )  # fmt: skip


def _confirm_reject(application_id: int, form: RejectForm):
    application = _visible(application_id)
    if not application.can("reject", current_user):  # decided or released meanwhile
        flash(_("You can no longer reject %(reference)s.", reference=application.reference),
              "warning")  # fmt: skip
        return redirect(url_for("review.show", application_id=application_id))
    return render_template("review/confirm_reject.html", application=application, form=form)


def _decide(application_id: int, form_name: str, form, action, success):
    """Call the decision's service; on a refusal show the review page with the form's errors."""
    if _attempt(action, success, form):
        return redirect(url_for("review.show", application_id=application_id))
    return _render_review(application_id, status=422, **{form_name: form})


@bp.post("/<int:application_id>/notes")
@role_required(*STAFF)
def add_note(application_id: int):
    form = NoteForm()
    if form.validate_on_submit():
        _attempt(lambda: review.add_note(current_user, application_id, form.body.data),
                 lambda _ref: _("Note added."))  # fmt: skip
    else:
        flash(_("Write the note before adding it."), "warning")
    return redirect(url_for("review.show", application_id=application_id, _anchor="notes"))


def _attempt(action, success=None, form=None):
    """Run a service call; flash its outcome (`success` words it from the result's reference).
    NotFound is a 404; returns the result or None."""
    try:
        result = action()
    except NotFound:
        abort(404)
    except DomainError as error:
        if form is not None:
            apply_errors(form, error)
        else:
            flash(error.message, "danger")
        return None
    if success:
        flash(success(getattr(result, "reference", "")), "success")
    return result


def _reviewer_choices() -> list[tuple[int, str]]:
    stmt = select(User).where(User.role == Role.REVIEWER, User.active.is_(True)).order_by(User.name)
    return [(u.id, f"{u.name} ({u.email})") for u in db.session.execute(stmt).scalars()]


def _visible(application_id: int) -> Application:
    try:
        return get_application(current_user, application_id)
    except NotFound:
        abort(404)


def _render_review(application_id: int, status: int = 200, **forms):
    application = _visible(application_id)
    reassign_form = ReassignForm()
    if application.can("reassign", current_user):  # every reviewer: only where it is shown
        reassign_form.reviewer_id.choices = _reviewer_choices()
    context = {
        "application": application,
        "conflicts": recordations.conflicts(application),
        "notes": review.notes_for(current_user, application),
        "info_form": forms.get("info_form") or RequestInfoForm(formdata=None),
        "reject_form": forms.get("reject_form") or RejectForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "reassign_form": reassign_form,
        "days_left": days_left_map([application], today()).get(application.id),
        "documents_editable": False,
        "documents_inline": True,
        "lineage": revise.lineage(application, current_user),
    }
    return render_template("review/show.html", **context), status
