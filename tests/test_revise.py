"""Revise and file again: a new draft from a rejected or withdrawn application, everything
filed copied (documents as new files), linked both ways, with the refusal beside the form."""

from __future__ import annotations

import contextlib
import io
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, TransitionError
from ipr_apps.i18n import format_day
from ipr_apps.models import (
    AgentMandate,
    Application,
    Document,
    Kind,
    RecordationStatus,
    Role,
    Status,
    StatusEvent,
    User,
    today,
    utcnow,
)
from ipr_apps.services import content, documents, filing, review, revise
from ipr_apps.services.document_files import stored_path
from ipr_apps.services.recordations import renewal_opens
from ipr_apps.workdays import due_date
from ipr_apps.workflow import DECISION_WORKING_DAYS
from tests.api_helpers import API, assert_error, bearer, token_for
from tests.factories import complete_payload, grant_mandate, recordation_row
from tests.files import pdf, png

GROUNDS = ["incomplete_or_invalid", "false_information"]
MESSAGE = "The licence <unsigned> & the certificate has expired."


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.REVIEWER)


def _filed(filer, holder_org_id=None, number="TM-1000001") -> Application:
    """A complete trademark application with real files, submitted."""
    draft = filing.create_draft(filer, "trademark", complete_payload(number=number), holder_org_id)
    for doc_type in documents.missing_for(draft):
        documents.attach(filer, draft.id, doc_type, io.BytesIO(pdf()), f"{doc_type.value}.pdf")
    documents.set_mark_image(filer, draft.id, io.BytesIO(png()), "mark.png")
    return filing.submit(filer, draft.id).application


def _rejected(filer, reviewer, holder_org_id=None) -> Application:
    application = _filed(filer, holder_org_id)
    review.claim(reviewer, application.id)
    return review.reject(reviewer, application.id, GROUNDS, MESSAGE)


def _withdrawn(filer, reviewer=None, reason="We found a better photo of the goods.") -> Application:
    application = _filed(filer)
    if reviewer is not None:  # withdrawn while customs waited for more information
        review.claim(reviewer, application.id)
        review.request_info(reviewer, application.id, "Send the licence contract.")
    return filing.withdraw(filer, application.id, reason)


