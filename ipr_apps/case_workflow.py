"""The detention-case state machine, as data, in the style of `workflow` (DESIGN §4): opened
(ex officio or on application) → awaiting the holder (3 working days) → detained (confirmed,
bond posted) or released (not confirmed) → closed with an outcome. `apply` is the only code
that changes a case's status; it writes the case event in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps.db import db
from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models.cases import CaseEvent, CaseStatus
from ipr_apps.models.users import Role

if TYPE_CHECKING:
    from ipr_apps.models.cases import DetentionCase
    from ipr_apps.models.users import User

# The holder's time to confirm an ex officio detention and post the bond (GACC rules art. 16:
# three working days from the notice), counted on the working-day calendar.
CONFIRM_WORKING_DAYS = 3


class CaseAction(StrEnum):
    OPEN = "open"  # an officer detains the goods (ex officio, or accepting a holder's request)
    CONFIRM = "confirm"  # the holder confirms the request for detention and posts the bond
    RELEASE = "release"  # not confirmed in time (the nightly job), or the officer lets them go
    CLOSE = "close"  # the officer records the outcome
    WITHDRAW = "withdraw"  # the holder withdraws its request for detention


# Why an action is refused, one whole sentence per action (a verb alone does not translate).
_CANNOT = {
    CaseAction.OPEN: _l("Cannot open a case that is %(state)s."),
    CaseAction.CONFIRM: _l("Cannot confirm a case that is %(state)s."),
    CaseAction.RELEASE: _l("Cannot release a case that is %(state)s."),
    CaseAction.CLOSE: _l("Cannot close a case that is %(state)s."),
    CaseAction.WITHDRAW: _l("Cannot withdraw a case that is %(state)s."),
}
_MAY_NOT = {
    CaseAction.OPEN: _l("You may not open this case."),
    CaseAction.CONFIRM: _l("You may not confirm this case."),
    CaseAction.RELEASE: _l("You may not release this case."),
    CaseAction.CLOSE: _l("You may not close this case."),
    CaseAction.WITHDRAW: _l("You may not withdraw this case."),
}


class CaseParty(StrEnum):
    OFFICER = "officer"  # an officer of the district the case is at
    OWNER = "owner"  # the holder's users, or those of the agency of the recordation
    SYSTEM = "system"  # no user: the nightly release


@dataclass(frozen=True)
class CaseTransition:
    target: CaseStatus
    parties: frozenset[CaseParty]


def _t(target, *parties) -> CaseTransition:
    return CaseTransition(target, frozenset(parties))


S, A, P = CaseStatus, CaseAction, CaseParty
TRANSITIONS: dict[tuple[CaseStatus | None, CaseAction], CaseTransition] = {
    (None, A.OPEN): _t(S.AWAITING_HOLDER, P.OFFICER),
    (S.AWAITING_HOLDER, A.CONFIRM): _t(S.DETAINED, P.OWNER),
    (S.AWAITING_HOLDER, A.RELEASE): _t(S.RELEASED, P.SYSTEM, P.OFFICER),
    (S.AWAITING_HOLDER, A.WITHDRAW): _t(S.CLOSED, P.OWNER),
    (S.DETAINED, A.WITHDRAW): _t(S.CLOSED, P.OWNER),
    (S.DETAINED, A.CLOSE): _t(S.CLOSED, P.OFFICER),
}
del S, A, P

# Cases in these states still need someone to act; the others are finished.
OPEN_STATES = frozenset({CaseStatus.AWAITING_HOLDER, CaseStatus.DETAINED})


def is_owner(case: DetentionCase, user: User | None) -> bool:
    """The holder's users, and the users of the agency of the recordation the case rests on."""
    if user is None or user.role != Role.HOLDER or user.organisation_id is None:
        return False
    agency = case.recordation.agency_id if case.recordation is not None else None
    return user.organisation_id in (case.holder_org_id, agency)


def is_district_officer(case: DetentionCase, user: User | None) -> bool:
    return user is not None and user.role == Role.OFFICER and user.district_code == case.port_code


def parties(case: DetentionCase, user: User | None) -> set[CaseParty]:
    if user is None:
        return {CaseParty.SYSTEM}
    found: set[CaseParty] = set()
    if is_owner(case, user):
        found.add(CaseParty.OWNER)
    if is_district_officer(case, user):
        found.add(CaseParty.OFFICER)
    return found


def transition_for(
    case: DetentionCase, action: CaseAction | str, user: User | None
) -> CaseTransition:
    """The transition `user` (None: the system) may make, or why not."""
    action = CaseAction(action)
    transition = TRANSITIONS.get((case.status, action))
    if transition is None:
        state = case.status.label.lower() if case.status else _("new")
        raise TransitionError(str(_CANNOT[action]) % {"state": state})
    if not transition.parties & parties(case, user):
        raise PermissionDenied(str(_MAY_NOT[action]))
    return transition


def can(case: DetentionCase, action: CaseAction | str, user: User | None) -> bool:
    try:
        transition_for(case, action, user)
    except (TransitionError, PermissionDenied):
        return False
    return True


def apply(
    case: DetentionCase, action: CaseAction | str, actor: User | None, note: str | None = None
) -> CaseEvent:
    """Check and make the transition and append its event (in the caller's transaction)."""
    action = CaseAction(action)
    transition = transition_for(case, action, actor)
    previous = case.status
    case.status = transition.target
    event = CaseEvent(
        case=case, action=action.value, from_status=previous.value if previous else None,
        to_status=transition.target.value, actor_id=actor.id if actor else None, note=note,
    )  # fmt: skip
    db.session.add(event)
    return event
