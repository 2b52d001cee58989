"""The reviewer's pages: queue tabs, filters, claiming, the review page, decisions, certificate."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Application, Notification, RejectReason, Role, Status, today
from ipr_apps.models.audit import StatusEvent
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


def test_claim_from_the_queue_and_a_lost_race_message(client, reviewer, holder, make_user, login):
    application = _submitted(holder)
    response = client.post(f"/review/{application.id}/claim")
    assert response.headers["Location"] == f"/review/{application.id}"
    rival = make_user(Role.REVIEWER)
    rival_client = login(rival, to=client.application.test_client())
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
            "confirm": "1",
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


# --------------------------------------------------------------------------- decisions


GROUNDS = [RejectReason.INCOMPLETE_OR_INVALID.value, RejectReason.FALSE_INFORMATION.value]
MESSAGE = "The certificate is unreadable.\r\nPlease file a new application."


def _claimed(reviewer, holder, number="TM-1") -> Application:
    application = _submitted(holder, number=number)
    review.claim(reviewer, application.id)
    return application


def _state(application_id: int) -> tuple:
    """Status, decision, audit events and messages to the holder: what a decision changes."""
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    events = select(func.count()).where(StatusEvent.application_id == application_id)
    sent = select(func.count()).where(Notification.application_id == application_id)
    return (
        application.status,
        application.decision,
        db.session.execute(events).scalar_one(),
        db.session.execute(sent).scalar_one(),
    )


def _section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"reason_codes", "reject-message"}),
        ({"message": "No grounds given"}, {"reason_codes"}),
        ({"reason_codes": GROUNDS, "message": "   "}, {"reject-message"}),
        ({"reason_codes": ["not_a_ground"], "message": "x"}, {"reason_codes"}),
        ({"reason_codes": GROUNDS, "message": "x" * 5001}, {"reject-message"}),
    ],
)
def test_an_invalid_rejection_is_refused_before_any_confirmation(
    client, reviewer, holder, data, fields
):
    application = _claimed(reviewer, holder)
    before = _state(application.id)
    response = client.post(f"/review/{application.id}/reject", data={**data, "confirm": "1"})
    html = response.get_data(True)
    assert response.status_code == 422
    assert 'data-testid="reject-confirmation"' not in html
    assert 'data-testid="review-content"' in html  # the review page, with the form kept open
    assert re.search(r'<details[^>]*data-testid="reject"[^>]*\bopen\b', html)
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert set(re.findall(r'href="#([^"]+)"', summary)) == fields
    panel = _section(html, "decision-forms")
    assert panel.count("invalid-feedback") >= len(fields)
    assert _state(application.id) == before


def test_a_valid_rejection_is_restated_then_confirmed(client, reviewer, holder):
    application = _claimed(reviewer, holder)
    before = _state(application.id)
    url = f"/review/{application.id}/reject"
    data = {"reason_codes": GROUNDS, "message": MESSAGE}

    step = client.post(url, data=data)
    html = step.get_data(True)
    assert step.status_code == 200 and _state(application.id) == before
    confirmation = html.split('data-testid="reject-confirmation"')[1]
    grounds = confirmation.split('data-testid="confirm-grounds">')[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", grounds) == [RejectReason(c).label for c in GROUNDS]
    assert f'data-testid="confirm-message">{MESSAGE}</p>' in confirmation
    form = confirmation.split("<form")[1].split("</form>")[0]
    assert f'action="{url}"' in form
    hidden = dict.fromkeys(re.findall(r'name="reason_codes" value="([^"]+)"', form))
    assert list(hidden) == GROUNDS
    assert f'name="message" value="{MESSAGE}"' in form
    assert re.search(r'<button[^>]*name="confirm" value="1"[^>]*>Confirm rejection<', form)
    assert re.search(r'<button[^>]*name="change" value="1"', form)

    back = client.post(url, data={**data, "change": "1"})
    html = back.get_data(True)
    assert back.status_code == 200 and _state(application.id) == before
    assert 'data-testid="error-summary"' not in html
    panel = _section(html, "decision-forms")
    assert re.search(r'<details[^>]*data-testid="reject"[^>]*\bopen\b', panel)
    for code in GROUNDS:
        assert re.search(
            rf'<input[^>]*checked[^>]*value="{code}"|value="{code}"[^>]*checked', panel
        )
    assert "The certificate is unreadable." in panel.split('id="reject-message"')[1]

    done = client.post(url, data={**data, "confirm": "1"})
    assert done.status_code == 302 and done.headers["Location"] == f"/review/{application.id}"
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.status == Status.REJECTED
    assert sorted(saved.decision.reason_codes.split(",")) == sorted(GROUNDS)
    assert saved.decision.message == MESSAGE
    page = client.get(f"/review/{application.id}").get_data(True)
    assert "rejected." in page and 'data-testid="decision-grounds"' in page


def test_no_confirmation_once_the_application_cannot_be_rejected(client, reviewer, holder):
    application = _claimed(reviewer, holder)
    review.release(reviewer, application.id)
    response = client.post(
        f"/review/{application.id}/reject", data={"reason_codes": GROUNDS, "message": "x"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/review/{application.id}"
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.SUBMITTED


def test_a_refused_request_for_information_keeps_the_form_with_errors(client, reviewer, holder):
    application = _claimed(reviewer, holder)
    before = _state(application.id)
    url = f"/review/{application.id}/request-info"
    empty = client.post(url, data={"message": ""})
    html = empty.get_data(True)
    assert empty.status_code == 422
    assert re.search(r'<details[^>]*data-testid="request-info"[^>]*\bopen\b', html)
    assert 'href="#info-message"' in html.split('data-testid="error-summary"')[1]
    past = client.post(url, data={"message": "Send photos.", "reply_by": str(today())})
    html = past.get_data(True)
    assert past.status_code == 422 and "Send photos." in html
    assert 'href="#info-reply-by"' in html.split('data-testid="error-summary"')[1]
    assert _state(application.id) == before


@pytest.mark.parametrize("action", ["approve", "reject", "request-info"])
def test_a_decision_url_opened_with_get_leads_to_the_decision_panel(
    client, reviewer, holder, action
):
    application = _claimed(reviewer, holder)
    before = _state(application.id)
    response = client.get(f"/review/{application.id}/{action}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/review/{application.id}#decide"
    assert (
        client.get(f"/review/{application.id}/{action}", follow_redirects=True).status_code == 200
    )
    assert _state(application.id) == before
    assert (
        client.get(f"/review/{application.id + 1000}/{action}", follow_redirects=True).status_code
        == 404
    )


def test_the_review_page_shows_the_content_before_the_decision_panel(client, reviewer, holder):
    application = _claimed(reviewer, holder)
    review.request_info(reviewer, application.id, "Send the renewal certificate.")
    filing.submit(holder, application.id, response="Attached.")
    review.claim(reviewer, application.id)
    html = client.get(f"/review/{application.id}").get_data(True)
    order = [
        html.index('data-testid="jump-to-decide"'),
        html.index('data-testid="info-request"'),
        html.index('id="holder"'),
        html.index('id="infringers"'),
        html.index('id="documents"'),
        html.index('data-testid="decision-forms"'),
    ]
    assert order == sorted(order)
    assert 'href="#decide"' in html and 'id="decide"' in html
    assert re.search(r'class="[^"]*sticky-lg-top[^"]*" data-testid="decision-panel"', html)
    assert len(re.findall(r'\bid="([^"]+)"', html)) == len(set(re.findall(r'\bid="([^"]+)"', html)))
    assert "data-confirm" not in _section(html, "reject")  # checked by the server, then confirmed


def test_only_who_may_reassign_gets_the_list_of_reviewers(make_user, make_application, login, app):
    from ipr_apps.db import db as database
    from tests.sql_count import statements

    holder, reviewer, admin = (make_user(r) for r in (Role.HOLDER, Role.REVIEWER, Role.ADMIN))
    waiting = make_application(holder, Status.UNDER_REVIEW, claimed_by=reviewer)
    for user, lists_reviewers in ((reviewer, False), (admin, True)):
        client = login(user, app.test_client())
        with statements(database.engine) as sent:
            assert client.get(f"/review/{waiting.id}").status_code == 200
        by_role = [s for s in sent if "FROM users" in s and "users.role =" in s]
        assert bool(by_role) is lists_reviewers, sent.listing()
