"""The holder's answer to an ex officio detention: confirm the request for detention within the
deadline (a bond, or its general guarantee), or withdraw it. Each is one transaction that
locks the case, makes the transition, writes its event and tells the district's officers.

The general guarantee: GACC lets a holder lodge one yearly guarantee that covers all its ex
officio detentions in that period instead of a bond per case. We accept it for an ex officio
case whenever it is in force on the day of the confirmation (`Organisation.guarantee_covers`),
whatever the goods' value — its amount is shown to the holder and recorded by the officers
who set it, not reserved per case. A case on the holder's application needs its own bond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ipr_apps.case_workflow import CaseAction, apply, transition_for
from ipr_apps.db import unit_of_work
from ipr_apps.errors import TransitionError, ValidationError
from ipr_apps.i18n import format_day, format_money
from ipr_apps.models import CaseOutcome, CaseStatus, DetentionCase, Mode, User, today, utcnow
from ipr_apps.services.case_access import get_case
from ipr_apps.services.notifications import notify_case_officers
from ipr_apps.workdays import days_left

NOTE_MAX = 1000


def guarantee_usable(case: DetentionCase) -> bool:
    """The holder may rely on its general guarantee for this case today."""
    org = case.holder_org
    return case.mode == Mode.EX_OFFICIO and org is not None and org.guarantee_covers(today())


def confirm(
    actor: User, case_id: int, bond_cny: Decimal | str | None = None, use_guarantee: bool = False
) -> DetentionCase:
    """The holder (or the agency of the recordation) confirms the request for detention by
    the deadline, posting a bond or relying on its general guarantee: the goods stay
    detained."""
    with unit_of_work():
        case = get_case(actor, case_id, for_update=True)
        transition_for(case, CaseAction.CONFIRM, actor)  # may and can, before the details
        _check_deadline(case)
        bond = None if use_guarantee else _bond(case, bond_cny)
        if use_guarantee and not guarantee_usable(case):
            raise ValidationError.on(
                "use_guarantee",
                _("No general guarantee in force covers this case: post a bond."),
            )
        note = "on the general guarantee" if use_guarantee else f"bond of {bond:,.2f} yuan"
        apply(case, CaseAction.CONFIRM, actor, note)
        case.confirmed_at = utcnow()
        case.bond_cny = bond
        case.on_general_guarantee = use_guarantee
        notify_case_officers(case, "case_confirmed")
    return case


def withdraw(actor: User, case_id: int, reason: str | None = None) -> DetentionCase:
    """The holder withdraws its request for detention: the case closes, the goods go free."""
    reason = _note(reason)
    with unit_of_work():
        case = get_case(actor, case_id, for_update=True)
        apply(case, CaseAction.WITHDRAW, actor, reason)
        case.outcome = CaseOutcome.WITHDRAWN_BY_HOLDER
        case.outcome_on = today()
        notify_case_officers(case, "case_withdrawn", reason=reason)
    return case


def _check_deadline(case: DetentionCase) -> None:
    if case.status == CaseStatus.AWAITING_HOLDER and case.confirm_by and today() > case.confirm_by:
        raise TransitionError(
            _(
                "The deadline to confirm this detention was %(day)s: it has passed, so customs "
                "release the goods.",
                day=format_day(case.confirm_by),
            )
        )


def _bond(case: DetentionCase, raw: Decimal | str | None) -> Decimal:
    """The bond in yuan: more than 0, at most the goods' declared value, 2 decimals."""
    try:
        bond = Decimal(str(raw).strip()) if raw not in (None, "") else None
    except InvalidOperation:
        bond = None
    if bond is None or not bond.is_finite():
        raise ValidationError.on("bond_cny", _("Give the bond in yuan, e.g. 20000.00."))
    if bond <= 0 or bond != round(bond, 2):
        raise ValidationError.on("bond_cny", _("The bond is more than 0, with at most 2 decimals."))
    if bond > case.value_cny:
        raise ValidationError.on(
            "bond_cny",
            _(
                "The bond may not be above the goods' declared value (%(value)s).",
                value=format_money(case.value_cny, "exact"),
            ),
        )
    return bond


def _note(reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if reason and len(reason) > NOTE_MAX:
        raise ValidationError.on(
            "reason", _("Keep the reason under %(most)s characters.", most=NOTE_MAX)
        )
    return reason


@dataclass(frozen=True)
class Deadline:
    """The holder's deadline as a page shows it: the last day and the working days left
    (0 on the last day, negative once it has passed)."""

    confirm_by: date
    days_left: int

    @property
    def passed(self) -> bool:
        return self.days_left < 0


def deadline(case: DetentionCase, day: date) -> Deadline | None:
    """The deadline of a case still awaiting the holder, as of `day`; None otherwise."""
    if case.status != CaseStatus.AWAITING_HOLDER or case.confirm_by is None:
        return None
    return Deadline(case.confirm_by, days_left(day, case.confirm_by))
