"""Amendment: any time while the recordation is active, changes licensees, traders, goods,
ports, infringers and contacts (never the right nor the holder's identity); the reviewer sees
the diff; approval makes it the recorded facts and the old version stays readable."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import func, select

from ipr_apps import i18n
from ipr_apps.db import db
from ipr_apps.errors import ConflictError, NotFound, TransitionError, ValidationError
from ipr_apps.models import (
    Application,
    Kind,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    Role,
    Status,
    today,
)
from ipr_apps.services import changes, content, documents, filing, review
from tests.api_helpers import bearer, token_for
from tests.change_helpers import on, recorded, submit_change
from tests.files import png

APPROVED_ON = date(2020, 5, 4)  # valid until 2030-05-04: far from the renewal window


@pytest.fixture
def people(make_user):
    return make_user(), make_user(Role.REVIEWER)


@pytest.fixture
def recordation(people) -> Recordation:
    owner, reviewer = people
    return recorded(owner, reviewer, APPROVED_ON)


def _amend(owner, recordation, day=date(2023, 6, 1)) -> Application:
    with on(day):
        return changes.start_amendment(owner, recordation.id)


NEW_LICENSEE = {"name": "Bright Asia Pte", "country": "SG", "exclusive": False}


def test_amendment_any_time_while_active(people, recordation):
    owner, _ = people
    draft = _amend(owner, recordation)
    assert (draft.kind, draft.recordation_id, draft.status) == (
        Kind.AMENDMENT, recordation.id, Status.DRAFT,
    )  # fmt: skip
    assert content.to_payload(draft) == content.to_payload(recordation.facts_application)


def test_approved_amendment_becomes_the_facts_and_the_old_stay_readable(people, recordation):
    owner, reviewer = people
    original = recordation.facts_application
    old_licensees = content.children_dicts(original, "licensees")
    draft = _amend(owner, recordation)
    with on(date(2023, 6, 1)):
        filing.update_draft(owner, draft.id, {
            "licensees": [*old_licensees, NEW_LICENSEE],
            "holder": {"contact_person": "New Contact", "email": "ip@example.com"},
        })  # fmt: skip
    amendment = submit_change(owner, reviewer, draft.id, date(2023, 6, 2))
    recordation = db.session.get(Recordation, recordation.id)
    assert amendment.status == Status.APPROVED
    assert recordation.facts_application_id == amendment.id
    assert recordation.application_id == original.id  # the original stays the original
    assert (recordation.valid_from, recordation.valid_until) == (APPROVED_ON, date(2030, 5, 4))
    assert recordation.status == RecordationStatus.ACTIVE
    names = [
        row["name"] for row in content.children_dicts(recordation.facts_application, "licensees")
    ]
    assert names == [row["name"] for row in old_licensees] + ["Bright Asia Pte"]
    original = db.session.get(Application, original.id)
    assert content.children_dicts(original, "licensees") == old_licensees  # old facts unchanged
    assert original.holder_contact_person != "New Contact"
    event = db.session.execute(
        select(RecordationEvent).where(RecordationEvent.action == "amend")
    ).scalar_one()
    assert (event.application_id, event.valid_until) == (amendment.id, date(2030, 5, 4))
    assert original.reference in event.note


def test_an_amendment_that_changes_nothing_is_refused(people, recordation):
    owner, _ = people
    draft = _amend(owner, recordation)
    with on(date(2023, 6, 1)), pytest.raises(ValidationError) as refused:
        filing.submit(owner, draft.id)
    assert "changes" in refused.value.fields
    assert db.session.get(Application, draft.id).status == Status.DRAFT


@pytest.mark.parametrize(
    "change",
    [
        {"right": {"expiry_date": "2070-01-01"}},  # a renewal may; an amendment may not
        {"right": {"registration_number": "TM-9999999"}},
        {"right": {"goods_services": "Everything"}},
        {"holder": {"name_local": "别的公司"}},
        {"holder": {"registration_number": "REG-OTHER"}},
        {"holder": {"legal_representative": "Someone Else"}},
    ],
)
def test_locked_fields_are_refused(people, recordation, change):
    owner, _ = people
    draft = _amend(owner, recordation)
    before = content.to_payload(draft)
    with on(date(2023, 6, 1)), pytest.raises(ValidationError) as refused:
        filing.update_draft(owner, draft.id, {**change, "ports": [{"name": "Shanghai"}]})
    group, values = next(iter(change.items()))
    assert f"{group}-{next(iter(values))}" in refused.value.fields
    db.session.expire_all()
    assert content.to_payload(db.session.get(Application, draft.id)) == before  # nothing saved


def test_locked_fields_are_refused_through_the_api(client, people, recordation):
    owner, _ = people
    draft = _amend(owner, recordation)
    headers = bearer(token_for(owner))
    response = client.patch(
        f"/api/v1/applications/{draft.id}", json={"holder": {"country": "US"}}, headers=headers
    )
    assert response.status_code == 422
    assert "holder-country" in response.get_json()["error"]["fields"]
    allowed = client.patch(
        f"/api/v1/applications/{draft.id}", json={"ports": [{"name": "Ningbo"}]}, headers=headers
    )
    assert allowed.status_code == 200
    assert allowed.get_json()["kind"] == "amendment"
    db.session.expire_all()
    draft = db.session.get(Application, draft.id)
    assert draft.holder_country == "CN" and [p.name for p in draft.ports] == ["Ningbo"]


def test_the_mark_image_stays_as_recorded(people, recordation):
    owner, _ = people
    draft = _amend(owner, recordation)
    with pytest.raises(ValidationError):
        documents.set_mark_image(owner, draft.id, io.BytesIO(png()), "other.png")
    mark = db.session.get(Application, draft.id).right.mark_image_id
    assert mark is not None  # copied from the recorded facts
    with pytest.raises(ValidationError):
        documents.remove(owner, mark)
    assert db.session.get(Application, draft.id).right.mark_image_id == mark


def test_an_ended_recordation_cannot_be_amended(people, recordation):
    owner, _ = people
    recordation.status, recordation.ended_on = RecordationStatus.EXPIRED, date(2030, 5, 5)
    db.session.commit()
    with pytest.raises(TransitionError):
        _amend(owner, recordation)


def test_one_open_amendment_at_a_time(people, recordation):
    owner, _ = people
    first = _amend(owner, recordation)
    with pytest.raises(ConflictError) as refused:
        _amend(owner, recordation)
    assert first.reference in refused.value.message


def test_another_holder_gets_not_found(recordation, make_user):
    with pytest.raises(NotFound):
        _amend(make_user(), recordation)


def test_amend_route(client, login, people, recordation, make_user):
    owner, _ = people
    login(make_user())
    assert client.post(f"/recordations/{recordation.id}/amend").status_code == 404
    login(owner)
    response = client.post(f"/recordations/{recordation.id}/amend")
    assert response.status_code == 302
    draft = db.session.execute(
        select(Application).where(Application.kind == Kind.AMENDMENT)
    ).scalar_one()
    assert response.headers["Location"].endswith(f"/applications/{draft.id}/edit")
    again = client.post(f"/recordations/{recordation.id}/amend")  # one open at a time
    assert again.status_code == 302 and again.headers["Location"].endswith(
        f"/recordations/{recordation.id}"
    )
    count = select(func.count(Application.id)).where(Application.kind == Kind.AMENDMENT)
    assert db.session.execute(count).scalar_one() == 1


def test_reviewer_and_holder_see_the_diff(client, login, people, recordation):
    owner, reviewer = people
    draft = _amend(owner, recordation)
    facts = recordation.facts_application
    licensees = content.children_dicts(facts, "licensees")
    with on(date(2023, 6, 1)):
        filing.update_draft(owner, draft.id, {
            "licensees": [NEW_LICENSEE],
            "holder": {"phone": "+86 222"},
        })  # fmt: skip
        filing.submit(owner, draft.id)
    login(reviewer)
    page = client.get(f"/review/{draft.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="fact-diff"' in html
    assert f'Amendment of <span class="ref">{recordation.number}</span>' in html
    assert 'data-change="added"' in html and "Bright Asia Pte" in html
    assert "Country: SG" in html  # an added row shows what it holds
    assert 'data-change="removed"' in html and licensees[0]["name"] in html
    assert 'data-field="phone"' in html and "+86 222" in html
    chinese = client.get(f"/review/{draft.id}", headers={"Accept-Language": "zh-CN"})
    assert "国家或地区：SG" in chinese.get_data(as_text=True)  # a full-width colon in Chinese
    queue = client.get("/review/?tab=unclaimed").get_data(as_text=True)
    assert f'Amendment of <span class="ref">{recordation.number}</span>' in queue
    login(owner)
    html = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert "What this changes" in html and 'data-change="added"' in html
    original = client.get(f"/applications/{facts.id}").get_data(as_text=True)
    assert 'data-testid="fact-diff"' not in original  # a new application has no diff


# --- the recordation page's buttons ------------------------------------------------------


def _buttons(app, user, recordation) -> str:
    with app.test_request_context():
        login_user(user)
        return render_template("recordations/_apply_buttons.html", recordation=recordation)


def _ending(people, days: int) -> Recordation:
    owner, reviewer = people
    recordation = recorded(owner, reviewer, date(2018, 1, 1))
    recordation.valid_until = date.fromordinal(today().toordinal() + days)
    db.session.commit()
    return recordation


def test_buttons_before_inside_and_after_the_window(app, people, make_user):
    owner, _ = people
    early = _ending(people, 400)
    html = _buttons(app, owner, early)
    assert 'data-testid="amend-button"' in html and 'data-testid="renew-button"' not in html
    assert 'href="#renewal"' in html  # the Renewal panel says when (not said twice)
    inside = _ending(people, 100)
    html = _buttons(app, owner, inside)
    assert 'data-testid="renew-button"' in html and f"/recordations/{inside.id}/renew" in html
    late = _ending(people, -1)
    html = _buttons(app, owner, late)
    assert 'href="#renewal"' in html and 'data-testid="renew-button"' not in html
    assert _buttons(app, make_user(Role.REVIEWER), inside).strip() == ""


@pytest.mark.parametrize("days", [400, 100, -1])
def test_the_recordation_page_says_the_renewal_window_once(client, login, people, days):
    """Before, inside and after the window: the Renewal panel (id="renewal", the buttons'
    link target) states it; the buttons' card said the same again in other words."""
    owner, _ = people
    recordation = _ending(people, days)
    login(owner)
    html = client.get(f"/recordations/{recordation.id}").get_data(as_text=True)
    assert html.count('data-testid="renewal-window"') == 1 and 'id="renewal"' in html
    assert html.count("enewal window") == 1


