"""Detention-case pages around the holder's deadline (routes added to cases.views.bp): the
holder confirms (a bond or its general guarantee) or withdraws; an officer of the district
releases the goods before the holder confirmed."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ipr_apps.case_workflow import CaseAction
from ipr_apps.cases.holder_forms import GUARANTEE, ConfirmForm, ReleaseForm, WithdrawForm
from ipr_apps.cases.views import _visible, bp
from ipr_apps.errors import DomainError, ValidationError
from ipr_apps.forms import submit_reason
from ipr_apps.models import CaseStatus, Role, today
from ipr_apps.security import role_required
from ipr_apps.services import case_confirm, case_release, recordation_access


@bp.app_context_processor
def _case_page_helpers() -> dict:
    return {"case_deadline": case_confirm.deadline, "may_open_recordation": _may_open,
            "status_label": _status_label}  # fmt: skip


def _status_label(value: str | None) -> str:
    """A case event's stored status in the reader's language (as stored if it is unknown)."""
    return CaseStatus(value).label if value in set(CaseStatus) else (value or "")


def _may_open(recordation) -> bool:
    """Link the recordation only for those whose role its page serves and who may see it."""
    view = current_app.view_functions.get("recordations.show")
    roles = getattr(view, "allowed_roles", frozenset())
    user = current_user
    return (
        recordation is not None
        and user.role in roles
        and recordation_access.can_view(recordation, user)
    )


@bp.route("/<int:case_id>/confirm", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def confirm(case_id: int):
    """GET shows the deadline and the ways to secure the detention; POST confirms."""
    case = _visible(case_id)
    back = url_for("cases.show", case_id=case.id)
    deadline = case_confirm.deadline(case, today())
    if not case.can(CaseAction.CONFIRM, current_user) or (deadline and deadline.passed):
        flash(_("Case %(number)s can no longer be confirmed.", number=case.case_number), "warning")
        return redirect(back)
    offered = case_confirm.guarantee_usable(case)
    form = ConfirmForm()
    if not offered:
        form.choice.choices = [c for c in form.choice.choices if c.value != GUARANTEE]
    if form.validate_on_submit():
        use_guarantee = form.use_guarantee(offered)
        bond = None if use_guarantee else form.bond_cny.data
        try:
            case_confirm.confirm(current_user, case.id, bond, use_guarantee)
        except ValidationError as error:
            form.bond_cny.errors = [*form.bond_cny.errors, *error.fields.get("bond_cny", [])]
            form.choice.errors = [*form.choice.errors, *error.fields.get("use_guarantee", [])]
        except DomainError as error:
            flash(error.message, "danger")
            return redirect(back)
        else:
            flash(_("You confirmed the detention of case %(number)s. The customs officers have "
                    "been notified.", number=case.case_number), "success")  # fmt: skip
            return redirect(back)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "cases/confirm.html", case=case, form=form, deadline=deadline, offered=offered,
        guarantor=case.holder_org,
    ), status  # fmt: skip


@bp.route("/<int:case_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.HOLDER)
def withdraw(case_id: int):
    """GET asks for confirmation (and an optional reason); POST withdraws."""
    return _end(case_id, CaseAction.WITHDRAW, WithdrawForm, case_confirm.withdraw)


@bp.route("/<int:case_id>/release", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def release(case_id: int):
    """GET asks for confirmation and the reason; POST releases the goods."""
    return _end(case_id, CaseAction.RELEASE, ReleaseForm, case_release.release)


_PAGES = {CaseAction.WITHDRAW: "cases/withdraw.html", CaseAction.RELEASE: "cases/release.html"}
_DONE = {
    CaseAction.WITHDRAW: _l(
        "You withdrew the request for detention of case %(number)s. The customs officers have "
        "been notified."
    ),
    CaseAction.RELEASE: _l(
        "The goods of case %(number)s are released. The holder has been notified."
    ),
}
_CANNOT = {
    CaseAction.WITHDRAW: _l("Case %(number)s is %(state)s: you cannot withdraw it."),
    CaseAction.RELEASE: _l("Case %(number)s is %(state)s: you cannot release it."),
}


def _end(case_id: int, action: CaseAction, form_class, service):
    case = _visible(case_id)
    back = url_for("cases.show", case_id=case.id)
    if not case.can(action, current_user):
        state = {"number": case.case_number, "state": case.status.label.lower()}
        flash(str(_CANNOT[action]) % state, "warning")
        return redirect(back)
    form = form_class()
    done = str(_DONE[action]) % {"number": case.case_number}
    submitted = submit_reason(form, lambda r: service(current_user, case.id, r), back, done)
    if submitted is not None:
        return submitted
    status = 422 if form.is_submitted() else 200
    deadline = case_confirm.deadline(case, today())
    return render_template(_PAGES[action], case=case, form=form, deadline=deadline), status
