"""Database invariants hold even when code forgets them: uniques, CHECKs, FKs, append-only log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from ipr_apps.db import db, next_counter_value
from ipr_apps.models import (
    Application,
    AuditViolation,
    Decision,
    Outcome,
    Role,
    Status,
    StatusEvent,
    User,
)
from tests.factories import recordation_row


def _fails(statement, **params) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(statement, params)
        db.session.flush()
    db.session.rollback()


def test_email_is_unique(make_user):
    make_user(Role.ADMIN, email="a@example.com")
    db.session.add(User(email="a@example.com", password_hash="x", name="A", role=Role.ADMIN))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_holder_must_have_an_organisation_and_staff_must_not(make_user):
    reviewer = make_user(Role.REVIEWER)
    holder = make_user(Role.HOLDER)
    _fails(
        update(User).where(User.id == reviewer.id).values(organisation_id=holder.organisation_id)
    )
    _fails(update(User).where(User.id == holder.id).values(organisation_id=None))


def test_under_review_requires_a_claimant(make_user, make_application):
    app = make_application(make_user(Role.HOLDER), Status.SUBMITTED)
    _fails(update(Application).where(Application.id == app.id).values(status="under_review"))


def test_claimant_only_while_under_review(make_user, make_application):
    reviewer = make_user(Role.REVIEWER)
    app = make_application(make_user(Role.HOLDER), Status.SUBMITTED)
    _fails(update(Application).where(Application.id == app.id).values(claimed_by_id=reviewer.id))


def test_decided_states_need_a_decision_time(make_user, make_application):
    app = make_application(make_user(Role.HOLDER), Status.UNDER_REVIEW,
                           claimed_by=make_user(Role.REVIEWER))  # fmt: skip
    _fails(
        update(Application)
        .where(Application.id == app.id)
        .values(status="approved", claimed_by_id=None)
    )


def test_submitted_needs_submission_date_and_due_date(make_user, make_application):
    app = make_application(make_user(Role.HOLDER), Status.DRAFT)
    _fails(update(Application).where(Application.id == app.id).values(status="submitted"))


def test_unknown_status_value_is_refused_by_the_database(make_user, make_application):
    app = make_application(make_user(Role.HOLDER), Status.DRAFT)
    _fails(text("UPDATE applications SET status = 'lost' WHERE id = :id"), id=app.id)


def test_foreign_keys_are_enforced(make_user, make_application):
    app = make_application(make_user(Role.HOLDER), Status.DRAFT)
    _fails(text("UPDATE applications SET holder_org_id = 999999 WHERE id = :id"), id=app.id)


def test_one_decision_per_application(make_user, make_application):
    reviewer = make_user(Role.REVIEWER)
    app = make_application(make_user(Role.HOLDER), Status.APPROVED)
    for _ in range(2):
        db.session.add(Decision(application_id=app.id, outcome=Outcome.APPROVED,
                                decided_by_id=reviewer.id, decided_on=date.today()))  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_rejection_needs_reasons_unless_imported(make_user, make_application):
    reviewer = make_user(Role.REVIEWER)
    app = make_application(make_user(Role.HOLDER), Status.REJECTED)
    db.session.add(Decision(application_id=app.id, outcome=Outcome.REJECTED,
                            decided_by_id=reviewer.id, decided_on=date.today()))  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_recordation_number_is_unique(make_user, make_application):
    holder = make_user(Role.HOLDER)
    apps = [make_application(holder, Status.APPROVED) for _ in range(2)]
    for seq, app in enumerate(apps):
        recordation_row(app, "T2026-000001", date(2026, 1, 1), date(2036, 1, 1), seq + 1)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_status_events_are_append_only(make_user, make_application):
    holder = make_user(Role.HOLDER)
    app = make_application(holder, Status.DRAFT)
    db.session.add(StatusEvent(application_id=app.id, action="create", to_status="draft",
                               actor_id=holder.id))  # fmt: skip
    db.session.commit()
    event = db.session.scalars(select(StatusEvent)).one()
    event.note = "rewritten history"
    with pytest.raises(AuditViolation):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(StatusEvent)).one())
    with pytest.raises(AuditViolation):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(StatusEvent)).one().note is None


def test_counters_count_from_one_per_scope(app):
    assert [next_counter_value(db.session, "T2026") for _ in range(3)] == [1, 2, 3]
    assert next_counter_value(db.session, "P2026") == 1
    db.session.commit()
    assert next_counter_value(db.session, "T2026") == 4
    db.session.rollback()
    assert next_counter_value(db.session, "T2026") == 4  # rolled back numbers are not lost


def test_optimistic_version_stops_a_stale_writer(make_user, make_application):
    from sqlalchemy.orm.exc import StaleDataError

    app = make_application(make_user(Role.HOLDER), Status.DRAFT)
    db.session.execute(
        update(Application)
        .where(Application.id == app.id)
        .values(version=Application.version + 1)
        .execution_options(synchronize_session=False)
    )
    app.holder_phone = "+1 555"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
