"""The application state machine, as data: (state, action) → new state and who may act."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models.applications import Status
from ipr_apps.models.users import Role

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.users import User


class Action(StrEnum):
    SUBMIT = "submit"
    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    REQUEST_INFO = "request_info"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class Party(StrEnum):
    """How a user relates to an application; transitions name the parties allowed."""

    OWNER = "owner"  # the holder organisation's users, or its agency's
    REVIEWER = "reviewer"
    CLAIMANT = "claimant"  # the reviewer who holds the claim
    ADMIN = "admin"


@dataclass(frozen=True)
class Transition:
    target: Status
    parties: frozenset[Party]


def _t(target: Status, *parties: Party) -> Transition:
    return Transition(target, frozenset(parties))


S, A, P = Status, Action, Party
TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (S.DRAFT, A.SUBMIT): _t(S.SUBMITTED, P.OWNER),
    (S.SUBMITTED, A.CLAIM): _t(S.UNDER_REVIEW, P.REVIEWER),
    (S.UNDER_REVIEW, A.RELEASE): _t(S.SUBMITTED, P.CLAIMANT, P.ADMIN),
    (S.UNDER_REVIEW, A.REASSIGN): _t(S.UNDER_REVIEW, P.ADMIN),
    (S.UNDER_REVIEW, A.REQUEST_INFO): _t(S.INFO_REQUESTED, P.CLAIMANT),
    (S.INFO_REQUESTED, A.SUBMIT): _t(S.SUBMITTED, P.OWNER),
    (S.UNDER_REVIEW, A.APPROVE): _t(S.APPROVED, P.CLAIMANT),
    (S.UNDER_REVIEW, A.REJECT): _t(S.REJECTED, P.CLAIMANT),
    **{
        (state, A.WITHDRAW): _t(S.WITHDRAWN, P.OWNER)
        for state in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED)
    },
}
del S, A, P

# Holders may edit the content while the application is in these states.
EDITABLE_STATES = frozenset({Status.DRAFT, Status.INFO_REQUESTED})


def is_owner(application: Application, user: User) -> bool:
    org = user.organisation_id
    return (
        user.role == Role.HOLDER
        and org is not None
        and org in (application.holder_org_id, application.agency_id)
    )


def may_edit(application: Application, user: User) -> bool:
    """Whether `user` may change the content now: the owner, in an editable state."""
    return is_owner(application, user) and application.status in EDITABLE_STATES


def parties(application: Application, user: User) -> set[Party]:
    found: set[Party] = set()
    if is_owner(application, user):
        found.add(Party.OWNER)
    if user.role == Role.REVIEWER:
        found.add(Party.REVIEWER)
        if application.claimed_by_id == user.id:
            found.add(Party.CLAIMANT)
    if user.role == Role.ADMIN:
        found.add(Party.ADMIN)
    return found


def transition_for(application: Application, action: Action | str, user: User) -> Transition:
    """The transition `user` may make, or a TransitionError / PermissionDenied saying why not."""
    action = Action(action)
    transition = TRANSITIONS.get((application.status, action))
    if transition is None:
        raise TransitionError(
            f"Cannot {action.value.replace('_', ' ')} an application that is "
            f"{application.status.label.lower()}."
        )
    if not transition.parties & parties(application, user):
        raise PermissionDenied(f"You may not {action.value.replace('_', ' ')} this application.")
    return transition


def can(application: Application, action: Action | str, user: User) -> bool:
    try:
        transition_for(application, action, user)
    except (TransitionError, PermissionDenied):
        return False
    return True
