"""The application state machine, as data: (state, action) → new state, who may act, and what
the transition does to the claim. `apply` is the only code that changes an application's
status; the deadline facts (30 working days, the states the clock runs in) live here too."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps.db import db
from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models.applications import Status
from ipr_apps.models.audit import StatusEvent
from ipr_apps.models.base import utcnow
from ipr_apps.models.users import Role
from ipr_apps.system_notes import SystemNote

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.users import User

DECISION_WORKING_DAYS = 30  # customs decide within 30 working days of a complete application
REPLY_WORKING_DAYS = 10  # a holder has 10 working days to answer an information request
CLOCK_STATES = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW})  # the decision clock runs
PAUSED_STATES = frozenset({Status.INFO_REQUESTED})  # ... and waits for the holder's answer
PENDING_STATES = CLOCK_STATES | PAUSED_STATES  # filed with customs, not decided yet


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"  # a permission only: the content may change, the status does not
    SUBMIT = "submit"
    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    REQUEST_INFO = "request_info"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    REVISE = "revise"  # file a new application from a refused or withdrawn one


class Party(StrEnum):
    """How a user relates to an application; transitions name the parties allowed."""

    OWNER = "owner"  # the holder organisation's users, or its agency's
    REVIEWER = "reviewer"
    CLAIMANT = "claimant"  # the reviewer who holds the claim
    ADMIN = "admin"


class Claim(StrEnum):
    """What a transition does to the reviewer's claim."""

    KEEP = "keep"
    TAKE = "take"  # the acting reviewer (or the one named) holds it
    CLEAR = "clear"


@dataclass(frozen=True)
class Transition:
    target: Status
    parties: frozenset[Party]
    claim: Claim = Claim.CLEAR
    records: bool = True  # False for permissions that change nothing (edit, revise)


def _t(target: Status, *parties: Party, claim: Claim = Claim.CLEAR, records=True) -> Transition:
    return Transition(target, frozenset(parties), claim, records)


S, A, P = Status, Action, Party
_EDITABLE = (S.DRAFT, S.INFO_REQUESTED)
TRANSITIONS: dict[tuple[Status | None, Action], Transition] = {
    (None, A.CREATE): _t(S.DRAFT, P.OWNER),
    (S.DRAFT, A.SUBMIT): _t(S.SUBMITTED, P.OWNER),
    (S.SUBMITTED, A.CLAIM): _t(S.UNDER_REVIEW, P.REVIEWER, claim=Claim.TAKE),
    (S.UNDER_REVIEW, A.RELEASE): _t(S.SUBMITTED, P.CLAIMANT, P.ADMIN),
    (S.UNDER_REVIEW, A.REASSIGN): _t(S.UNDER_REVIEW, P.ADMIN, claim=Claim.TAKE),
    (S.UNDER_REVIEW, A.REQUEST_INFO): _t(S.INFO_REQUESTED, P.CLAIMANT),
    (S.INFO_REQUESTED, A.SUBMIT): _t(S.SUBMITTED, P.OWNER),
    (S.UNDER_REVIEW, A.APPROVE): _t(S.APPROVED, P.CLAIMANT),
    (S.UNDER_REVIEW, A.REJECT): _t(S.REJECTED, P.CLAIMANT),
    **{
        (state, A.WITHDRAW): _t(S.WITHDRAWN, P.OWNER)
        for state in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED)
    },
    **{(state, A.EDIT): _t(state, P.OWNER, records=False) for state in _EDITABLE},
    **{(state, A.REVISE): _t(state, P.OWNER, records=False) for state in (S.REJECTED, S.WITHDRAWN)},
}
del S, A, P

# Holders may edit the content while the application is in these states.
EDITABLE_STATES = frozenset(state for (state, action) in TRANSITIONS if action == Action.EDIT)


def is_owner(application: Application, user: User) -> bool:
    org = user.organisation_id
    return (
        user.role == Role.HOLDER
        and org is not None
        and org in (application.holder_org_id, application.agency_id)
    )


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


