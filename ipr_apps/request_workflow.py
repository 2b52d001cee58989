"""The holder's request for detention, as data, in the style of `case_workflow`: submitted →
accepted (an officer of the likely port's district opens a case from it), refused (that
officer declines, with the reason) or withdrawn (the holder takes it back). The three
outcomes are final. Who may see a request lives here too (the owner, the district's
officers, admins), so the pages and the services ask one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models.cases import RequestStatus
from ipr_apps.models.users import Role

if TYPE_CHECKING:
    from ipr_apps.models.cases import DetentionRequest
    from ipr_apps.models.users import User


class RequestAction(StrEnum):
    ACCEPT = "accept"  # an officer of the district opens a case from it
    REFUSE = "refuse"  # an officer of the district declines it, with the reason
    WITHDRAW = "withdraw"  # the holder (or its agency) takes it back


class RequestParty(StrEnum):
    OFFICER = "officer"  # an officer of the request's (likely port's) district
    OWNER = "owner"  # the holder's users, or those of the agency of the recordation


@dataclass(frozen=True)
class RequestTransition:
    target: RequestStatus
    party: RequestParty


S, A, P = RequestStatus, RequestAction, RequestParty
TRANSITIONS: dict[tuple[RequestStatus, RequestAction], RequestTransition] = {
    (S.SUBMITTED, A.ACCEPT): RequestTransition(S.ACCEPTED, P.OFFICER),
    (S.SUBMITTED, A.REFUSE): RequestTransition(S.REFUSED, P.OFFICER),
    (S.SUBMITTED, A.WITHDRAW): RequestTransition(S.WITHDRAWN, P.OWNER),
}
del S, A, P


def is_owner(request: DetentionRequest, user: User | None) -> bool:
    """The holder's users, and the users of the agency of the recordation it was filed on."""
    if user is None or user.role != Role.HOLDER or user.organisation_id is None:
        return False
    agency = request.recordation.agency_id if request.recordation is not None else None
    return user.organisation_id in (request.holder_org_id, agency)


def is_district_officer(request: DetentionRequest, user: User | None) -> bool:
    return (
        user is not None and user.role == Role.OFFICER and user.district_code == request.port_code
    )


def can_view(request: DetentionRequest, user: User | None) -> bool:
    if user is None:
        return False
    return user.role == Role.ADMIN or is_owner(request, user) or is_district_officer(request, user)


def _parties(request: DetentionRequest, user: User | None) -> set[RequestParty]:
    found: set[RequestParty] = set()
    if is_owner(request, user):
        found.add(RequestParty.OWNER)
    if is_district_officer(request, user):
        found.add(RequestParty.OFFICER)
    return found


def transition_for(
    request: DetentionRequest, action: RequestAction | str, user: User | None
) -> RequestTransition:
    """The transition `user` may make, or why not."""
    action = RequestAction(action)
    transition = TRANSITIONS.get((request.status, action))
    if transition is None:
        state = {"reference": request.reference, "state": request.status.label.lower()}
        raise TransitionError(str(_NO_LONGER[action]) % state)
    if transition.party not in _parties(request, user):
        raise PermissionDenied(str(_MAY_NOT[action]))
    return transition


# One whole sentence per action (a verb alone does not translate).
_NO_LONGER = {
    RequestAction.ACCEPT: _l("Request %(reference)s is %(state)s: it can no longer be accepted."),
    RequestAction.REFUSE: _l("Request %(reference)s is %(state)s: it can no longer be refused."),
    RequestAction.WITHDRAW: _l(
        "Request %(reference)s is %(state)s: it can no longer be withdrawn."
    ),
}
_MAY_NOT = {
    RequestAction.ACCEPT: _l("You may not accept this request."),
    RequestAction.REFUSE: _l("You may not refuse this request."),
    RequestAction.WITHDRAW: _l("You may not withdraw this request."),
}


def can(request: DetentionRequest, action: RequestAction | str, user: User | None) -> bool:
    try:
        transition_for(request, action, user)
    except (TransitionError, PermissionDenied):
        return False
    return True
