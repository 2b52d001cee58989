"""An application's history as its reader should see it: one sentence per status event.

This module decides *which* sentence an event reads as and what the reader may see of it;
the wording of every sentence lives in templates/filing/_timeline.html (one whole sentence
per key, so each can be translated as a whole). Holders and agents see customs as
"Customs", never an officer's name, and only the notes written for them; staff see who
acted, the change of status and every note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ipr_apps.models import Application, Role, Status, StatusEvent, User
from ipr_apps.system_notes import worded
from ipr_apps.workflow import Action

CREATE = "create"  # services/filing.py: create_draft
IMPORT = "import"  # services/import_swap.py: historical decisions

# Actions taken by the holder's side (the holder's users or their agent); every other
# action is taken by customs (a reviewer, an admin, or the import of customs' old records).
HOLDER_SIDE = frozenset({CREATE, Action.SUBMIT.value, Action.WITHDRAW.value})

SENTENCES = {
    CREATE: "created",
    Action.CLAIM.value: "claimed",
    Action.RELEASE.value: "released",
    Action.REASSIGN.value: "reassigned",
    Action.REQUEST_INFO.value: "info_requested",
    Action.APPROVE.value: "approved",
    Action.REJECT.value: "rejected",
    Action.WITHDRAW.value: "withdrawn",
}

# What a holder may read of an event's note: only text written for the holder or by them.
#  - request_info: the reviewer's request, addressed to the holder;
#  - reject: the explanation of the refusal, addressed to the holder (also in the decision);
#  - withdraw: the reason the holder's side gave.
# The other notes stay with staff: submit's note is either the holder's own answer (shown
# with the request on the page) or customs' duplicate check ("Possible duplicate of …"),
# which names other filers' applications; claim-next's note and reassign's "from <officer>
# to <officer>" are customs' internal working; approve's note repeats the recordation number
# the sentence gives (validity is in the decision panel); import's note is about customs'
# previous system. Unknown future actions fall on the safe side: no note for holders.
HOLDER_NOTES = frozenset({Action.REQUEST_INFO.value, Action.REJECT.value, Action.WITHDRAW.value})

# Events a holder does not see at all: a reassignment leaves the application under review
# and only says which officer works on it.
HIDDEN_FROM_HOLDERS = frozenset({Action.REASSIGN.value})
STAFF = frozenset({Role.REVIEWER, Role.ADMIN})


@dataclass(frozen=True)
class Entry:
    """One line of the history. `sentence` is a key of the sentence macro in
    templates/filing/_timeline.html: "<what>.<who>" with who = you | named | customs;
    "changed" or "changed.named" when an event has no wording of its own."""

    at: datetime
    sentence: str
    name: str | None = None  # who acted, for ".named" sentences
    number: str | None = None  # the recordation number, for approvals
    status: str | None = None  # the label of the new status
    note: str | None = None
    from_status: str | None = None  # staff only: the change of status (labels)
    to_status: str | None = None


def entries(application: Application, viewer: User) -> list[Entry]:
    """The application's history as `viewer` may read it, oldest first."""
    # Only customs staff get the details; anybody else (holders, agents) reads the plain view.
    holder = getattr(viewer, "role", None) not in STAFF
    return [
        _entry(event, application, viewer, holder)
        for event in application.events
        if not (holder and event.action in HIDDEN_FROM_HOLDERS)
    ]


def _entry(event: StatusEvent, application: Application, viewer: User, holder: bool) -> Entry:
    what, who = _what(event), _who(event, viewer, holder)
    if not (what and who):  # no wording for it: say the new status (and, to staff, who)
        what, who = "changed", ("named" if not holder and event.actor else "")
    recordation = application.recordation
    number = recordation.number if recordation and event.to_status == Status.APPROVED else None
    show_details = not holder
    return Entry(
        at=event.created_at,
        sentence=f"{what}.{who}" if who else what,
        name=event.actor.name if who == "named" and event.actor else None,
        number=number,
        status=_label(event.to_status),
        note=worded(event.note, event.note_words)
        if show_details or event.action in HOLDER_NOTES
        else None,
        from_status=_label(event.from_status) if show_details else None,
        to_status=_label(event.to_status) if show_details else None,
    )


def _label(status: str | None) -> str | None:
    if status is None:
        return None
    try:
        return Status(status).label
    except ValueError:
        return status.replace("_", " ").capitalize()


def _what(event: StatusEvent) -> str | None:
    if event.action == Action.SUBMIT:
        return "resubmitted" if event.from_status == Status.INFO_REQUESTED else "submitted"
    if event.action == IMPORT:
        decided = event.to_status in (Status.APPROVED, Status.REJECTED)
        return f"imported_{event.to_status}" if decided else None
    return SENTENCES.get(event.action)


def _who(event: StatusEvent, viewer: User, holder: bool) -> str | None:
    """you: the viewer acted; named: the actor's name is shown; customs: "Customs" acted."""
    if event.action in HOLDER_SIDE:
        if event.actor is None:
            return None  # nobody to name: the sentence falls back to the new status
        return "you" if holder and event.actor_id == getattr(viewer, "id", None) else "named"
    return "customs" if holder or event.actor is None else "named"
