"""Filing: create and edit drafts, submit (and resubmit after a request), withdraw.

Each public function is one transaction that checks the actor, the state transition and
the content, changes the rows and appends the status event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ipr_apps import official_calendar, workflow
from ipr_apps.db import db, next_counter_value, unit_of_work
from ipr_apps.errors import PermissionDenied, ValidationError
from ipr_apps.i18n import ngettext
from ipr_apps.models import (
    Application,
    IpRight,
    IprType,
    Kind,
    Organisation,
    Role,
    Status,
    User,
    today,
    utcnow,
)
from ipr_apps.services import change_rules, completeness
from ipr_apps.services.access import get_application, get_editable, represented_holders
from ipr_apps.services.content import CHILDREN, apply_payload, prefill_holder
from ipr_apps.system_notes import SystemNote
from ipr_apps.workdays import due_date
from ipr_apps.workflow import DECISION_WORKING_DAYS, Action

# Other applications for the same right in these states make a submission a duplicate.
DUPLICATE_STATES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED, Status.APPROVED)


@dataclass
class SubmitResult:
    application: Application
    duplicates: list[Application] = field(default_factory=list)


def filing_org_ids(actor: User, holder_org_id: int | None) -> tuple[int, int | None]:
    """(holder organisation, agency) for a new application filed by `actor`."""
    if actor.role != Role.HOLDER:
        raise PermissionDenied(_("Only rights holders and their agents file applications."))
    if not actor.is_agent:
        return actor.organisation_id, None
    allowed = {org.id for org in represented_holders(actor)}
    if holder_org_id not in allowed:
        raise ValidationError.on("holder_org_id", _("Choose a holder your agency represents."))
    return holder_org_id, actor.organisation_id


def new_reference() -> str:
    year = today().year
    return f"IPR-{year}-{next_counter_value(db.session, f'reference-{year}'):06d}"


def create_draft(
    actor: User, ipr_type: IprType | str, payload: dict | None = None, holder_org_id=None
) -> Application:
    """A new draft, its holder section pre-filled from the holder's organisation profile."""
    try:
        ipr_type = IprType(ipr_type)
    except ValueError as exc:
        raise ValidationError.on("ipr_type", _("Choose the type of right.")) from exc
    with unit_of_work(keep_loaded=True) as session:
        holder_id, agency_id = filing_org_ids(actor, holder_org_id)
        application = Application(
            reference=new_reference(), ipr_type=ipr_type, holder_org_id=holder_id,
            agency_id=agency_id, filed_by_id=actor.id, kind=Kind.NEW, right=IpRight(),
        )  # fmt: skip
        workflow.apply(application, Action.CREATE, actor)
        # Filled while still pending: one INSERT per row, and its groups (empty unless the
        # payload has them), decision and requests are known without asking the database.
        for name in (*CHILDREN, "information_requests"):
            setattr(application, name, [])
        application.decision = None
        prefill_holder(application, session.get(Organisation, holder_id))
        _apply(application, payload or {})
        session.add(application)
    return application


def _apply(application: Application, payload: dict) -> None:
    change_rules.check_payload(application, payload)
    try:
        apply_payload(application, payload)
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("Invalid input: %(error)s", error=exc)) from exc


def update_draft(actor: User, application_id: int, payload: dict) -> Application:
    """Save whatever was typed (drafts need not be valid); only shape errors are refused."""
    with unit_of_work():
        application = get_editable(actor, application_id)
        _apply(application, payload)
        application.updated_at = utcnow()
    return application


