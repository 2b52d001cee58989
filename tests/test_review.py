"""Review services: claiming, releasing, reassigning, information requests and decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import (
    Application,
    Decision,
    InformationRequest,
    Notification,
    Recordation,
    Role,
    Status,
    StatusEvent,
    today,
)
from ipr_apps.services import filing, review
from ipr_apps.services.recordations import add_years, validity
from ipr_apps.workdays import working_days_between
from tests.factories import add_required_documents, complete_payload


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.REVIEWER, name="Officer One")


def _submitted(holder, ipr_type="trademark", number=None) -> Application:
    payload = complete_payload(ipr_type, number or f"N-{ipr_type}")
    application = filing.create_draft(holder, ipr_type, payload)
    add_required_documents(application)
    return filing.submit(holder, application.id).application


def _reload(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def _last_event(application) -> tuple[str, str | None, str]:
    event = db.session.scalars(
        select(StatusEvent).where(StatusEvent.application_id == application.id)
        .order_by(StatusEvent.id.desc()).limit(1)
    ).one()  # fmt: skip
    return event.action, event.from_status, event.to_status


def test_claim_takes_an_unclaimed_application(holder, reviewer):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    saved = _reload(application)
    assert saved.status == Status.UNDER_REVIEW and saved.claimed_by_id == reviewer.id
    assert _last_event(saved) == ("claim", "submitted", "under_review")


def test_second_claim_is_refused_with_the_winner_named(holder, reviewer, make_user):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    with pytest.raises(ConflictError, match="Officer One"):
        review.claim(make_user(Role.REVIEWER), application.id)
    assert _reload(application).claimed_by_id == reviewer.id


@pytest.mark.parametrize("role", [Role.ADMIN, Role.HOLDER, Role.OFFICER])
def test_only_reviewers_claim(holder, make_user, role):
    application = _submitted(holder)
    with pytest.raises(PermissionDenied):
        review.claim(make_user(role), application.id)


def test_claim_next_takes_the_oldest_deadline(holder, reviewer, make_user):
    first, second = _submitted(holder, number="A"), _submitted(holder, number="B")
    second.due_on = first.due_on - timedelta(days=3)
    db.session.commit()
    assert review.claim_next(reviewer).id == second.id
    assert review.claim_next(make_user(Role.REVIEWER)).id == first.id
    assert review.claim_next(reviewer) is None


def test_release_by_claimant_or_admin_only(holder, reviewer, make_user):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    with pytest.raises(PermissionDenied):
        review.release(make_user(Role.REVIEWER), application.id)
    review.release(make_user(Role.ADMIN), application.id)
    saved = _reload(application)
    assert saved.status == Status.SUBMITTED and saved.claimed_by_id is None
    assert _last_event(saved) == ("release", "under_review", "submitted")


def test_admin_reassigns_to_another_reviewer(holder, reviewer, make_user):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    other = make_user(Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        review.reassign(reviewer, application.id, other.id)
    admin = make_user(Role.ADMIN)
    with pytest.raises(ValidationError):
        review.reassign(admin, application.id, holder.id)
    review.reassign(admin, application.id, other.id)
    assert _reload(application).claimed_by_id == other.id
    assert _last_event(application) == ("reassign", "under_review", "under_review")


def test_request_info_pauses_the_clock_and_tells_the_holder(
    holder, reviewer, app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "OUTBOX_FOLDER", str(tmp_path))
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    with pytest.raises(ValidationError):
        review.request_info(reviewer, application.id, "  ")
    review.request_info(reviewer, application.id, "Send the licence contract.")
    saved = _reload(application)
    assert saved.status == Status.INFO_REQUESTED and saved.claimed_by_id is None
    request = db.session.scalars(select(InformationRequest)).one()
    assert working_days_between(today(), request.reply_by) == 10
    assert saved.clock_days_used == 0  # asked on the day of submission
    notes = db.session.scalars(select(Notification).where(Notification.user_id == holder.id)).all()
    assert len(notes) == 1 and application.reference in notes[0].subject
    (email,) = tmp_path.glob("*.eml")  # sent after commit, to the file outbox by default
    assert application.reference in email.read_text() and holder.email in email.read_text()


def test_paused_clock_keeps_the_days_already_used(holder, reviewer):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    started = today() - timedelta(days=14)  # two calendar weeks ago: 10 working days
    application = _reload(application)
    application.clock_started_on = started
    db.session.commit()
    review.request_info(reviewer, application.id, "More please.")
    assert _reload(application).clock_days_used == working_days_between(started, today())
    resubmitted = filing.submit(holder, application.id, response="Here it is.").application
    remaining = 30 - resubmitted.clock_days_used
    assert working_days_between(today(), resubmitted.due_on) == remaining


def test_approve_creates_a_numbered_recordation(holder, reviewer, app):
    first, second = _submitted(holder, number="T1"), _submitted(holder, number="T2")
    patent = _submitted(holder, "patent_invention", number="P1")
    numbers = []
    for application in (first, second, patent):
        review.claim(reviewer, application.id)
        numbers.append(review.approve(reviewer, application.id).recordation.number)
    year = today().year
    assert numbers == [f"T{year}-000001", f"T{year}-000002", f"P{year}-000001"]
    saved = _reload(first)
    decision = db.session.scalars(select(Decision).where(Decision.application_id == first.id)).one()
    assert saved.status == Status.APPROVED and decision.decided_by_id == reviewer.id
    assert saved.recordation.valid_from == today()
    assert _last_event(saved) == ("approve", "under_review", "approved")


def test_validity_is_ten_years_capped_at_the_rights_expiry():
    assert validity(date(2026, 3, 1), None) == (date(2026, 3, 1), date(2036, 3, 1))
    assert validity(date(2026, 3, 1), date(2030, 1, 1)) == (date(2026, 3, 1), date(2030, 1, 1))
    assert add_years(date(2028, 2, 29), 10) == date(2038, 2, 28)


def test_a_second_decision_is_refused_and_changes_nothing(holder, reviewer):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    review.approve(reviewer, application.id)
    for decide in (
        lambda: review.approve(reviewer, application.id),
        lambda: review.reject(reviewer, application.id, ["other"], "No"),
        lambda: review.request_info(reviewer, application.id, "More"),
    ):
        with pytest.raises(TransitionError):
            decide()
    assert db.session.scalars(select(Recordation)).all()[0].sequence == 1
    assert len(db.session.scalars(select(Decision)).all()) == 1


def test_only_the_claimant_decides(holder, reviewer, make_user):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    for actor in (make_user(Role.REVIEWER), make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            review.approve(actor, application.id)
    assert _reload(application).status == Status.UNDER_REVIEW


@pytest.mark.parametrize(
    ("codes", "message"),
    [([], "Because"), (["made_up"], "Because"), (["other"], ""), (None, "x")],
)
def test_reject_needs_valid_reasons_and_a_message(holder, reviewer, codes, message):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    with pytest.raises(ValidationError):
        review.reject(reviewer, application.id, codes, message)
    assert _reload(application).status == Status.UNDER_REVIEW


def test_reject_records_the_grounds(holder, reviewer):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    review.reject(reviewer, application.id, ["not_right_holder", "false_information"], "Forged.")
    decision = _reload(application).decision
    assert decision.reason_codes == "not_right_holder,false_information"
    assert decision.message == "Forged." and _reload(application).status == Status.REJECTED
    assert _reload(application).recordation is None


def test_withdrawn_while_under_review_cannot_be_decided(holder, reviewer):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    filing.withdraw(holder, application.id)
    with pytest.raises(TransitionError):
        review.approve(reviewer, application.id)


def test_notes_are_for_staff_only(holder, reviewer):
    from ipr_apps.errors import NotFound

    application = _submitted(holder)
    review.add_note(reviewer, application.id, "Looks like the 2019 case.")
    assert [n.body for n in review.notes_for(reviewer, application)] == [
        "Looks like the 2019 case."
    ]
    assert review.notes_for(holder, application) == []
    with pytest.raises(NotFound):
        review.add_note(holder, application.id, "sneaky")
