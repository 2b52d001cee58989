"""Revise and file again: from a rejected or withdrawn application, a new draft holding
everything it filed (documents as new files), linked to it; and what the pages show of the
link both ways and of the refusal the holder is answering.

One live revision at a time: while a revision of an application is open (draft, submitted,
under review, information requested) or approved, revising the same application again is a
conflict naming that revision. Once it is rejected or withdrawn in turn, the earlier
application may be revised again (or the revision itself, from its own page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ipr_apps import workflow
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, PermissionDenied, TransitionError
from ipr_apps.i18n import format_day
from ipr_apps.models import (
    FINAL_STATES,
    Application,
    InformationRequest,
    Kind,
    RejectReason,
    Status,
    StatusEvent,
    User,
    today,
)
from ipr_apps.services import content, copies
from ipr_apps.services.access import can_view, get_application, represents
from ipr_apps.services.document_files import removed_on_error
from ipr_apps.services.recordations import in_renewal_window, renewal_opens
from ipr_apps.workflow import Action

# The states an application may be revised from; a revision in one of them is over, so it
# no longer stands in the way of another revision of the same application.
REVISABLE_STATES = frozenset(
    state for (state, action) in workflow.TRANSITIONS if action == Action.REVISE
)


class RevisionExists(ConflictError):
    """The application already has a revision that is open or approved."""

    code = "revision_exists"

    def __init__(self, revision: Application):
        super().__init__(
            _(
                "This application was already revised in %(reference)s, which is %(state)s. "
                "Continue with %(reference)s: another revision can be filed only once that one "
                "is rejected or withdrawn.",
                reference=revision.reference,
                state=revision.status.label.lower(),
            )
        )
        self.revision = revision


def revise(actor: User, application_id: int) -> Application:
    """A new draft owned by `actor` (its agency when an agent files) copying the rejected or
    withdrawn application `application_id`, of the same kind and for the same recordation."""
    with removed_on_error() as written, unit_of_work():
        source = _source(actor, application_id)
        draft = copies.new_draft_from(
            actor, source, written,
            kind=source.kind, recordation=source.recordation, revises=source,
        )  # fmt: skip
        # Checked once the draft's insert holds the write lock (SQLite; on PostgreSQL the
        # source's row lock already serialises revisions), so two clicks make one revision.
        _check_not_revised(source, besides=draft)
    return draft


def _source(actor: User, application_id: int) -> Application:
    """The application to revise, locked, if `actor` may revise it now."""
    source = get_application(actor, application_id, for_update=True)
    check(source, actor, today())
    return source


def check(source: Application, actor: User, day: date) -> None:
    """Raise why `actor` may not revise `source` on `day` (its own revisions aside: see
    `blocking_revision`); return quietly when they may."""
    workflow.transition_for(source, Action.REVISE, actor)
    if actor.is_agent and not represents(actor, source.holder_org_id):
        raise PermissionDenied(
            _("Your agency no longer holds a mandate from this holder, so it cannot file for it.")
        )
    if source.kind != Kind.NEW:
        _check_recordation(source, day)


def _check_recordation(source: Application, day: date) -> None:
    """A renewal or amendment changes a recordation: it must still be in force (and a
    renewal still in its window, with no other renewal of it open)."""
    recordation = source.recordation
    if not recordation.status.in_force:
        raise TransitionError(
            _(
                "Recordation %(number)s is %(state)s, so this %(kind)s can no longer be revised.",
                number=recordation.number,
                state=recordation.status.label.lower(),
                kind=source.kind.label.lower(),
            )
        )
    if source.kind == Kind.RENEWAL and not in_renewal_window(recordation.valid_until, day):
        raise TransitionError(
            _(
                "Recordation %(number)s can be renewed from %(opens)s to %(until)s, so this "
                "renewal cannot be revised today.",
                number=recordation.number,
                opens=format_day(renewal_opens(recordation.valid_until)),
                until=format_day(recordation.valid_until),
            )
        )
    other = _open_renewal(source) if source.kind == Kind.RENEWAL else None
    if other is not None:  # two renewals approved would extend the recordation twice
        raise ConflictError(
            _(
                "Renewal %(reference)s of recordation %(number)s is already %(state)s. Continue "
                "with it instead of filing another.",
                reference=other.reference,
                number=recordation.number,
                state=other.status.label.lower(),
            )
        )


def _open_renewal(source: Application) -> Application | None:
    """Another renewal of the same recordation still open; the source's own revisions are
    `blocking_revision`'s to report."""
    stmt = select(Application).where(
        Application.recordation_id == source.recordation_id,
        Application.kind == Kind.RENEWAL,
        Application.status.not_in(FINAL_STATES),
        or_(Application.revises_id.is_(None), Application.revises_id != source.id),
    )
    return db.session.execute(stmt.order_by(Application.id).limit(1)).scalar_one_or_none()