def find_duplicates(application: Application) -> list[Application]:
    """Other live applications for the same right (type + registration number)."""
    number = application.right.registration_number if application.right else None
    if not number:
        return []
    # Two look-ups whose plans need no statistics: the rights with this number (its index;
    # a handful), then those applications by id. As one join, SQLite without ANALYZE and
    # PostgreSQL before its first (auto)analyze walked every application of the type
    # through ix_applications_ipr_type (80-460 ms at a million). Most numbers are new: then
    # the first look-up finds only this application's own right and there is no second.
    same_right = select(IpRight.application_id).where(IpRight.registration_number == number)
    others = set(db.session.execute(same_right).scalars()) - {application.id}
    if not others:
        return []
    stmt = (
        select(Application)
        .where(
            Application.id.in_(sorted(others)),
            Application.ipr_type == application.ipr_type,
            Application.status.in_(DUPLICATE_STATES),
        )
        .order_by(Application.id)
    )
    if application.kind != Kind.NEW:  # its own recordation's applications are no duplicates
        stmt = stmt.where(
            or_(
                Application.recordation_id.is_(None),
                Application.recordation_id != application.recordation_id,
            )
        )
    return list(db.session.execute(stmt).scalars())


# Read with the locked row: the right the completeness check reads and the decision the
# answer shows (none yet; without it loaded the response asked the database again).
SUBMIT_LOADS = (joinedload(Application.right), joinedload(Application.decision))


def submit(
    actor: User, application_id: int, payload: dict | None = None, response: str | None = None
) -> SubmitResult:
    """Full validation, duplicate check, then submitted with the decision clock running.

    From info_requested this is the resubmission: `response` answers the open request and
    the clock resumes with the working days it had left.
    """
    with unit_of_work(keep_loaded=True):
        application = get_application(actor, application_id, True, SUBMIT_LOADS)
        workflow.transition_for(application, Action.SUBMIT, actor)
        _apply(application, {**(payload or {}), **({"response": response} if response else {})})
        _check_complete(application)
        duplicates = find_duplicates(application)
        previous = application.status
        _start_clock(application, previous)
        if previous == Status.INFO_REQUESTED:
            response = _answer_request(application, actor)
        application.duplicate_flag = bool(duplicates)
        references = ", ".join(d.reference for d in duplicates)
        note = SystemNote.of("duplicate", references=references) if duplicates else response
        workflow.apply(application, Action.SUBMIT, actor, note)
    return SubmitResult(application, duplicates)


def _check_complete(application: Application) -> None:
    db.session.flush()
    found = completeness.problems(application, today())
    for key, messages in change_rules.submit_problems(application, today()).items():
        found.setdefault(key, []).extend(messages)
    if found:
        count = sum(len(v) for v in found.values())
        raise ValidationError(
            ngettext(
                "The application is not complete: %(num)d problem.",
                "The application is not complete: %(num)d problems.",
                count,
            ),
            dict(found),
        )


def _start_clock(application: Application, previous: Status) -> None:
    now = utcnow()
    used = 0 if previous == Status.DRAFT else application.clock_days_used
    # The due date (it reads the holidays) before any change: the change is then written
    # in one UPDATE at the commit, not flushed early by the holidays' query.
    due_on = due_date(now.date(), max(DECISION_WORKING_DAYS - used, 0))
    application.submitted_at = now
    application.first_submitted_at = application.first_submitted_at or now
    application.clock_started_on = now.date()
    application.clock_days_used = used
    application.due_on = due_on
    application.due_calendar = official_calendar.label()


def _answer_request(application: Application, actor: User) -> str:
    """The draft answer (checked complete) becomes the answer to the open request."""
    request = application.open_request
    request.answered_at = utcnow()
    request.answered_by_id = actor.id
    request.response, request.draft_response = request.draft_response, None
    return request.response


def check(actor: User, application_id: int, payload: dict) -> completeness.Problems:
    """What submitting would refuse if `payload` were saved; saves nothing."""
    try:
        application = get_editable(actor, application_id)
        try:
            _apply(application, payload)
        except ValidationError as error:  # e.g. a renewal changing what stays recorded
            return completeness.Problems(error.fields or {"application": [error.message]})
        db.session.flush()
        return completeness.problems(application, today())
    finally:
        db.session.rollback()


def withdraw(actor: User, application_id: int, reason: str | None = None) -> Application:
    with unit_of_work():
        application = get_application(actor, application_id, for_update=True)
        workflow.apply(application, Action.WITHDRAW, actor, reason)
    return application