# An action as a verb inside the messages below ("Cannot approve an application that is …").
ACTION_WORDS = {
    Action.CREATE: _l("create"),
    Action.EDIT: _l("edit"),
    Action.SUBMIT: _l("submit"),
    Action.CLAIM: _l("claim"),
    Action.RELEASE: _l("release"),
    Action.REASSIGN: _l("reassign"),
    Action.REQUEST_INFO: _l("request information on"),
    Action.APPROVE: _l("approve"),
    Action.REJECT: _l("reject"),
    Action.WITHDRAW: _l("withdraw"),
    Action.REVISE: _l("revise"),
}


def _words(action: Action) -> str:
    return str(ACTION_WORDS[action])


def transition_for(application: Application, action: Action | str, user: User) -> Transition:
    """The transition `user` may make, or a TransitionError / PermissionDenied saying why not."""
    action = Action(action)
    transition = TRANSITIONS.get((application.status, action))
    if transition is None:
        state = application.status.label.lower() if application.status else _("new")
        raise TransitionError(
            _(
                "Cannot %(action)s an application that is %(state)s.",
                action=_words(action),
                state=state,
            )
        )
    if not transition.parties & parties(application, user):
        raise PermissionDenied(_("You may not %(action)s this application.", action=_words(action)))
    return transition


def can(application: Application, action: Action | str, user: User) -> bool:
    try:
        transition_for(application, action, user)
    except (TransitionError, PermissionDenied):
        return False
    return True


def may_edit(application: Application, user: User) -> bool:
    """Whether `user` may change the content now: the owner, in an editable state."""
    return can(application, Action.EDIT, user)


def apply(
    application: Application,
    action: Action | str,
    actor: User,
    note: str | SystemNote | None = None,
    *,
    claimant: User | None = None,
) -> StatusEvent:
    """Check and make the transition: the new status, the claim, and the status event.

    `claimant` names the reviewer who takes the claim when it is not the actor (reassign).
    The caller's transaction commits it; services add only what is the action's own.
    """
    action = Action(action)
    transition = transition_for(application, action, actor)
    if not transition.records:
        raise TransitionError(
            _("The action “%(action)s” does not change the status.", action=_words(action))
        )
    previous = application.status
    application.status = transition.target
    _set_claim(application, transition.claim, claimant or actor)
    return record(application, action, previous, actor, note)


def _set_claim(application: Application, effect: Claim, reviewer: User) -> None:
    if effect == Claim.TAKE:
        application.claimed_by_id = reviewer.id
        application.claimed_at = utcnow()
    elif effect == Claim.CLEAR:
        application.claimed_by_id = application.claimed_at = None


def claim_values(action: Action, reviewer: User) -> dict:
    """The column values of `action` from the submitted queue, for one conditional UPDATE
    that picks and claims a row at once (claim next)."""
    transition = TRANSITIONS[(Status.SUBMITTED, action)]
    if transition.claim != Claim.TAKE:
        raise TransitionError(
            _("The action “%(action)s” does not take a claim.", action=_words(action))
        )
    return {"status": transition.target, "claimed_by_id": reviewer.id, "claimed_at": utcnow()}


def record(
    application: Application,
    action: Action | str,
    previous: Status | None,
    actor: User | None,
    note: str | SystemNote | None = None,
) -> StatusEvent:
    """Append the status event of a transition already made (by `apply` or claim-next's UPDATE).

    A person's `note` is stored as typed; a `SystemNote` as its key and values (worded again
    for each reader) with its English wording."""
    words = note.stored() if isinstance(note, SystemNote) else None
    note = note.english() if isinstance(note, SystemNote) else note
    event = StatusEvent(
        application=application,
        action=str(action),
        from_status=previous.value if previous else None,
        to_status=application.status.value,
        actor_id=actor.id if actor else None,
        note=note,
        note_words=words,
    )
    db.session.add(event)
    return event