def _reload(application: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _files() -> set[Path]:
    return {p for p in Path(current_app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- the service


def test_revision_copies_everything_filed_with_new_files(holder, reviewer):
    source = _rejected(holder, reviewer)
    before = content.to_payload(source)
    source_docs = [(d.id, d.stored_name, d.sha256) for d in source.documents]
    source_events = len(source.events)
    source_version = source.version

    draft = _reload(revise.revise(holder, source.id))
    source = _reload(source)

    assert (draft.status, draft.kind, draft.revises_id) == (Status.DRAFT, Kind.NEW, source.id)
    assert draft.reference != source.reference and draft.filed_by_id == holder.id
    assert draft.holder_org_id == source.holder_org_id and draft.agency_id is None
    assert draft.first_submitted_at is None and draft.due_on is None and draft.decision is None
    assert content.to_payload(draft) == before
    pairs = list(zip(source.documents, draft.documents, strict=True))
    assert len(pairs) == 3  # certificate, identity proof, mark image
    for old, new in pairs:
        assert (new.doc_type, new.sha256, new.original_name) == (
            old.doc_type, old.sha256, old.original_name,
        )  # fmt: skip
        assert new.id != old.id and new.stored_name != old.stored_name
        assert stored_path(new).read_bytes() == stored_path(old).read_bytes()
    assert db.session.get(Document, draft.right.mark_image_id).application_id == draft.id
    # The source is exactly as it was: status, content, documents, history, row version.
    assert (source.status, source.version, len(source.events)) == (
        Status.REJECTED, source_version, source_events,
    )  # fmt: skip
    assert content.to_payload(source) == before
    assert [(d.id, d.stored_name, d.sha256) for d in source.documents] == source_docs
    event = db.session.scalars(select(StatusEvent).filter_by(application_id=draft.id)).one()
    assert (event.action, event.to_status, event.actor_id) == ("create", "draft", holder.id)


def test_withdrawn_application_can_be_revised(holder):
    source = _withdrawn(holder)
    draft = revise.revise(holder, source.id)
    assert _reload(draft).revises_id == source.id
    assert _reload(source).status == Status.WITHDRAWN


@pytest.mark.parametrize(
    "status",
    [Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED, Status.APPROVED],
)
def test_only_rejected_or_withdrawn_applications_are_revised(
    holder, reviewer, make_application, status
):
    source = make_application(holder, status, claimed_by=reviewer)
    count = _count(Application)
    with pytest.raises(TransitionError):
        revise.revise(holder, source.id)
    assert _count(Application) == count
    assert _reload(source).status == status


def test_another_holders_application_is_not_found(holder, reviewer, make_user):
    source = _rejected(holder, reviewer)
    with pytest.raises(NotFound):
        revise.revise(make_user(Role.HOLDER), source.id)
    with pytest.raises(NotFound):
        revise.revise(holder, 999_999)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_customs_staff_do_not_revise(holder, reviewer, make_user, role):
    source = _rejected(holder, reviewer)
    with pytest.raises(PermissionDenied):
        revise.revise(make_user(role), source.id)


def test_the_agent_that_filed_may_revise_for_its_holder(holder, reviewer, make_user):
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, holder)
    source = _rejected(agent, reviewer, holder.organisation_id)

    draft = _reload(revise.revise(agent, source.id))

    assert (draft.holder_org_id, draft.agency_id) == (holder.organisation_id, agent.organisation_id)
    assert draft.revises_id == source.id
    assert {d.doc_type for d in draft.documents} == {d.doc_type for d in source.documents}


def test_the_holder_may_revise_what_its_agent_filed(holder, reviewer, make_user):
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, holder)
    source = _rejected(agent, reviewer, holder.organisation_id)
    draft = _reload(revise.revise(holder, source.id))
    assert (draft.holder_org_id, draft.agency_id) == (holder.organisation_id, None)


def test_an_agent_whose_mandate_ended_may_not_revise(holder, reviewer, make_user):
    agent = make_user(Role.HOLDER, agency=True)
    mandate = grant_mandate(agent, holder)
    source = _rejected(agent, reviewer, holder.organisation_id)
    db.session.get(AgentMandate, mandate.id).revoked_at = utcnow()
    db.session.commit()
    count = _count(Application)
    with pytest.raises(PermissionDenied):
        revise.revise(agent, source.id)
    assert _count(Application) == count


def test_a_mandated_agent_that_did_not_file_may_not_revise(holder, reviewer, make_user):
    """It sees the holder's application, but revising is the owner's (workflow Party.OWNER)."""
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, holder)
    source = _rejected(holder, reviewer)
    with pytest.raises(PermissionDenied):
        revise.revise(agent, source.id)


def test_a_second_revision_is_a_conflict_naming_the_first(holder, reviewer):
    source = _rejected(holder, reviewer)
    first = revise.revise(holder, source.id)
    count, files = _count(Application), _files()

    with pytest.raises(revise.RevisionExists) as refused:
        revise.revise(holder, source.id)

    assert refused.value.revision.id == first.id and first.reference in refused.value.message
    assert refused.value.http_status == 409 and refused.value.code == "revision_exists"
    assert _count(Application) == count
    assert _files() == files  # the copies made before the check were removed again


def test_an_ended_revision_lets_the_application_be_revised_again(holder):
    source = _withdrawn(holder)
    first = revise.revise(holder, source.id)
    filing.withdraw(holder, first.id, "Started over.")
    second = revise.revise(holder, source.id)
    assert [r.id for r in revise.revisions_of(_reload(source))] == [first.id, second.id]
    # ... and the withdrawn revision may itself be revised.
    assert _reload(revise.revise(holder, first.id)).revises_id == first.id


def test_an_approved_revision_blocks_another(holder, reviewer):
    source = _withdrawn(holder)
    revision = revise.revise(holder, source.id)
    filing.submit(holder, revision.id)
    review.claim(reviewer, revision.id)
    review.approve(reviewer, revision.id)
    with pytest.raises(revise.RevisionExists) as refused:
        revise.revise(holder, source.id)
    assert refused.value.revision.id == revision.id


