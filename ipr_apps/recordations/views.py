"""Recordation pages for the holder, its agent and customs staff: the list, the page of one
(validity, renewal window, history, recorded facts), cancellation and revocation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ipr_apps.errors import DomainError
from ipr_apps.forms import enum_arg, submit_reason
from ipr_apps.models import IprType, RecordationStatus, Role, today
from ipr_apps.recordation_workflow import RecordationAction, is_owner
from ipr_apps.recordations.forms import EndForm
from ipr_apps.security import role_required
from ipr_apps.services import lifecycle, recordation_access, recordation_pages, screening_facts

bp = Blueprint("recordations", __name__, url_prefix="/recordations")
VIEWERS = (Role.HOLDER, Role.REVIEWER, Role.ADMIN, Role.OFFICER)  # officers: read-only


def _visible(recordation_id: int):
    try:
        return recordation_access.get_recordation(current_user, recordation_id)
    except DomainError:
        abort(404)


@bp.get("/")
@role_required(*VIEWERS)
def index():
    query = _list_query(request.args)
    day = today()
    page = recordation_pages.recordations_of(
        current_user, query, request.args.get("cursor"), current_app.config["PAGE_SIZE"], day
    )
    return render_template(
        "recordations/index.html", page=page, query=query, today=day,
        timings=recordation_pages.timings(page.items, day),
        RecordationStatus=RecordationStatus, IprType=IprType,
        months=recordation_pages.EXPIRING_MONTHS, Window=recordation_pages.Window,
    )  # fmt: skip


def _list_query(args) -> recordation_pages.ListQuery:
    months = args.get("expiring", type=int)
    return recordation_pages.ListQuery(
        status=enum_arg(RecordationStatus, args.get("status")),
        ipr_type=enum_arg(IprType, args.get("ipr_type")),
        expiring_months=months if months in recordation_pages.EXPIRING_MONTHS else None,
        q=args.get("q", "").strip()[:100] or None,
    )


@bp.get("/<int:recordation_id>")
@role_required(*VIEWERS)
def show(recordation_id: int):
    try:  # the thin-facts question asked in the same query
        recordation, found = recordation_access.get_with(
            current_user, recordation_id, *screening_facts.present_columns()
        )
    except DomainError:
        abort(404)
    rows = recordation_pages.all_applications(recordation)  # history, panel and facts
    try:
        facts = recordation_pages.version(recordation, request.args.get("version", type=int), rows)
    except DomainError:
        abort(404)
    day = today()
    return render_template(
        "recordations/show.html", recordation=recordation, today=day, facts=facts,
        timing=recordation_pages.timing(recordation, day),
        history=recordation_pages.applications(recordation, current_user, rows),
        events=recordation_pages.events(recordation, current_user), change_apps=rows,
        Window=recordation_pages.Window,
        thin_facts=screening_facts.warning_for(recordation, current_user, found),
    )  # fmt: skip


@bp.route("/<int:recordation_id>/cancel", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def cancel(recordation_id: int):
    """GET asks for confirmation and the reason; POST cancels."""
    recordation = _visible(recordation_id)
    if not is_owner(recordation, current_user):
        abort(404)  # a mandated agency that did not file reads the page, but may not end it
    return _end(recordation, RecordationAction.CANCEL, lifecycle.cancel, "recordations/cancel.html")


@bp.route("/<int:recordation_id>/revoke", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def revoke(recordation_id: int):
    """GET asks for confirmation and the reason; POST revokes."""
    recordation = _visible(recordation_id)
    return _end(recordation, RecordationAction.REVOKE, lifecycle.revoke, "recordations/revoke.html")


def _end(recordation, action: RecordationAction, service, template: str):
    back = url_for("recordations.show", recordation_id=recordation.id)
    if not recordation.can(action, current_user):
        status = recordation.status.label.lower()
        flash(
            _("Recordation %(number)s is %(status)s: it can no longer be ended.",
              number=recordation.number, status=status),
            "warning",
        )  # fmt: skip
        return redirect(back)
    form = EndForm()
    done = str(_DONE[action]) % {"number": recordation.number}
    submitted = submit_reason(form, lambda r: service(current_user, recordation.id, r), back, done)
    if submitted is not None:
        return submitted
    status = 422 if form.is_submitted() else 200
    return render_template(template, recordation=recordation, form=form), status


_DONE = {
    RecordationAction.CANCEL: _l(
        "Recordation %(number)s is cancelled. The holder has been notified."
    ),
    RecordationAction.REVOKE: _l(
        "Recordation %(number)s is revoked. The holder has been notified."
    ),
}


from ipr_apps.recordations import change_views  # noqa: E402,F401  (renewal and amendment routes)
