"""The end of a recordation before its term: cancellation at the holder's request, and
revocation by customs for false information. Each is one transaction that makes the
transition, writes its event and tells the holder."""

from __future__ import annotations

from flask_babel import gettext as _

from ipr_apps.db import unit_of_work
from ipr_apps.errors import ValidationError
from ipr_apps.i18n import format_number
from ipr_apps.models import Recordation, User, today
from ipr_apps.recordation_workflow import RecordationAction, apply
from ipr_apps.services.notifications import notify_recordation
from ipr_apps.services.recordation_access import get_recordation

REASON_MAX = 1000


def cancel(actor: User, recordation_id: int, reason: str | None) -> Recordation:
    """The holder (or its filing agency) asks customs to stop protecting the right; it ends
    today and cannot be undone."""
    return _end(actor, recordation_id, reason, RecordationAction.CANCEL, "recordation_cancelled")


def revoke(actor: User, recordation_id: int, reason: str | None) -> Recordation:
    """An admin revokes the recordation (false information); it ends today."""
    return _end(actor, recordation_id, reason, RecordationAction.REVOKE, "recordation_revoked")


def _end(actor, recordation_id, reason, action, template) -> Recordation:
    reason = _reason(reason)
    with unit_of_work():
        recordation = get_recordation(actor, recordation_id, for_update=True)
        apply(recordation, action, actor, reason, ended_on=today())
        notify_recordation(recordation, template, reason=reason)
    return recordation


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.on("reason", _("Give the reason."))
    if len(reason) > REASON_MAX:
        raise ValidationError.on(
            "reason",
            _("Keep the reason under %(most)s characters.", most=format_number(REASON_MAX)),
        )
    return reason