def test_a_revision_is_submitted_with_a_new_reference_and_deadline(holder, reviewer):
    source = _rejected(holder, reviewer)
    source_due = source.due_on
    draft = revise.revise(holder, source.id)

    submitted = _reload(filing.submit(holder, draft.id).application)

    assert submitted.status == Status.SUBMITTED and submitted.reference != source.reference
    assert submitted.clock_days_used == 0
    assert submitted.due_on == due_date(today(), DECISION_WORKING_DAYS)
    assert submitted.first_submitted_at > _reload(source).first_submitted_at
    assert not submitted.duplicate_flag  # the refused source is no duplicate
    assert _reload(source).due_on == source_due
    review.claim(reviewer, submitted.id)
    assert review.approve(reviewer, submitted.id).recordation.application_id == submitted.id


# --------------------------------------------------------------------------- renewals, amendments


def _change_of(holder, kind: Kind, valid_until: date, status=RecordationStatus.ACTIVE, *, state):
    """A rejected (or withdrawn) `kind` application for a recordation valid until `valid_until`."""
    from tests.factories import make_application

    original = make_application(holder, Status.APPROVED)
    recordation = recordation_row(
        original, valid_from=valid_until - timedelta(days=3650), valid_until=valid_until,
        status=status,
    )  # fmt: skip
    db.session.commit()
    change = make_application(holder, state)
    change.kind, change.recordation_id = kind, recordation.id
    db.session.commit()
    return change


@pytest.mark.parametrize("kind", [Kind.RENEWAL, Kind.AMENDMENT])
def test_a_renewal_or_amendment_is_revised_for_the_same_recordation(holder, kind):
    source = _change_of(holder, kind, today() + timedelta(days=90), state=Status.REJECTED)
    draft = _reload(revise.revise(holder, source.id))
    assert (draft.kind, draft.recordation_id, draft.revises_id) == (
        kind, source.recordation_id, source.id,
    )  # fmt: skip


@pytest.mark.parametrize("kind", [Kind.RENEWAL, Kind.AMENDMENT])
@pytest.mark.parametrize(
    "ended",
    [RecordationStatus.EXPIRED, RecordationStatus.LAPSED, RecordationStatus.CANCELLED,
     RecordationStatus.REVOKED],
)  # fmt: skip
def test_a_change_to_a_recordation_no_longer_in_force_is_not_revised(holder, kind, ended):
    source = _change_of(holder, kind, today() + timedelta(days=90), ended, state=Status.WITHDRAWN)
    count = _count(Application)
    with pytest.raises(TransitionError) as refused:
        revise.revise(holder, source.id)
    assert source.recordation.number in refused.value.message
    assert _count(Application) == count


def test_a_renewal_is_revised_only_inside_the_renewal_window(holder):
    source = _change_of(holder, Kind.RENEWAL, today() + timedelta(days=400), state=Status.REJECTED)
    with pytest.raises(TransitionError):
        revise.revise(holder, source.id)
    amendment = _change_of(
        holder, Kind.AMENDMENT, today() + timedelta(days=400), state=Status.REJECTED
    )
    assert revise.revise(holder, amendment.id).kind == Kind.AMENDMENT  # amendments: any time


def test_a_renewal_is_not_revised_while_another_renewal_is_open(holder, make_application):
    source = _change_of(holder, Kind.RENEWAL, today() + timedelta(days=90), state=Status.REJECTED)
    other = make_application(holder, Status.SUBMITTED)
    other.kind, other.recordation_id = Kind.RENEWAL, source.recordation_id
    db.session.commit()
    count = _count(Application)
    with pytest.raises(ConflictError) as refused:
        revise.revise(holder, source.id)
    assert other.reference in refused.value.message and _count(Application) == count
    filing.withdraw(holder, other.id)
    assert revise.revise(holder, source.id).kind == Kind.RENEWAL


