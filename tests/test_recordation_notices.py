"""News about a recordation reaches the holder and its agency in the app and by e-mail."""

from __future__ import annotations

from sqlalchemy import select

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import Notification, OutboxMessage, RecordationStatus, Status
from ipr_apps.services import notifications
from tests.factories import grant_mandate, recordation_row


def test_recordation_news_goes_to_holder_and_filing_agency(app, make_user, make_application):
    holder, agent, stranger = make_user(), make_user(agency=True), make_user()
    grant_mandate(agent, holder)
    application = make_application(holder, Status.APPROVED)
    application.agency_id = agent.organisation_id
    recordation = recordation_row(application, status=RecordationStatus.REVOKED)
    db.session.commit()
    with unit_of_work():
        notifications.notify_recordation(recordation, "recordation_revoked", reason="False facts")
    notes = db.session.execute(select(Notification).order_by(Notification.user_id)).scalars().all()
    assert [n.user_id for n in notes] == [holder.id, agent.id]
    assert {n.recordation_id for n in notes} == {recordation.id}
    assert notes[0].subject == f"Recordation {recordation.number} revoked by customs"
    assert "Reason: False facts" in notes[0].body and "Dear" not in notes[0].body
    mails = db.session.execute(select(OutboxMessage)).scalars().all()
    assert sorted(m.to_address for m in mails) == sorted([holder.email, agent.email])
    assert stranger.email not in {m.to_address for m in mails}
    body = mails[0].body
    assert body.startswith("Dear ") and "Reason: False facts" in body
    assert f"/recordations/{recordation.id}" in body
