"""Detention-case pages: the officer side (routes added to cases.views.bp) — finding the
recordation, opening an ex officio case on it, recording the outcome of a detained case."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.cases.officer_forms import OpenCaseForm, OutcomeForm
from ipr_apps.cases.views import _visible, bp
from ipr_apps.errors import DomainError, ValidationError
from ipr_apps.forms import apply_errors
from ipr_apps.i18n import format_day
from ipr_apps.models import Role, today
from ipr_apps.security import role_required
from ipr_apps.services import case_outcomes, case_search, cases, recordation_access, screening


@bp.get("/find")
@role_required(Role.OFFICER)
def find():
    search = case_search.Search.parse(
        request.args.get("q"), request.args.get("hs"), request.args.get("ended") == "1"
    )
    page = case_search.find(search, request.args.get("cursor"), current_app.config["PAGE_SIZE"])
    goods = case_search.genuine_goods([r.facts_application_id for r in page.items])
    args = {"q": request.args.get("q", "")[:100] or None, "hs": search.hs_code,
            "ended": "1" if search.include_ended else None}  # fmt: skip
    return render_template("cases/find.html", search=search, page=page, goods=goods, args=args)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new():
    recordation = _recordation(request.args.get("recordation_id", type=int))
    if not recordation.status.in_force:
        flash(_("Recordation %(number)s is %(state)s: customs cannot act ex officio on it.",
                number=recordation.number, state=recordation.status.label.lower()),
              "warning")  # fmt: skip
        return redirect(url_for("recordations.show", recordation_id=recordation.id))
    hit = _hit(recordation.id)
    earlier = screening.cases_of_hits([hit.id]).get(hit.id) if hit else None
    if earlier is not None:
        flash(cases.case_from_hit_exists(earlier.case_number), "info")
        return redirect(url_for("cases.show", case_id=earlier.id))
    data = (
        case_search.prefill_from_hit(recordation, hit) if hit else case_search.prefill(recordation)
    )
    form = OpenCaseForm(data={**data, "hit_id": hit.id if hit else None})
    if form.validate_on_submit():
        try:
            case = cases.open_ex_officio(
                current_user, recordation.id, form.facts(), hit.id if hit else None
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            _opened(case)
            return redirect(url_for("cases.show", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template("cases/new.html", form=form, recordation=recordation, hit=hit), status


def _opened(case) -> None:
    flash(_("Case %(number)s is open. The holder has until %(day)s to confirm the detention; "
            "otherwise the goods are released.", number=case.case_number,
            day=format_day(case.confirm_by)), "success")  # fmt: skip


def _hit(recordation_id: int):
    """The screening hit the case is opened from (the form's hidden field on a POST, the link's
    `hit_id` otherwise): one of the officer's own runs on this recordation, else 404."""
    raw = request.form.get("hit_id") if request.method == "POST" else request.args.get("hit_id")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        abort(404)
    try:
        return screening.hit_for_case(current_user, int(raw), recordation_id)
    except DomainError:
        abort(404)


def _recordation(recordation_id: int | None):
    if recordation_id is None:
        abort(404)
    try:
        return recordation_access.get_recordation(current_user, recordation_id)
    except DomainError:
        abort(404)


@bp.route("/<int:case_id>/outcome", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def outcome(case_id: int):
    case = _visible(case_id)
    back = url_for("cases.show", case_id=case.id)
    if not case.can("close", current_user):
        flash(_("Case %(number)s is %(state)s: an outcome is recorded once the goods are "
                "detained.", number=case.case_number, state=case.status.label.lower()),
              "warning")  # fmt: skip
        return redirect(back)
    form = OutcomeForm(data={"outcome_on": today()})  # most outcomes are recorded the same day
    if form.validate_on_submit():
        try:
            case_outcomes.record_outcome(
                current_user, case.id, form.outcome.data, form.outcome_on.data, form.note.data
            )
        except ValidationError as error:
            apply_errors(form, error)
        except DomainError as error:
            flash(error.message, "danger")
            return redirect(back)
        else:
            flash(_("Case %(number)s is closed: %(outcome)s. The holder has been notified.",
                    number=case.case_number, outcome=case.outcome.label.lower()),
                  "success")  # fmt: skip
            return redirect(back)
    status = 422 if form.is_submitted() else 200
    return render_template("cases/outcome.html", form=form, case=case, today=today()), status
