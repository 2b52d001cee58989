"""Cancellation by the holder and revocation by an admin: service, pages and notifications."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import (
    Notification,
    OutboxMessage,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    Role,
    Status,
    today,
)
from ipr_apps.services import lifecycle
from tests.factories import grant_mandate, recordation_row


@pytest.fixture
def holder(make_user):
    return make_user()


@pytest.fixture
def recordation(holder, make_application):
    application = make_application(holder, Status.APPROVED)
    row = recordation_row(application, valid_from=date(2020, 1, 1), valid_until=date(2030, 1, 1))
    db.session.commit()
    return row


def _reload(recordation_id: int) -> Recordation:
    db.session.expire_all()
    return db.session.get(Recordation, recordation_id)


def _events(recordation_id: int) -> list[RecordationEvent]:
    stmt = select(RecordationEvent).where(RecordationEvent.recordation_id == recordation_id)
    return list(db.session.execute(stmt).scalars())


def _outbox() -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage)).scalars())


def test_holder_cancels_with_event_end_date_and_notices(holder, recordation, make_user):
    colleague_agent = make_user(agency=True)
    grant_mandate(colleague_agent, holder)
    recordation.agency_id = colleague_agent.organisation_id  # the agency that filed
    db.session.commit()
    lifecycle.cancel(holder, recordation.id, "  Right assigned to another company.  ")
    after = _reload(recordation.id)
    assert after.status == RecordationStatus.CANCELLED
    assert after.ended_on == today()
    [event] = _events(recordation.id)
    assert (event.action, event.from_status, event.to_status) == ("cancel", "active", "cancelled")
    assert event.actor_id == holder.id and event.note == "Right assigned to another company."
    assert event.valid_until == date(2030, 1, 1)
    notes = db.session.execute(select(Notification)).scalars().all()
    assert {n.user_id for n in notes} == {holder.id, colleague_agent.id}
    assert {n.recordation_id for n in notes} == {recordation.id}
    mails = _outbox()
    assert sorted(m.to_address for m in mails) == sorted([holder.email, colleague_agent.email])
    assert all(recordation.number in m.subject for m in mails)
    assert all("Reason: Right assigned to another company." in m.body for m in mails)


def test_filing_agency_may_cancel(holder, recordation, make_user):
    agent = make_user(agency=True)
    recordation.agency_id = agent.organisation_id
    db.session.commit()
    lifecycle.cancel(agent, recordation.id, "Holder's instruction")
    assert _reload(recordation.id).status == RecordationStatus.CANCELLED


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_cancel_needs_a_reason(holder, recordation, reason):
    with pytest.raises(ValidationError) as error:
        lifecycle.cancel(holder, recordation.id, reason)
    assert "reason" in error.value.fields
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE
    assert _events(recordation.id) == [] and _outbox() == []


def test_reason_length_is_capped(holder, recordation):
    with pytest.raises(ValidationError):
        lifecycle.cancel(holder, recordation.id, "x" * (lifecycle.REASON_MAX + 1))
    lifecycle.cancel(holder, recordation.id, "x" * lifecycle.REASON_MAX)
    assert _reload(recordation.id).status == RecordationStatus.CANCELLED


@pytest.mark.parametrize(
    "status",
    [
        RecordationStatus.EXPIRED,
        RecordationStatus.LAPSED,
        RecordationStatus.CANCELLED,
        RecordationStatus.REVOKED,
    ],
)
def test_only_an_active_recordation_ends(holder, make_application, make_user, status):
    application = make_application(holder, Status.APPROVED)
    row = recordation_row(application, status=status)
    db.session.commit()
    admin = make_user(Role.ADMIN)
    with pytest.raises(TransitionError):
        lifecycle.cancel(holder, row.id, "Again")
    with pytest.raises(TransitionError):
        lifecycle.revoke(admin, row.id, "Again")
    after = _reload(row.id)
    assert after.status == status and after.ended_on == date(2029, 1, 1)
    assert _events(row.id) == [] and _outbox() == []


def test_other_holder_gets_not_found_and_mandated_agent_may_not_cancel(
    holder, recordation, make_user
):
    stranger, mandated = make_user(), make_user(agency=True)
    grant_mandate(mandated, holder)
    with pytest.raises(NotFound):
        lifecycle.cancel(stranger, recordation.id, "Mine now")
    with pytest.raises(PermissionDenied):
        lifecycle.cancel(mandated, recordation.id, "Not ours to end")
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE


def test_staff_may_not_cancel_and_holders_or_reviewers_may_not_revoke(
    holder, recordation, make_user
):
    reviewer, admin = make_user(Role.REVIEWER), make_user(Role.ADMIN)
    for actor in (reviewer, admin):
        with pytest.raises(PermissionDenied):
            lifecycle.cancel(actor, recordation.id, "No")
    for actor in (reviewer, holder):
        with pytest.raises(PermissionDenied):
            lifecycle.revoke(actor, recordation.id, "No")
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE


def test_admin_revokes_and_holder_is_told_without_officer_name(holder, recordation, make_user):
    admin = make_user(Role.ADMIN, name="Officer Zhang")
    lifecycle.revoke(admin, recordation.id, "The licence was forged.")
    after = _reload(recordation.id)
    assert after.status == RecordationStatus.REVOKED and after.ended_on == today()
    [event] = _events(recordation.id)
    assert (event.action, event.to_status, event.actor_id) == ("revoke", "revoked", admin.id)
    [mail] = _outbox()
    assert mail.to_address == holder.email
    assert "revoked" in mail.subject and "The licence was forged." in mail.body
    assert "Officer Zhang" not in mail.body
    [note] = db.session.execute(select(Notification)).scalars().all()
    assert note.user_id == holder.id and note.recordation_id == recordation.id


# --- pages -------------------------------------------------------------------------------


def test_cancel_page_confirms_then_cancels(client, login, holder, recordation):
    login(holder)
    url = f"/recordations/{recordation.id}/cancel"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="reason"' in page.data and b"cannot be undone" in page.data
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE  # GET changes nothing
    response = client.post(url, data={"reason": "No longer sold in China"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/recordations/{recordation.id}")
    assert _reload(recordation.id).status == RecordationStatus.CANCELLED
    shown = client.get(f"/recordations/{recordation.id}")
    assert b'data-status="cancelled"' in shown.data and b"cancel-link" not in shown.data


def test_cancel_page_without_reason_is_refused(client, login, holder, recordation):
    login(holder)
    response = client.post(f"/recordations/{recordation.id}/cancel", data={"reason": "  "})
    assert response.status_code == 422
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE
    assert _events(recordation.id) == []


def test_cancel_page_of_another_holder_is_not_found(client, login, holder, recordation, make_user):
    login(holder)
    assert client.get(f"/recordations/{recordation.id}/cancel").status_code == 200
    login(make_user())
    assert client.get(f"/recordations/{recordation.id}/cancel").status_code == 404
    response = client.post(f"/recordations/{recordation.id}/cancel", data={"reason": "x"})
    assert response.status_code == 404
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE


def test_mandated_agent_sees_no_cancel_page(client, login, holder, recordation, make_user):
    agent = make_user(agency=True)
    grant_mandate(agent, holder)
    login(agent)
    page = client.get(f"/recordations/{recordation.id}")
    assert page.status_code == 200 and b'data-testid="validity"' in page.data
    assert b"cancel-link" not in page.data
    assert client.get(f"/recordations/{recordation.id}/cancel").status_code == 404
    response = client.post(f"/recordations/{recordation.id}/cancel", data={"reason": "x"})
    assert response.status_code == 404
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE
    login(holder)  # the owner is offered the page the agent is refused
    assert client.get(f"/recordations/{recordation.id}/cancel").status_code == 200


def test_cancel_page_of_ended_recordation_goes_back(client, login, holder, make_application):
    application = make_application(holder, Status.APPROVED)
    row = recordation_row(application, status=RecordationStatus.EXPIRED)
    db.session.commit()
    login(holder)
    for response in (
        client.get(f"/recordations/{row.id}/cancel"),
        client.post(f"/recordations/{row.id}/cancel", data={"reason": "late"}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/recordations/{row.id}")
    assert _reload(row.id).status == RecordationStatus.EXPIRED and _events(row.id) == []


def test_revoke_page_confirms_then_revokes(client, login, holder, recordation, make_user):
    admin = make_user(Role.ADMIN)
    login(admin)
    url = f"/recordations/{recordation.id}/revoke"
    assert b"revoke-link" in client.get(f"/recordations/{recordation.id}").data
    page = client.get(url)
    assert page.status_code == 200 and b'name="reason"' in page.data
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE
    response = client.post(url, data={"reason": "Forged certificate"})
    assert response.status_code == 302
    after = _reload(recordation.id)
    assert after.status == RecordationStatus.REVOKED and after.ended_on == today()
    assert [m.to_address for m in _outbox()] == [holder.email]


def test_reviewer_and_holder_may_not_revoke(client, login, holder, recordation, make_user):
    login(make_user(Role.REVIEWER))
    assert (
        client.post(f"/recordations/{recordation.id}/revoke", data={"reason": "x"}).status_code
        == 403
    )
    login(holder)
    assert client.get(f"/recordations/{recordation.id}/revoke").status_code == 403
    assert _reload(recordation.id).status == RecordationStatus.ACTIVE


def test_revoke_of_unknown_recordation_is_not_found(client, login, recordation, make_user):
    login(make_user(Role.ADMIN))
    assert client.get(f"/recordations/{recordation.id}/revoke").status_code == 200
    assert client.get(f"/recordations/{recordation.id + 1000}/revoke").status_code == 404


def test_notification_opens_the_recordation(client, login, holder, recordation, make_user):
    lifecycle.revoke(make_user(Role.ADMIN), recordation.id, "False information")
    [note] = db.session.execute(select(Notification)).scalars().all()
    login(holder)
    listing = client.get("/notifications/")
    assert f'href="/recordations/{recordation.id}"'.encode() in listing.data
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/recordations/{recordation.id}")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
