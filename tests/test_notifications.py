"""Notifications: who is told, that nothing is kept unless the caller commits, the list page,
marking read (only one's own) and the unread badge."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import NotFound
from ipr_apps.models import Application, Notification, OutboxMessage, Role, User
from ipr_apps.services import filing, notifications, review
from tests.factories import (
    add_required_documents,
    complete_payload,
    grant_mandate,
    make_application,
)


def _colleague(of: User, active: bool = True) -> User:
    user = User(
        email=f"colleague{of.id}-{active}@example.com".lower(), password_hash="-", name="Colleague",
        role=Role.HOLDER, organisation_id=of.organisation_id, active=active,
    )  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


def _notify(application, message: str = "Send the certificate.") -> list:
    """Notify in a transaction of its own; the e-mails it queued (outbox rows)."""
    before = {m.id for m in _mail()}
    with unit_of_work():
        _request_info(application, message)
    return [m for m in _mail() if m.id not in before]


def _request_info(application, message: str) -> None:
    notifications.notify_application(
        application, "application_info_requested", message=message,
        reply_by=date(2030, 1, 31), decision_days=30,
    )  # fmt: skip


def _asked(notification: Notification) -> str:
    """What the reviewer asked, as the in-app message quotes it."""
    return notification.body.split("\n\n")[1]


def _mail() -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _application_of(user: User) -> Application:
    return make_application(user, "submitted")


def _rows() -> list[Notification]:
    return list(db.session.execute(select(Notification).order_by(Notification.id)).scalars())


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def application(holder) -> Application:
    return _application_of(holder)


def test_holder_and_filing_agency_users_are_told_once_each_inactive_skipped(make_user, holder):
    colleague, retired = _colleague(holder), _colleague(holder, active=False)
    agent, stranger = make_user(Role.HOLDER, agency=True), make_user(Role.HOLDER)
    make_user(Role.REVIEWER)
    grant_mandate(agent, holder)
    application = filing.create_draft(agent, "trademark", None, holder.organisation_id)

    outgoing = _notify(application)

    expected = {holder.id, colleague.id, agent.id}
    assert sorted(n.user_id for n in _rows()) == sorted(expected)
    assert sorted(m.to_address for m in outgoing) == sorted(
        db.session.get(User, i).email for i in expected
    )
    assert {retired.id, stranger.id}.isdisjoint(n.user_id for n in _rows())
    assert {n.application_id for n in _rows()} == {application.id}


def test_nobody_is_told_twice_when_holder_and_agency_coincide(holder, application):
    application.agency_id = application.holder_org_id
    db.session.commit()
    outgoing = _notify(application)
    assert [n.user_id for n in _rows()] == [holder.id] and len(outgoing) == 1


def test_nothing_is_kept_when_the_callers_transaction_fails(application):
    with pytest.raises(RuntimeError), unit_of_work():
        _request_info(application, "Send the certificate.")
        raise RuntimeError("the state change failed")
    assert _rows() == [] and _mail() == []


def test_email_names_the_application_and_links_to_it(holder, application, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    [message] = _notify(application, "Please send the certificate.")
    text = message.body
    assert application.reference in text and "Please send the certificate." in text
    assert f"\nOpen it: /applications/{application.id}\n" in text  # no BASE_URL: a path
    monkeypatch.setitem(app.config, "BASE_URL", "https://ipr.example")
    with app.test_request_context(base_url="http://localhost"):  # BASE_URL, not the request
        [message] = _notify(application)
    assert f"https://ipr.example/applications/{application.id}" in message.body


def test_unread_count_and_newest_first_pages(holder, application):
    for n in range(3):
        _notify(application, f"Subject {n}")
    assert notifications.unread_count(holder) == 3
    first = notifications.list_for(holder, None, 2)
    assert [_asked(n) for n in first.items] == ["Subject 2", "Subject 1"]
    second = notifications.list_for(holder, first.next_cursor, 2)
    assert [_asked(n) for n in second.items] == ["Subject 0"] and not second.has_next


def test_mark_read_refuses_another_users_notification(make_user, holder, application):
    _notify(application)
    [mine] = _rows()
    with pytest.raises(NotFound):
        notifications.mark_read(make_user(Role.HOLDER), mine.id)
    assert notifications.mark_read(holder, mine.id).read_at is not None
    assert notifications.unread_count(holder) == 0


def test_list_page_shows_own_notifications_newest_first(client, login, make_user, holder):
    other = make_user(Role.HOLDER)
    _notify(_application_of(holder), "Older news")
    _notify(_application_of(holder), "Newer news")
    _notify(_application_of(other), "Not for you")
    notifications.mark_read(holder, _rows()[0].id)
    login(holder)
    html = client.get("/notifications/").get_data(True)
    assert html.index("Newer news") < html.index("Older news") and "Not for you" not in html
    assert html.count('data-state="unread"') == 1 and html.count('data-state="read"') == 1
    for row in _rows()[:2]:
        assert f'href="/applications/{row.application_id}"' in html
    assert 'action="/notifications/read-all"' in html


def test_empty_list(client, login, make_user):
    login(make_user(Role.REVIEWER))
    response = client.get("/notifications/")
    assert response.status_code == 200 and 'data-testid="empty-state"' in response.get_data(True)


def test_reading_one_opens_its_application(client, login, holder, application):
    _notify(application)
    [row] = _rows()
    login(holder)
    response = client.post(f"/notifications/{row.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{application.id}"
    assert db.session.get(Notification, row.id).read_at is not None


def test_reading_one_without_application_returns_to_the_list(client, login, holder):
    with unit_of_work() as session:
        note = Notification(user_id=holder.id, subject="Welcome", body="Hello.")
        session.add(note)
    login(holder)
    response = client.post(f"/notifications/{note.id}/read")
    assert response.headers["Location"] == "/notifications/"


def test_another_users_notification_is_not_found(client, login, make_user, application):
    _notify(application)
    [row] = _rows()
    login(make_user(Role.HOLDER))
    assert client.post(f"/notifications/{row.id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    assert db.session.get(Notification, row.id).read_at is None


def test_read_all_marks_only_ones_own(client, login, make_user, holder, application):
    other = make_user(Role.HOLDER)
    _notify(application)
    _notify(application)
    _notify(_application_of(other))
    login(holder)
    assert client.post("/notifications/read-all").headers["Location"] == "/notifications/"
    assert notifications.unread_count(holder) == 0 and notifications.unread_count(other) == 1


def test_navbar_badge_counts_unread(client, login, holder, application):
    login(holder)
    html = client.get("/notifications/").get_data(True)
    assert 'data-testid="nav-notifications"' in html and 'data-testid="unread-count"' not in html
    _notify(application)
    _notify(application)
    html = client.get("/").get_data(True)
    badge = html.split('data-testid="unread-count">')[1].split("<")[0]
    assert badge == "2"
    client.post("/notifications/read-all")
    assert 'data-testid="unread-count"' not in client.get("/").get_data(True)


def test_anonymous_pages_have_no_notifications_link(client):
    assert 'data-testid="nav-notifications"' not in client.get("/").get_data(True)


@pytest.mark.parametrize("decision", ["request_info", "approve", "reject"])
def test_what_holders_are_told_never_names_the_officer(app, make_user, decision):
    """Issue 9 (#7): holders hear from "Customs", never from a named reviewer; this guards
    the in-app notification and the e-mail (subject, body, headers) of every decision."""
    holder = make_user(Role.HOLDER, name="Holder Wang")
    officer = make_user(Role.REVIEWER, name="Officer Zhao", email="zhao@customs.example")
    draft = filing.create_draft(holder, "trademark", complete_payload())
    add_required_documents(draft)
    filing.submit(holder, draft.id)
    review.claim(officer, draft.id)
    outbox = Path(app.config["OUTBOX_FOLDER"])
    before = set(outbox.glob("*.eml"))
    if decision == "request_info":
        review.request_info(officer, draft.id, "Send the licence contract.")
    elif decision == "approve":
        review.approve(officer, draft.id)
    else:
        review.reject(officer, draft.id, ["right_not_protected"], "The mark has lapsed.")
    [notification] = _rows()
    assert notification.user_id == holder.id
    [email] = set(outbox.glob("*.eml")) - before
    told = f"{notification.subject}\n{notification.body}\n{email.read_text()}"
    assert "Customs" in told and draft.reference in told
    assert "Zhao" not in told and "customs.example" not in told
