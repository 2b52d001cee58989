"""The recordation state machine, as data, in the style of `workflow`: (state, action) → new
state and who may act. `apply` is the only code that changes a recordation's status; it
writes the recordation event in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ipr_apps.db import db
from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models.base import today
from ipr_apps.models.recordations import RecordationEvent, RecordationStatus
from ipr_apps.models.users import Role
from ipr_apps.screening.current import changed as screening_changed

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.recordations import Recordation
    from ipr_apps.models.users import User


class RecordationAction(StrEnum):
    CREATE = "create"  # approval of a new application (or the historical import)
    RENEW = "renew"  # approval of a renewal: valid 10 more years, capped by the right
    AMEND = "amend"  # approval of an amendment: the new facts
    CANCEL = "cancel"  # at the holder's request
    REVOKE = "revoke"  # customs, for false information
    EXPIRE = "expire"  # its validity ended (the nightly job)
    LAPSE = "lapse"  # the right itself is no longer protected (the nightly job)
    FILE_RENEWAL = "file_renewal"  # permissions only: the status does not change
    FILE_AMENDMENT = "file_amendment"

    @property
    def words(self) -> str:
        """The verb in the reader's language ("renew" / 续展), for messages."""
        return str(ACTION_WORDS[self])


ACTION_WORDS = {
    RecordationAction.CREATE: _l("create"),
    RecordationAction.RENEW: _l("renew"),
    RecordationAction.AMEND: _l("amend"),
    RecordationAction.CANCEL: _l("cancel"),
    RecordationAction.REVOKE: _l("revoke"),
    RecordationAction.EXPIRE: _l("expire"),
    RecordationAction.LAPSE: _l("lapse"),
    RecordationAction.FILE_RENEWAL: _l("file a renewal for"),
    RecordationAction.FILE_AMENDMENT: _l("file an amendment for"),
}


class RecordationParty(StrEnum):
    OWNER = "owner"  # the holder's users, or those of the agency that filed for it
    REVIEWER = "reviewer"  # the reviewer approving the application that causes the change
    ADMIN = "admin"
    SYSTEM = "system"  # no user: the nightly job, the import, an operator's command


@dataclass(frozen=True)
class RecordationTransition:
    target: RecordationStatus
    parties: frozenset[RecordationParty]
    records: bool = True


def _t(target, *parties, records=True) -> RecordationTransition:
    return RecordationTransition(target, frozenset(parties), records)


S, A, P = RecordationStatus, RecordationAction, RecordationParty
TRANSITIONS: dict[tuple[RecordationStatus | None, RecordationAction], RecordationTransition] = {
    (None, A.CREATE): _t(S.ACTIVE, P.REVIEWER, P.SYSTEM),
    (S.ACTIVE, A.RENEW): _t(S.ACTIVE, P.REVIEWER),
    (S.ACTIVE, A.AMEND): _t(S.ACTIVE, P.REVIEWER),
    (S.ACTIVE, A.CANCEL): _t(S.CANCELLED, P.OWNER),
    (S.ACTIVE, A.REVOKE): _t(S.REVOKED, P.ADMIN),
    (S.ACTIVE, A.EXPIRE): _t(S.EXPIRED, P.SYSTEM),
    (S.ACTIVE, A.LAPSE): _t(S.LAPSED, P.SYSTEM),
    (S.ACTIVE, A.FILE_RENEWAL): _t(S.ACTIVE, P.OWNER, records=False),
    (S.ACTIVE, A.FILE_AMENDMENT): _t(S.ACTIVE, P.OWNER, records=False),
}
del S, A, P


def is_owner(recordation: Recordation, user: User | None) -> bool:
    org = user.organisation_id if user is not None else None
    return (
        user is not None
        and user.role == Role.HOLDER
        and org is not None
        and org in (recordation.holder_org_id, recordation.agency_id)
    )


def parties(recordation: Recordation, user: User | None) -> set[RecordationParty]:
    if user is None:
        return {RecordationParty.SYSTEM}
    found: set[RecordationParty] = set()
    if is_owner(recordation, user):
        found.add(RecordationParty.OWNER)
    if user.role == Role.REVIEWER:
        found.add(RecordationParty.REVIEWER)
    if user.role == Role.ADMIN:
        found.add(RecordationParty.ADMIN)
    return found


def transition_for(
    recordation: Recordation, action: RecordationAction | str, user: User | None
) -> RecordationTransition:
    """The transition `user` (None: the system) may make, or why not."""
    action = RecordationAction(action)
    transition = TRANSITIONS.get((recordation.status, action))
    if transition is None:
        state = recordation.status.label.lower() if recordation.status else _("new")
        raise TransitionError(
            _(
                "Cannot %(action)s a recordation that is %(state)s.",
                action=action.words,
                state=state,
            )
        )
    if not transition.parties & parties(recordation, user):
        raise PermissionDenied(_("You may not %(action)s this recordation.", action=action.words))
    return transition


def can(recordation: Recordation, action: RecordationAction | str, user: User | None) -> bool:
    try:
        transition_for(recordation, action, user)
    except (TransitionError, PermissionDenied):
        return False
    return True


def apply(
    recordation: Recordation,
    action: RecordationAction | str,
    actor: User | None,
    note: str | None = None,
    *,
    application: Application | None = None,
    ended_on: date | None = None,
) -> RecordationEvent:
    """Check and make the transition and append its event; call it after changing the
    validity or facts the event reports. A recordation that leaves `active` ends on
    `ended_on` (default today): the first day it is no longer in force."""
    action = RecordationAction(action)
    transition = transition_for(recordation, action, actor)
    if not transition.records:
        raise TransitionError(
            _("This action does not change the recordation: %(action)s.", action=action.words)
        )
    previous = recordation.status
    recordation.status = transition.target
    if not transition.target.in_force:
        recordation.ended_on = ended_on or today()
    event = RecordationEvent(
        recordation=recordation, action=action.value,
        from_status=previous.value if previous else None, to_status=transition.target.value,
        application=application, valid_until=recordation.valid_until,
        actor_id=actor.id if actor else None, note=note,
    )  # fmt: skip
    db.session.add(event)
    screening_changed(db.session)  # the screening index must see the new status or facts
    return event
