"""The review queue answers a browser's revalidation with 304 while nothing it shows changed,
and with the new page as soon as anything did (services/page_version.py, issue 16 target 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ipr_apps.db import db
from ipr_apps.models import Application, Notification, Role, Status
from ipr_apps.services import page_version, review
from tests.sql_count import statements


@pytest.fixture
def queue(make_user, make_application, login):
    holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    waiting = make_application(holder, Status.SUBMITTED)
    client = login(reviewer)
    first = client.get("/review/")
    assert first.status_code == 200
    return client, reviewer, holder, waiting, first.headers["ETag"]


def revalidate(client, tag: str, url: str = "/review/"):
    return client.get(url, headers={"If-None-Match": tag})


def test_unchanged_queue_is_a_bodiless_304(queue):
    client, _, _, waiting, tag = queue
    page = client.get("/review/")
    assert page.headers["ETag"] == tag
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in page.headers["Vary"]
    assert waiting.reference in page.get_data(as_text=True)
    again = revalidate(client, tag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag


def test_a_revalidation_is_one_statement(queue):
    """The session look-up reads the data's version and the badge's unread count with the
    session and its user: each statement is a round trip to PostgreSQL, and the 304 is what
    a reloading browser gets most."""
    client, _, _, _, tag = queue
    with statements(db.engine) as sent:
        assert revalidate(client, tag).status_code == 304
    assert len(sent) == 1, sent.listing()
    assert all(table in sent[0] for table in ("user_sessions", "counters", "notifications"))


def test_other_pages_look_up_the_session_alone(queue):
    client = queue[0]
    with statements(db.engine) as sent:
        assert client.get("/notifications/").status_code == 200
    assert "counters" not in sent[0] and "user_sessions" in sent[0], sent.listing()


def test_the_badge_read_with_the_session_is_the_readers(queue):
    """The unread count the look-up reads is the signed-in reviewer's: a new notification for
    them changes the tag, one for somebody else does not."""
    client, reviewer, holder, _, tag = queue
    db.session.add(Notification(user_id=holder.id, subject="Hello", body="A note."))
    db.session.commit()
    assert revalidate(client, tag).status_code == 304
    db.session.add(Notification(user_id=reviewer.id, subject="Hello", body="A note."))
    db.session.commit()
    again = revalidate(client, tag)
    assert again.status_code == 200 and again.headers["ETag"] != tag


def test_a_stale_tag_gets_the_page(queue):
    client, _, _, waiting, _ = queue
    page = revalidate(client, '"not-this-one"')
    assert page.status_code == 200
    assert waiting.reference in page.get_data(as_text=True)


def test_each_url_and_reader_has_its_own_tag(queue, make_user, login, app):
    client, _, _, _, tag = queue
    assert revalidate(client, tag, "/review/?tab=mine").status_code == 200
    other = login(make_user(Role.REVIEWER), app.test_client())
    assert revalidate(other, tag).status_code == 200
    client.set_cookie("locale", "zh_Hans")
    assert revalidate(client, tag).status_code == 200


def test_a_change_by_another_reviewer_shows(queue, make_user):
    client, _, _, waiting, tag = queue
    review.claim(make_user(Role.REVIEWER), waiting.id)
    page = revalidate(client, tag)
    assert page.status_code == 200
    assert page.headers["ETag"] != tag
    assert waiting.reference not in _unclaimed_rows(page)


def test_a_new_submission_shows(queue, make_application):
    client, _, holder, _, tag = queue
    newer = make_application(holder, Status.SUBMITTED)
    page = revalidate(client, tag)
    assert page.status_code == 200
    assert newer.reference in page.get_data(as_text=True)


def test_a_read_notification_changes_the_badge(queue):
    client, reviewer, _, _, _ = queue
    db.session.add(Notification(user_id=reviewer.id, subject="Hello", body="A note."))
    db.session.commit()
    tag = client.get("/review/").headers["ETag"]
    db.session.execute(update(Notification).values(read_at=db.func.now()))
    db.session.commit()
    assert revalidate(client, tag).status_code == 200


def test_a_renamed_reviewer_shows_but_a_sign_in_elsewhere_does_not(queue, make_user):
    client, _, _, waiting, _ = queue
    other = make_user(Role.REVIEWER)
    review.claim(other, waiting.id)
    tag = client.get("/review/?tab=in_review").headers["ETag"]
    before = page_version.version(db.session)
    other.last_login_at = db.func.now()
    db.session.commit()
    assert page_version.version(db.session) == before
    assert revalidate(client, tag, "/review/?tab=in_review").status_code == 304
    other.name = "Renamed Reviewer"
    db.session.commit()
    page = revalidate(client, tag, "/review/?tab=in_review")
    assert page.status_code == 200
    assert "Renamed Reviewer" in page.get_data(as_text=True)


def test_a_rolled_back_change_keeps_the_version(queue):
    waiting = queue[3]
    before = page_version.version(db.session)
    db.session.execute(update(Application).values(duplicate_flag=True))
    db.session.rollback()
    db.session.commit()
    assert db.session.get(Application, waiting.id).duplicate_flag is False
    assert page_version.version(db.session) == before


def test_a_bulk_statement_changes_the_version(queue):
    client, _, _, waiting, tag = queue
    db.session.execute(update(Application).where(Application.id == waiting.id)
                       .values(duplicate_flag=True))  # fmt: skip
    db.session.commit()
    assert revalidate(client, tag).status_code == 200
    flagged = db.session.scalar(
        select(Application.duplicate_flag).where(Application.id == waiting.id)
    )
    assert flagged is True


def test_a_pending_message_is_always_shown(queue):
    client, _, _, _, tag = queue
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Shown once.")]
    page = revalidate(client, tag)
    assert page.status_code == 200
    assert "Shown once." in page.get_data(as_text=True)
    assert revalidate(client, tag).status_code == 304


def _unclaimed_rows(page) -> str:
    return page.get_data(as_text=True).split("<tbody", 1)[-1]


def test_holders_drafts_leave_the_version_alone_until_submitted(make_user, app):
    from ipr_apps.services import filing
    from tests.factories import add_required_documents, complete_payload

    holder = make_user(Role.HOLDER)
    before = page_version.version(db.session)
    draft = filing.create_draft(holder, "trademark", complete_payload())
    add_required_documents(draft)
    assert page_version.version(db.session) == before
    filing.submit(holder, draft.id)
    assert page_version.version(db.session) != before
