"""Recording the outcome of a detained case (services/case_outcomes.record_outcome): only the
district's officer, only once detained, a date between the opening and today, one transaction
with the event and the holder's notice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import CaseEvent, CaseOutcome, CaseStatus, DetentionCase, Notification, Role
from ipr_apps.services.case_outcomes import record_outcome
from tests.case_helpers import back_date, detain, open_case, recordation_with_goods

TODAY = date.today()


@pytest.fixture
def parties(make_user):
    holder = make_user(Role.HOLDER)
    officer = make_user(Role.OFFICER, district="5301")
    case = open_case(officer, recordation_with_goods(holder))
    return holder, officer, case


@pytest.fixture
def detained(parties):
    holder, officer, case = parties
    detain(case, holder)
    back_date(case, TODAY - timedelta(days=10))
    return holder, officer, case


def stored(case) -> DetentionCase:
    db.session.expire_all()
    return db.session.get(DetentionCase, case.id)


def test_the_officer_closes_a_detained_case_with_its_outcome(detained):
    holder, officer, case = detained
    record_outcome(officer, case.id, "confiscated", TODAY - timedelta(days=2), "  Destroyed.  ")
    row = stored(case)
    assert (row.status, row.outcome, row.outcome_on) == (
        CaseStatus.CLOSED, CaseOutcome.CONFISCATED, TODAY - timedelta(days=2)
    )  # fmt: skip
    last = db.session.execute(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
    ).scalars().first()  # fmt: skip
    assert (last.action, last.from_status, last.to_status, last.actor_id, last.note) == (
        "close", "detained", "closed", officer.id, "Destroyed."
    )  # fmt: skip
    notices = db.session.execute(
        select(Notification).where(Notification.case_id == case.id).order_by(Notification.id)
    ).scalars().all()  # fmt: skip
    closed = notices[-1]
    assert closed.user_id == holder.id
    assert case.case_number in closed.subject and "confiscated" in closed.subject
    assert "Destroyed." in closed.body


def test_the_outcome_date_is_checked(detained):
    _, officer, case = detained
    opened = stored(case).opened_on
    for day, words in (
        (opened - timedelta(days=1), "before the case was opened"),
        (TODAY + timedelta(days=1), "future"),
        (None, "Give the date"),
    ):
        with pytest.raises(ValidationError) as error:
            record_outcome(officer, case.id, CaseOutcome.RELEASED, day)
        assert words in error.value.fields["outcome_on"][0]
    assert stored(case).status == CaseStatus.DETAINED and stored(case).outcome is None
    record_outcome(officer, case.id, CaseOutcome.COURT_ORDER, opened)  # the opening day is fine
    assert stored(case).outcome == CaseOutcome.COURT_ORDER


def test_the_outcome_must_be_an_officers_one(detained):
    _, officer, case = detained
    for outcome in ("withdrawn_by_holder", "burnt", None):
        with pytest.raises(ValidationError) as error:
            record_outcome(officer, case.id, outcome, TODAY)
        assert "outcome" in error.value.fields
    with pytest.raises(ValidationError) as error:
        record_outcome(officer, case.id, "released", TODAY, "x" * 2001)
    assert "note" in error.value.fields
    assert stored(case).status == CaseStatus.DETAINED


def test_only_a_detained_case_is_closed_and_only_once(parties):
    holder, officer, case = parties
    with pytest.raises(TransitionError):
        record_outcome(officer, case.id, "released", TODAY)  # still awaiting the holder
    assert stored(case).status == CaseStatus.AWAITING_HOLDER
    detain(case, holder)
    record_outcome(officer, case.id, "released", TODAY)
    with pytest.raises(TransitionError):
        record_outcome(officer, case.id, "confiscated", TODAY)
    assert stored(case).outcome == CaseOutcome.RELEASED


def test_only_the_districts_officer_records_it(detained, make_user):
    holder, _, case = detained
    with pytest.raises(NotFound):
        record_outcome(make_user(Role.OFFICER, district="5100"), case.id, "released", TODAY)
    with pytest.raises(NotFound):
        record_outcome(make_user(Role.HOLDER), case.id, "released", TODAY)
    for user in (holder, make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            record_outcome(user, case.id, "released", TODAY)
    assert stored(case).status == CaseStatus.DETAINED
