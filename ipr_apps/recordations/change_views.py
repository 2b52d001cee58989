"""Starting a renewal or an amendment from the recordation page (POST, CSRF, holders)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ipr_apps.errors import DomainError, NotFound
from ipr_apps.forms import AppForm
from ipr_apps.models import Application, Kind, Recordation, Role, today
from ipr_apps.recordations.views import bp
from ipr_apps.security import role_required
from ipr_apps.services import change_rules, changes, fact_diff


class StartChangeForm(AppForm):
    """Nothing to fill in: the CSRF token only."""


@bp.post("/<int:recordation_id>/renew")
@role_required(Role.HOLDER)
def renew(recordation_id: int):
    return _start(recordation_id, changes.start_renewal)


@bp.post("/<int:recordation_id>/amend")
@role_required(Role.HOLDER)
def amend(recordation_id: int):
    return _start(recordation_id, changes.start_amendment)


def _start(recordation_id: int, start):
    back = url_for("recordations.show", recordation_id=recordation_id)
    if not StartChangeForm().validate_on_submit():
        flash(_("The form expired; please try again."), "danger")
        return redirect(back)
    try:
        draft = start(current_user, recordation_id)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(back)
    flash(_started_message(draft.kind), "info")
    return redirect(url_for("filing.edit", application_id=draft.id))


def _started_message(kind: Kind) -> str:
    if kind == Kind.RENEWAL:
        return _("Renewal draft created from the recorded facts. Nothing is sent until you submit.")
    return _("Amendment draft created from the recorded facts. Nothing is sent until you submit.")


@bp.app_template_global()
def change_panel(recordation: Recordation, applications: list | None = None) -> changes.Panel:
    """What the recordation page's renew / amend buttons show, for the signed-in user
    (`applications`: the recordation's, when the page has them)."""
    return changes.panel(recordation, current_user, today(), applications)


@bp.app_template_global()
def fact_changes(application: Application) -> fact_diff.FactDiff | None:
    """What a renewal or amendment changes in the recorded facts (None for a new one)."""
    if application.kind == Kind.NEW or application.recordation is None:
        return None
    return fact_diff.compare(application)


@bp.app_template_global()
def renewal_outcome(application: Application):
    """(valid until now, valid until if approved) for a renewal; None otherwise."""
    return change_rules.renewal_outcome(application)