@pytest.mark.parametrize(
    ("valid_until", "day", "allowed"),
    [
        (date(2030, 9, 30), date(2030, 3, 30), True),  # the window's first day
        (date(2030, 9, 30), date(2030, 3, 29), False),  # the day before
        (date(2030, 9, 30), date(2030, 9, 30), True),  # the recordation's last day
        (date(2030, 9, 30), date(2030, 10, 1), False),  # the day after
        (date(2028, 8, 29), date(2028, 2, 29), True),  # opens on a leap day
        (date(2028, 8, 29), date(2028, 2, 28), False),
        (date(2027, 8, 31), date(2027, 2, 28), True),  # 31 August: opens 28 February
        (date(2027, 8, 31), date(2027, 2, 27), False),
    ],
)
def test_renewal_window_edges(holder, valid_until, day, allowed):
    source = _change_of(holder, Kind.RENEWAL, valid_until, state=Status.REJECTED)
    assert (renewal_opens(valid_until) <= day) or not allowed
    if allowed:
        revise.check(source, holder, day)
    else:
        with pytest.raises(TransitionError):
            revise.check(source, holder, day)


def test_the_refusal_of_a_rejection_and_of_a_withdrawal(holder, reviewer):
    rejected = _rejected(holder, reviewer)
    refusal = revise.refusal_of(rejected)
    assert not refusal.withdrawn and refusal.at == today() and refusal.message == MESSAGE
    assert [r.value for r in refusal.reasons] == GROUNDS

    withdrawn = _withdrawn(holder, reviewer, reason="Wrong class.")
    refusal = revise.refusal_of(withdrawn)
    assert refusal.withdrawn and refusal.message == "Wrong class." and refusal.reasons == []
    assert refusal.request.message == "Send the licence contract."
    assert refusal.at.date() == utcnow().date()
    assert revise.refusal_of(_filed(holder, number="TM-2")) is None


# --------------------------------------------------------------------------- the pages


def test_revise_button_creates_the_draft_and_opens_its_form(client, login, holder, reviewer):
    source = _rejected(holder, reviewer)
    login(holder)
    page = client.get(f"/applications/{source.id}").get_data(True)
    assert f'action="/applications/{source.id}/revise"' in page

    response = client.post(f"/applications/{source.id}/revise")

    draft = db.session.scalars(select(Application).filter_by(revises_id=source.id)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{draft.id}/edit"
    assert draft.status == Status.DRAFT and len(draft.documents) == 3


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.SUBMITTED, Status.INFO_REQUESTED, Status.APPROVED]
)
def test_no_revise_button_and_a_refused_post_in_other_states(
    client, login, holder, make_application, status
):
    source = make_application(holder, status)
    login(holder)
    assert "/revise" not in client.get(f"/applications/{source.id}").get_data(True)
    count = _count(Application)
    response = client.post(f"/applications/{source.id}/revise")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{source.id}"
    assert _count(Application) == count


def test_another_holder_gets_404(client, login, holder, reviewer, make_user):
    source = _rejected(holder, reviewer)
    login(make_user(Role.HOLDER))
    assert client.post(f"/applications/{source.id}/revise").status_code == 404
    assert client.post("/applications/999999/revise").status_code == 404
    assert _count(Application) == 1


def test_staff_are_refused_the_revise_route(client, login, holder, reviewer):
    source = _rejected(holder, reviewer)
    login(reviewer)
    assert client.post(f"/applications/{source.id}/revise").status_code == 403
    assert _count(Application) == 1


def test_edit_page_shows_the_grounds_beside_the_form(client, login, holder, reviewer):
    source = _rejected(holder, reviewer)
    draft = revise.revise(holder, source.id)
    login(holder)

    html = client.get(f"/applications/{draft.id}/edit").get_data(True)

    aside = html[html.index('data-testid="refusal-aside"') : html.index('id="application-form"')]
    assert "col-lg-4 order-lg-2" in html  # beside the form on wide screens, above it on phones
    for code in GROUNDS:
        assert f'data-reason="{code}"' in aside
    assert "The licence &lt;unsigned&gt; &amp; the certificate has expired." in aside
    assert (
        f'href="/applications/{source.id}"><span class="ref">{source.reference}</span></a>' in aside
    )
    assert 'data-testid="revises"' in html


