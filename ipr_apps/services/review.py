"""Review: claim, release, reassign, request information, approve, reject, internal notes.

Every public function is one transaction that checks the actor and the transition, writes
the status event with the change and, for the holder-facing steps, queues the notification
that is e-mailed after commit.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update

from ipr_apps import workflow
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from ipr_apps.models import (
    Application,
    Decision,
    InformationRequest,
    Outcome,
    RejectReason,
    ReviewNote,
    Role,
    Status,
    User,
    today,
    utcnow,
)
from ipr_apps.models.review import REJECT_REASON_LABELS
from ipr_apps.services import notifications, recordations
from ipr_apps.services.access import get_application
from ipr_apps.system_notes import SystemNote
from ipr_apps.workdays import calendar_between, due_date, working_days_between
from ipr_apps.workflow import DECISION_WORKING_DAYS, REPLY_WORKING_DAYS, Action


def _reviewer(actor: User) -> None:
    if actor.role != Role.REVIEWER:
        raise PermissionDenied(_("Only customs reviewers claim and decide applications."))


def claim(actor: User, application_id: int) -> Application:
    """Take one application from the unclaimed queue; a lost race is a ConflictError."""
    _reviewer(actor)
    try:
        with unit_of_work():
            application = get_application(actor, application_id, for_update=True)
            _not_taken(application)
            workflow.apply(application, Action.CLAIM, actor)
    except ConflictError:
        db.session.expire_all()
        _not_taken(db.session.get(Application, application_id))
        raise
    return application


def _not_taken(application: Application) -> None:
    if application.status == Status.UNDER_REVIEW:
        raise ConflictError(
            _(
                "%(reference)s was just claimed by %(name)s.",
                reference=application.reference,
                name=application.claimed_by.name,
            )
        )


def claim_next(actor: User) -> Application | None:
    """The oldest-deadline unclaimed application, claimed atomically; None when none is left."""
    _reviewer(actor)
    for _round in range(20):
        with unit_of_work() as session:
            claimed = session.execute(_claim_oldest(session, actor)).scalar_one_or_none()
            if claimed is not None:
                application = session.get(Application, claimed, populate_existing=True)
                workflow.record(application, Action.CLAIM, Status.SUBMITTED, actor, "claim next")
                return application
            if not session.execute(_oldest(session)).first():
                return None
        # else: every candidate was being claimed by others this instant; look again
    raise ConflictError(_("Other reviewers are claiming the same applications; try again."))


def _oldest(session):
    stmt = (
        select(Application.id)
        .where(Application.status == Status.SUBMITTED)
        .order_by(Application.due_on, Application.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # concurrent reviewers take different rows
    return stmt


def _claim_oldest(session, actor: User):
    """One statement picks and claims the row, so no other reviewer can take it in between
    (SQLite: under the write lock; PostgreSQL: the row is locked, others skip it)."""
    return (
        update(Application)
        .where(
            Application.id == _oldest(session).scalar_subquery(),
            Application.status == Status.SUBMITTED,
        )
        .values(**workflow.claim_values(Action.CLAIM, actor), version=Application.version + 1)
        .returning(Application.id)
        .execution_options(synchronize_session=False)
    )


def release(actor: User, application_id: int) -> Application:
    """The claimant (or an admin) puts the application back in the unclaimed queue."""
    with unit_of_work():
        application = get_application(actor, application_id, for_update=True)
        workflow.apply(application, Action.RELEASE, actor)
    return application


def reassign(actor: User, application_id: int, reviewer_id: int) -> Application:
    """An admin hands a claimed application to another reviewer."""
    with unit_of_work() as session:
        application = get_application(actor, application_id, for_update=True)
        workflow.transition_for(application, Action.REASSIGN, actor)
        reviewer = session.get(User, reviewer_id)
        if reviewer is None or reviewer.role != Role.REVIEWER or not reviewer.active:
            raise ValidationError.on("reviewer_id", _("Choose an active reviewer."))
        note = SystemNote.of("reassigned", before=application.claimed_by.name, after=reviewer.name)
        workflow.apply(application, Action.REASSIGN, actor, note, claimant=reviewer)
    return application


def request_info(
    actor: User, application_id: int, message: str, reply_by: date | None = None
) -> Application:
    """Ask the holder for more; the decision clock pauses until they resubmit."""
    message = _required("message", message, _("Say what the holder must provide."))
    with unit_of_work() as session:
        application = get_application(actor, application_id, for_update=True)
        workflow.transition_for(application, Action.REQUEST_INFO, actor)
        now = today()
        reply_by = reply_by or due_date(now, REPLY_WORKING_DAYS)
        if reply_by <= now:
            raise ValidationError.on("reply_by", _("The reply-by date must be in the future."))
        _pause_clock(application, now)
        session.add(InformationRequest(application=application, requested_by_id=actor.id,
                                       message=message, reply_by=reply_by))  # fmt: skip
        workflow.apply(application, Action.REQUEST_INFO, actor, message)
        notifications.notify_application(
            application, "application_info_requested", message=message, reply_by=reply_by,
            decision_days=DECISION_WORKING_DAYS,
        )  # fmt: skip
    return application


def _pause_clock(application: Application, now: date) -> None:
    started = application.clock_started_on or now
    used = working_days_between(started, now, calendar_between(started, now))
    application.clock_days_used = min(
        application.clock_days_used + max(used, 0), DECISION_WORKING_DAYS
    )


def approve(actor: User, application_id: int) -> Application:
    """Approve: the decision, the numbered recordation and the status event, together."""
    with unit_of_work():
        application = get_application(actor, application_id, for_update=True)
        workflow.transition_for(application, Action.APPROVE, actor)
        decided_on = today()
        recordation = recordations.on_approval(application, decided_on, actor)
        note = SystemNote.of("recorded", number=recordation.number, until=recordation.valid_until)
        workflow.apply(application, Action.APPROVE, actor, note)
        _decide(application, actor, Outcome.APPROVED, decided_on)
        notifications.notify_application(
            application, "application_approved", recordation=recordation
        )
    return application


def reject(actor: User, application_id: int, reason_codes: list[str], message: str) -> Application:
    """Reject with one or more legal grounds and a message to the holder (both required)."""
    codes = _reason_codes(reason_codes)
    message = _required("message", message, _("Explain the refusal to the holder."))
    with unit_of_work():
        application = get_application(actor, application_id, for_update=True)
        workflow.apply(application, Action.REJECT, actor, message)
        _decide(application, actor, Outcome.REJECTED, today(),
                reason_codes=",".join(codes), message=message)  # fmt: skip
        # lazy labels: worded in each recipient's language when the message is rendered
        reasons = [REJECT_REASON_LABELS[RejectReason(c)] for c in codes]
        notifications.notify_application(
            application, "application_rejected", reasons=reasons, message=message
        )
    return application


def _reason_codes(codes: list[str] | None) -> list[str]:
    valid = {r.value for r in RejectReason}
    chosen = [c for c in dict.fromkeys(codes or []) if c]
    if not chosen or any(c not in valid for c in chosen):
        raise ValidationError.on("reason_codes", _("Choose at least one of the listed grounds."))
    return chosen


def _required(field: str, value: str | None, message: str) -> str:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise ValidationError.on(field, message)
    return value


def _decide(application, actor, outcome, decided_on, **reasons) -> Decision:
    """The decision row, complete when added: decisions are append-only (never updated)."""
    application.decided_at = utcnow()  # first: the status is decided already (a CHECK)
    started = application.clock_started_on or decided_on
    ran = working_days_between(started, decided_on, calendar_between(started, decided_on))
    decision = Decision(application=application, outcome=outcome, decided_by_id=actor.id,
                        decided_on=decided_on,
                        working_days=application.clock_days_used + max(ran, 0),
                        **reasons)  # fmt: skip
    db.session.add(decision)
    return decision


def add_note(actor: User, application_id: int, body: str) -> ReviewNote:
    """An internal note between reviewers; holders never see these."""
    if actor.role not in (Role.REVIEWER, Role.ADMIN):
        raise NotFound(_("No such application."))
    body = _required("body", body, _("Write the note."))
    with unit_of_work() as session:
        application = get_application(actor, application_id)
        note = ReviewNote(application_id=application.id, author_id=actor.id, body=body)
        session.add(note)
    return note


def notes_for(actor: User, application: Application) -> list[ReviewNote]:
    if actor.role not in (Role.REVIEWER, Role.ADMIN):
        return []
    stmt = select(ReviewNote).where(ReviewNote.application_id == application.id)
    return list(db.session.execute(stmt.order_by(ReviewNote.id)).scalars())