def revisions_of(application: Application) -> list[Application]:
    """The applications that revise `application`, oldest first (few; indexed)."""
    stmt = select(Application).where(Application.revises_id == application.id)
    return list(db.session.execute(stmt.order_by(Application.id)).scalars())


def blocking_revision(
    revisions: list[Application], besides: Application | None = None
) -> Application | None:
    """The revision that is open or approved, if any: another one would be a conflict."""
    return next(
        (r for r in revisions if r is not besides and r.status not in REVISABLE_STATES), None
    )


def _check_not_revised(source: Application, besides: Application) -> None:
    blocking = blocking_revision(revisions_of(source), besides)
    if blocking is not None:
        raise RevisionExists(blocking)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Refusal:
    """Why an application ended without a recordation: customs' rejection (its grounds and
    message), or its withdrawal (when, and the reason the holder's side gave)."""

    application: Application
    withdrawn: bool
    at: date | datetime | None
    reasons: list[RejectReason] = field(default_factory=list)
    message: str | None = None
    imported: bool = False
    # Withdrawn while customs waited for an answer: what they had asked.
    request: InformationRequest | None = None


def refusal_of(application: Application) -> Refusal | None:
    if application.status == Status.REJECTED:
        decision = application.decision
        if decision is None:  # decided_at is set, but no row says why (never expected)
            return Refusal(application, withdrawn=False, at=application.decided_at)
        return Refusal(
            application, withdrawn=False, at=decision.decided_on, reasons=decision.reasons,
            message=decision.message, imported=decision.imported,
        )  # fmt: skip
    if application.status == Status.WITHDRAWN:
        event = _withdrawal(application)
        return Refusal(
            application, withdrawn=True, at=event.created_at if event else None,
            message=event.note if event else None, request=application.open_request,
        )  # fmt: skip
    return None


def _withdrawal(application: Application) -> StatusEvent | None:
    return next((e for e in reversed(application.events) if e.action == Action.WITHDRAW), None)


@dataclass(frozen=True)
class Lineage:
    """An application's place in a revise-and-file-again chain, as `viewer` may see it."""

    revises: Application | None = None  # the earlier application
    refusal: Refusal | None = None  # why the earlier one was refused or withdrawn
    revisions: list[Application] = field(default_factory=list)  # later ones, oldest first
    blocking: Application | None = None  # the open or approved revision, if any
    # Why the viewer may not revise it now, when the workflow would let them (a closed
    # renewal window, a recordation no longer in force, a mandate ended).
    cannot_revise: str | None = None
    # What differs from the earlier application: content groups, and "documents".
    changed: list[str] = field(default_factory=list)


def lineage(application: Application, viewer: User, day: date | None = None) -> Lineage:
    """What the application and review pages show of the chain; only what `viewer` may see."""
    earlier = application.revises
    if earlier is not None and not can_view(earlier, viewer):
        earlier = None
    revisions = [r for r in revisions_of(application) if can_view(r, viewer)]
    return Lineage(
        revises=earlier,
        refusal=refusal_of(earlier) if earlier is not None else None,
        revisions=revisions,
        blocking=blocking_revision(revisions),
        cannot_revise=_cannot_revise(application, viewer, day or today()),
        changed=changed_since(earlier, application) if earlier is not None else [],
    )


CONTENT_GROUPS = ("holder", "right", *content.CHILDREN)


def changed_since(earlier: Application, application: Application) -> list[str]:
    """The content groups (in form order) and "documents" in which `application` differs
    from the `earlier` one it revises, so the reviewer sees where to compare."""
    before, after = content.to_payload(earlier), content.to_payload(application)
    changed = [group for group in CONTENT_GROUPS if before[group] != after[group]]
    if _files(earlier) != _files(application):
        changed.append("documents")
    return changed


def _files(application: Application) -> list[tuple[str, str]]:
    return sorted((d.doc_type.value, d.sha256) for d in application.documents)


def _cannot_revise(application: Application, viewer: User, day: date) -> str | None:
    if not workflow.can(application, Action.REVISE, viewer):
        return None  # no button and nothing to explain
    try:
        check(application, viewer, day)
    except (TransitionError, PermissionDenied, ConflictError) as error:
        return error.message
    return None
