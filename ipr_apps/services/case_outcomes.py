"""The end of a detention case: the district's officer records what became of the detained
goods (confiscated, released, handed to the police, a court order) and when. One transaction:
the transition detained → closed, the outcome and its date, the event, the holder's notice."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ipr_apps.case_workflow import CaseAction, apply
from ipr_apps.db import unit_of_work
from ipr_apps.errors import ValidationError
from ipr_apps.i18n import format_day
from ipr_apps.models import CaseOutcome, DetentionCase, User, today
from ipr_apps.services.case_access import get_case
from ipr_apps.services.notifications import notify_case

NOTE_MAX = 2000
# The holder's own withdrawal records its outcome itself; an officer records the others.
OFFICER_OUTCOMES = tuple(o for o in CaseOutcome if o != CaseOutcome.WITHDRAWN_BY_HOLDER)


def record_outcome(
    actor: User, case_id: int, outcome: CaseOutcome | str | None, outcome_on: date | None,
    note: str | None = None,
) -> DetentionCase:  # fmt: skip
    """Close a detained case with its outcome (the district's officer only)."""
    outcome = _outcome(outcome)
    note = _note(note)
    with unit_of_work():
        case = get_case(actor, case_id, for_update=True)
        apply(case, CaseAction.CLOSE, actor, note)  # first: may this officer close it now?
        _check_date(case, outcome_on)
        case.outcome, case.outcome_on = outcome, outcome_on
        notify_case(case, "case_closed", note=note)
    return case


def _outcome(outcome: CaseOutcome | str | None) -> CaseOutcome:
    values = {o.value for o in OFFICER_OUTCOMES}
    if outcome is None or str(outcome) not in values:
        raise ValidationError.on("outcome", _("Choose what became of the goods."))
    return CaseOutcome(outcome)


def _note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise ValidationError.on(
            "note", _("Keep the note under %(most)s characters.", most=NOTE_MAX)
        )
    return note


def _check_date(case: DetentionCase, outcome_on: date | None) -> None:
    if outcome_on is None:
        raise ValidationError.on("outcome_on", _("Give the date of the outcome."))
    if outcome_on < case.opened_on:
        raise ValidationError.on(
            "outcome_on",
            _(
                "The outcome cannot come before the case was opened (%(day)s).",
                day=format_day(case.opened_on),
            ),
        )
    if outcome_on > today():
        raise ValidationError.on("outcome_on", _("The outcome date cannot be in the future."))
