"""The reviewer's pages: queue tabs, filters, claiming, the review page, decisions, certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ipr_apps.db import db
from ipr_apps.models import Application, Role, Status, today
from ipr_apps.services import filing, review
from tests.factories import add_required_documents, complete_payload


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER, country="DE")


@pytest.fixture
def reviewer(make_user, login):
    user = make_user(Role.REVIEWER, name="Officer Zhao")
    login(user)
    return user


def _submitted(holder, ipr_type="trademark", number="TM-1") -> Application:
    application = filing.create_draft(holder, ipr_type, complete_payload(ipr_type, number))
    add_required_documents(application)
    return filing.submit(holder, application.id).application


def _rows(html: str) -> list[str]:
    return [chunk.split('"')[0] for chunk in html.split('data-reference="')[1:]]


def test_queue_tabs_and_counts(client, reviewer, holder, make_user):
    waiting, mine, other = (_submitted(holder, number=n) for n in ("W", "M", "O"))
    unclaimed = _submitted(holder, number="U")
    review.claim(reviewer, waiting.id)
    review.request_info(reviewer, waiting.id, "More")
    review.claim(reviewer, mine.id)
    review.claim(make_user(Role.REVIEWER), other.id)
    html = client.get("/review/").get_data(True)
    assert _rows(html) == [unclaimed.reference]
    for tab, count in {
        "unclaimed": 1,
        "mine": 1,
        "in_review": 2,
        "waiting": 1,
        "decided": 0,
    }.items():
        assert f'data-testid="count-{tab}">{count}<' in html
    assert _rows(client.get("/review/?tab=mine").get_data(True)) == [mine.reference]
    assert _rows(client.get("/review/?tab=waiting").get_data(True)) == [waiting.reference]
    review.approve(reviewer, mine.id)
    assert _rows(client.get("/review/?tab=decided").get_data(True)) == [mine.reference]


def test_queue_is_ordered_by_deadline_and_marks_overdue_and_due_soon(client, reviewer, holder):
    late, soon, later = (_submitted(holder, number=n) for n in ("L", "S", "X"))
    late.due_on = today() - timedelta(days=7)
    soon.due_on = today() + timedelta(days=1)
    db.session.commit()
    html = client.get("/review/").get_data(True)
    assert _rows(html) == [late.reference, soon.reference, later.reference]
    assert 'data-testid="overdue"' in html and 'data-testid="due-soon"' in html
    assert _rows(client.get("/review/?overdue=1").get_data(True)) == [late.reference]


def test_queue_filters(client, reviewer, holder, make_user):
    cn_holder = make_user(Role.HOLDER, country="CN")
    trademark = _submitted(holder, number="TM-77")
    patent = _submitted(cn_holder, "patent_design", number="ZL-1")
    duplicate = _submitted(cn_holder, number="TM-77")
    get = lambda query: _rows(client.get(f"/review/?{query}").get_data(True))  # noqa: E731
    assert get("ipr_type=patent_design") == [patent.reference]
    assert set(get("country=cn")) == {patent.reference, duplicate.reference}
    assert get("flagged=1") == [duplicate.reference]
    assert set(get("q=TM-77")) == {trademark.reference, duplicate.reference}
    assert get(f"q={patent.reference}") == [patent.reference]
    assert get("q=" + holder.organisation.name_en) == [trademark.reference]


def test_queue_pages_with_keyset_cursor(client, reviewer, holder, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    created = [_submitted(holder, number=f"P{i}") for i in range(5)]
    seen, url = [], "/review/"
    while url:
        html = client.get(url).get_data(True)
        seen += _rows(html)
        url = ("/review/?" + html.split('rel="next"')[1].split('href="/review/?')[1].split('"')[0]
               .replace("&amp;", "&")) if 'rel="next"' in html else None  # fmt: skip
    assert seen == [a.reference for a in created]


def test_claim_from_the_queue_and_a_lost_race_message(client, reviewer, holder, make_user):
    application = _submitted(holder)
    response = client.post(f"/review/{application.id}/claim")
    assert response.headers["Location"] == f"/review/{application.id}"
    rival = make_user(Role.REVIEWER)
    rival_client = client.application.test_client()
    with rival_client.session_transaction() as session:
        session["_user_id"] = str(rival.id)
    lost = rival_client.post(f"/review/{application.id}/claim", follow_redirects=True)
    assert "was just claimed by Officer Zhao" in lost.get_data(True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).claimed_by_id == reviewer.id


def test_claim_next_button(client, reviewer, holder):
    assert "No unclaimed application" in client.post(
        "/review/claim-next", follow_redirects=True
    ).get_data(True)
    application = _submitted(holder)
    assert client.post("/review/claim-next").headers["Location"] == f"/review/{application.id}"


def test_review_page_shows_everything_and_decision_forms_to_the_claimant(
    client, reviewer, holder, make_user
):
    older = _submitted(make_user(Role.HOLDER), number="TM-1")
    application = _submitted(holder, number="TM-1")
    html = client.get(f"/review/{application.id}").get_data(True)
    assert "LED bulb" in html and "Bright EU GmbH" in html and "Fake Lights Co" in html
    conflicts = html.split('data-testid="conflicts"')[1].split("</div></div></div>")[0]
    assert older.reference in conflicts
    assert 'data-testid="decision-forms"' not in html
    review.claim(reviewer, application.id)
    html = client.get(f"/review/{application.id}").get_data(True)
    assert 'data-testid="decision-forms"' in html


def test_decisions_through_the_page(client, reviewer, holder):
    approved, rejected, asked = (_submitted(holder, number=n) for n in ("A", "R", "I"))
    for application in (approved, rejected, asked):
        review.claim(reviewer, application.id)
    client.post(f"/review/{approved.id}/approve")
    bad = client.post(f"/review/{rejected.id}/reject", data={"message": "No grounds given"})
    assert bad.status_code == 422
    client.post(
        f"/review/{rejected.id}/reject",
        data={
            "reason_codes": ["incomplete_or_invalid", "other"],
            "message": "Certificate unreadable.",
        },
    )
    client.post(f"/review/{asked.id}/request-info", data={"message": "Send photos."})
    db.session.expire_all()
    statuses = [db.session.get(Application, a.id).status for a in (approved, rejected, asked)]
    assert statuses == [Status.APPROVED, Status.REJECTED, Status.INFO_REQUESTED]
    again = client.post(f"/review/{approved.id}/approve", follow_redirects=True)
    assert "Cannot approve an application that is approved" in again.get_data(True)


def test_internal_notes_never_reach_the_holder(client, reviewer, holder, login):
    application = _submitted(holder)
    client.post(f"/review/{application.id}/notes", data={"body": "Secret staff remark"})
    assert "Secret staff remark" in client.get(f"/review/{application.id}").get_data(True)
    holder_client = client.application.test_client()
    login(holder, to=holder_client)
    assert "Secret staff remark" not in holder_client.get(
        f"/applications/{application.id}"
    ).get_data(True)
    assert holder_client.get(f"/review/{application.id}").status_code == 403


def test_certificate_visibility(client, reviewer, holder, make_user, login):
    application = _submitted(holder)
    assert client.get(f"/applications/{application.id}/certificate").status_code == 404
    review.claim(reviewer, application.id)
    review.approve(reviewer, application.id)
    number = db.session.get(Application, application.id).recordation.number
    assert number in client.get(f"/applications/{application.id}/certificate").get_data(True)
    owner = client.application.test_client()
    login(holder, to=owner)
    page = owner.get(f"/applications/{application.id}/certificate").get_data(True)
    assert number in page and "LED bulb" in page
    assert number in owner.get(f"/applications/{application.id}").get_data(True)
    stranger = client.application.test_client()
    login(make_user(Role.HOLDER), to=stranger)
    assert stranger.get(f"/applications/{application.id}/certificate").status_code == 404