def test_buttons_link_the_open_change_instead(app, people):
    owner, _ = people
    recordation = _ending(people, 100)
    draft = changes.start_amendment(owner, recordation.id)
    html = _buttons(app, owner, recordation)
    assert f"/applications/{draft.id}" in html and draft.reference in html
    assert 'data-testid="renew-button"' not in html and 'data-testid="amend-button"' not in html
    with app.test_request_context(), i18n.in_language("zh_Hans"):
        login_user(owner)
        zh = render_template("recordations/_apply_buttons.html", recordation=recordation)
    said = " ".join(re.sub(r"<[^>]+>", "", zh).split())
    # Full-width brackets and stop, no space: one message, not punctuation around it.
    assert f"本备案有一项变更正在办理中：{draft.reference}（草稿）。同一时间" in said


def test_the_approve_panel_says_what_approval_does(client, login, people, recordation):
    owner, reviewer = people
    draft = _amend(owner, recordation)
    with on(date(2023, 6, 1)):
        filing.update_draft(owner, draft.id, {"ports": [{"name": "Ningbo"}]})
        filing.submit(owner, draft.id)
    with on(date(2023, 6, 2)):
        review.claim(reviewer, draft.id)
    login(reviewer)
    html = client.get(f"/review/{draft.id}").get_data(as_text=True)
    assert f"Approve the amendment {draft.reference} and record its facts?" in html
    assert "create its recordation" not in html