def test_edit_page_of_a_withdrawn_source_shows_when_and_why(client, login, holder, reviewer):
    source = _withdrawn(holder, reviewer, reason="Our licence changed.")
    draft = revise.revise(holder, source.id)
    login(holder)

    html = client.get(f"/applications/{draft.id}/edit").get_data(True)

    aside = html[html.index('data-testid="refusal-aside"') : html.index('id="application-form"')]
    assert "Our licence changed." in aside and "Send the licence contract." in aside
    assert f"It was withdrawn on {format_day(today())}." in aside  # the reader's date format
    assert "data-reason=" not in aside


def test_an_ordinary_draft_has_no_refusal_panel(client, login, holder):
    draft = filing.create_draft(holder, "trademark")
    login(holder)
    html = client.get(f"/applications/{draft.id}/edit").get_data(True)
    assert 'data-testid="refusal' not in html and 'data-testid="lineage"' not in html


def test_a_source_without_a_recorded_decision_still_renders(
    client, login, holder, make_application
):
    source = make_application(holder, Status.REJECTED)  # e.g. an old record without its grounds
    draft = revise.revise(holder, source.id)
    login(holder)
    response = client.get(f"/applications/{draft.id}/edit")
    assert response.status_code == 200 and 'data-testid="refusal"' in response.get_data(True)


def test_links_both_ways_on_the_application_pages(client, login, holder):
    source = _withdrawn(holder)
    first = revise.revise(holder, source.id)
    filing.withdraw(holder, first.id)
    second = revise.revise(holder, source.id)
    login(holder)

    old = client.get(f"/applications/{source.id}").get_data(True)
    revisions = old[old.index('data-testid="revisions"') :]
    assert revisions.index(first.reference) < revisions.index(second.reference)
    assert f'href="/applications/{second.id}"' in revisions
    new = client.get(f"/applications/{second.id}").get_data(True)
    assert (
        f'href="/applications/{source.id}"><span class="ref">{source.reference}</span></a>' in new
    )
    # an open revision: the old page points at it instead of offering another
    assert f'action="/applications/{source.id}/revise"' not in old
    assert 'data-testid="revise"' in old


def test_a_second_click_goes_to_the_open_revision(client, login, holder):
    source = _withdrawn(holder)
    first = revise.revise(holder, source.id)
    login(holder)
    response = client.post(f"/applications/{source.id}/revise")
    assert response.headers["Location"] == f"/applications/{first.id}"
    assert len(revise.revisions_of(_reload(source))) == 1


def test_a_closed_renewal_window_is_explained_instead_of_a_button(client, login, holder):
    source = _change_of(holder, Kind.RENEWAL, today() + timedelta(days=400), state=Status.REJECTED)
    login(holder)
    html = client.get(f"/applications/{source.id}").get_data(True)
    assert 'data-testid="revise"' in html and f"/applications/{source.id}/revise" not in html
    assert source.recordation.number in html


def test_review_page_shows_the_earlier_application_and_its_refusal(client, login, holder, reviewer):
    source = _rejected(holder, reviewer)
    draft = revise.revise(holder, source.id)
    filing.submit(holder, draft.id)
    login(reviewer)

    html = client.get(f"/review/{draft.id}").get_data(True)

    assert f'href="/review/{source.id}"><span class="ref">{source.reference}</span></a>' in html
    refusal = html[html.index('data-testid="refusal"') :]
    assert all(f'data-reason="{code}"' in refusal for code in GROUNDS)
    assert "The licence &lt;unsigned&gt;" in refusal
    earlier = client.get(f"/review/{source.id}").get_data(True)
    assert f'href="/review/{draft.id}"><span class="ref">{draft.reference}</span></a>' in earlier
    assert f"{reviewer.name} rejected it on" in refusal  # staff see the deciding officer
    assert 'data-testid="changes"' in html and "data-group=" not in html  # nothing changed


def test_the_reviewer_sees_what_changed_since_the_earlier_application(
    client, login, holder, reviewer
):
    source = _rejected(holder, reviewer)
    draft = revise.revise(holder, source.id)
    payload = content.to_payload(draft)
    payload["goods"][0]["main_features"] = "Hologram on the base"
    filing.update_draft(holder, draft.id, {"goods": payload["goods"]})
    documents.attach(holder, draft.id, "other", io.BytesIO(pdf(pages=2)), "licence.pdf")
    assert revise.changed_since(source, _reload(draft)) == ["goods", "documents"]
    filing.submit(holder, draft.id)
    login(reviewer)
    html = client.get(f"/review/{draft.id}").get_data(True)
    changes = html[html.index('data-testid="changes"') :]
    assert 'data-group="goods"' in changes and 'data-group="documents"' in changes
    assert 'data-group="right"' not in changes


def test_revisions_a_viewer_may_not_see_are_not_listed(client, login, holder, make_user):
    """An agency that filed keeps seeing its application after its mandate ends, but not the
    holder's own later revision of it."""
    agent = make_user(Role.HOLDER, agency=True)
    mandate = grant_mandate(agent, holder)
    source = _filed(agent, holder.organisation_id)
    filing.withdraw(agent, source.id)
    revision = revise.revise(holder, source.id)
    db.session.get(AgentMandate, mandate.id).revoked_at = utcnow()
    db.session.commit()
    login(agent)
    html = client.get(f"/applications/{source.id}").get_data(True)
    assert revision.reference not in html
    assert client.get(f"/applications/{revision.id}").status_code == 404


# --------------------------------------------------------------------------- the API


def test_api_revise_returns_the_new_draft(client, holder, reviewer):
    source = _rejected(holder, reviewer)
    headers = bearer(token_for(holder))
    old = client.get(f"{API}/applications/{source.id}", headers=headers).get_json()

    response = client.post(f"{API}/applications/{source.id}/revise", headers=headers)

    assert response.status_code == 201, response.get_data(True)
    body = response.get_json()
    assert (body["status"], body["revises_id"]) == ("draft", source.id)
    assert body["reference"] != old["reference"] and body["decision"] is None
    for group in ("holder", "right", "goods", "licensees", "infringers"):
        assert body[group] == old[group]
    assert old["revises_id"] is None
    assert db.session.get(Application, body["id"]).revises_id == source.id


def test_api_revise_errors(client, holder, reviewer, make_user, make_application):
    source = _rejected(holder, reviewer)
    owner = bearer(token_for(holder))
    url = f"{API}/applications/{source.id}/revise"

    other = client.post(url, headers=bearer(token_for(make_user(Role.HOLDER))))
    assert other.status_code == 404 and assert_error(other.get_json())["code"] == "not_found"
    staff = client.post(url, headers=bearer(token_for(reviewer)))
    assert staff.status_code == 403
    assert client.post(url).status_code == 401
    draft = make_application(holder, Status.DRAFT)
    wrong = client.post(f"{API}/applications/{draft.id}/revise", headers=owner)
    assert wrong.status_code == 409
    assert assert_error(wrong.get_json())["code"] == "invalid_transition"

    assert client.post(url, headers=owner).status_code == 201
    again = client.post(url, headers=owner)
    assert again.status_code == 409
    assert assert_error(again.get_json())["code"] == "revision_exists"
    assert len(revise.revisions_of(_reload(source))) == 1


def test_api_revise_is_in_the_openapi_document(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    operation = spec["paths"][f"{API}/applications/{{application_id}}/revise"]["post"]
    assert {"201", "401", "403", "404", "409"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["Application"]["properties"]
    assert "revises_id" in schema


def test_two_simultaneous_revisions_make_one(app, holder, monkeypatch):
    """Both requests pass the first checks before either writes; the second must still be
    refused (SQLite: the check runs under the write lock; PostgreSQL: the source's row lock
    makes the second wait, so it never meets the first at the barrier)."""
    source = _withdrawn(holder)
    source_id, holder_id = source.id, holder.id
    db.session.commit()
    barrier = threading.Barrier(2, timeout=3)
    checked = revise._source

    def _source_then_wait(actor, application_id):
        found = checked(actor, application_id)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return found

    monkeypatch.setattr(revise, "_source", _source_then_wait)
    outcomes: list[object] = []

    def attempt():
        with app.app_context():
            try:
                outcomes.append(revise.revise(db.session.get(User, holder_id), source_id).id)
            except Exception as error:  # the outcome is what the test checks
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    made = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, revise.RevisionExists)]
    assert (len(made), len(refused)) == (1, 1), outcomes
    db.session.expire_all()
    assert [r.id for r in revise.revisions_of(db.session.get(Application, source_id))] == made
