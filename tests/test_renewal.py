"""Renewal: started inside the 6-month window from the recorded facts, one change at a time,
only the right's dates may change, and its approval extends the recordation (capped)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from ipr_apps.i18n import format_day
from ipr_apps.models import (
    Application,
    Kind,
    Notification,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    Role,
    Status,
    today,
)
from ipr_apps.services import changes, content, filing, review
from ipr_apps.services.recordations import renewed_until
from tests.api_helpers import bearer, token_for
from tests.change_helpers import decide, on, payload, recorded, submit_change, with_documents
from tests.factories import grant_mandate
from tests.formats import en_day

APPROVED_ON = date(2016, 3, 1)  # valid until 2026-03-01; the window opens 2025-09-01


@pytest.fixture
def people(make_user):
    return make_user(), make_user(Role.REVIEWER)


@pytest.fixture
def recordation(people) -> Recordation:
    owner, reviewer = people
    return recorded(owner, reviewer, APPROVED_ON)


def _applications() -> int:
    return db.session.execute(select(func.count(Application.id))).scalar_one()


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(2025, 8, 31), False),  # the day before the window opens
        (date(2025, 9, 1), True),  # the day it opens: 6 calendar months before the end
        (date(2026, 3, 1), True),  # the last valid day
        (date(2026, 3, 2), False),  # the day after: closed
    ],
)
def test_renewal_window_edges(people, recordation, day, allowed):
    owner, _ = people
    assert recordation.valid_until == date(2026, 3, 1)
    before = _applications()
    with on(day):
        if allowed:
            draft = changes.start_renewal(owner, recordation.id)
        else:
            with pytest.raises(ValidationError) as refused:
                changes.start_renewal(owner, recordation.id)
    if allowed:
        assert (draft.kind, draft.recordation_id, draft.status) == (
            Kind.RENEWAL, recordation.id, Status.DRAFT,
        )  # fmt: skip
        assert _applications() == before + 1
    else:
        assert _applications() == before
        opens, until = format_day(date(2025, 9, 1)), format_day(date(2026, 3, 1))
        expected = opens if day < date(2025, 9, 1) else f"closed on {until}"
        assert expected in refused.value.message


def test_renewal_starts_from_the_recorded_facts(people, recordation):
    owner, _ = people
    with on(date(2025, 12, 1)):
        draft = changes.start_renewal(owner, recordation.id)
    facts = recordation.facts_application
    assert content.to_payload(draft) == content.to_payload(facts)
    assert [d.sha256 for d in draft.documents] == [d.sha256 for d in facts.documents]
    assert {d.id for d in draft.documents}.isdisjoint({d.id for d in facts.documents})
    assert draft.filed_by_id == owner.id and draft.holder_org_id == recordation.holder_org_id


def test_approved_renewal_extends_from_the_day_after_and_keeps_the_number(people, recordation):
    owner, reviewer = people
    number, old_facts = recordation.number, recordation.facts_application_id
    with on(date(2025, 12, 1)):
        draft = changes.start_renewal(owner, recordation.id)
    renewal = submit_change(owner, reviewer, draft.id, date(2025, 12, 2))
    recordation = db.session.get(Recordation, recordation.id)
    assert renewal.status == Status.APPROVED
    assert recordation.number == number and recordation.status == RecordationStatus.ACTIVE
    # 10 years from 2026-03-02, the day after the old end: until 2036-03-01.
    assert (recordation.valid_from, recordation.valid_until) == (APPROVED_ON, date(2036, 3, 1))
    assert recordation.facts_application_id == renewal.id != old_facts
    event = db.session.execute(
        select(RecordationEvent).where(RecordationEvent.action == "renew")
    ).scalar_one()
    assert (event.recordation_id, event.application_id, event.valid_until) == (
        recordation.id, renewal.id, date(2036, 3, 1),
    )  # fmt: skip
    assert event.from_status == event.to_status == "active"
    count = select(func.count(Recordation.id))
    assert db.session.execute(count).scalar_one() == 1  # no second recordation
    told = db.session.execute(
        select(Notification).where(Notification.application_id == renewal.id)
    ).scalar_one()  # the holder hears that the renewal, not a new recordation, was approved
    assert told.subject == f"{renewal.reference} approved: recordation {number}"
    assert f"approved the renewal {renewal.reference} of recordation {number}" in told.body
    assert "valid until 1 Mar 2036" in told.body


def test_renewal_is_capped_by_the_rights_expiry(people):
    owner, reviewer = people
    recordation = recorded(owner, reviewer, APPROVED_ON, expiry=date(2031, 6, 30))
    assert recordation.valid_until == date(2026, 3, 1)
    with on(date(2026, 2, 1)):
        draft = changes.start_renewal(owner, recordation.id)
    submit_change(owner, reviewer, draft.id, date(2026, 2, 1))
    assert db.session.get(Recordation, recordation.id).valid_until == date(2031, 6, 30)


def test_renewal_may_bring_the_rights_expiry_up_to_date(people):
    """The right expires with the recordation; the renewed trademark's new expiry is entered."""
    owner, reviewer = people
    recordation = recorded(owner, reviewer, APPROVED_ON, expiry=date(2026, 3, 1))
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
        with pytest.raises(ValidationError) as refused:
            filing.submit(owner, draft.id)
        assert "right-expiry_date" in refused.value.fields
        filing.update_draft(owner, draft.id, {"right": {"expiry_date": "2036-03-01"}})
    submit_change(owner, reviewer, draft.id, date(2026, 1, 5))
    recordation = db.session.get(Recordation, recordation.id)
    assert (recordation.valid_until, recordation.right_expiry) == (
        date(2036, 3, 1), date(2036, 3, 1),
    )  # fmt: skip


def test_a_renewal_that_would_not_extend_is_refused_at_approval(people):
    owner, reviewer = people
    recordation = recorded(owner, reviewer, APPROVED_ON, expiry=date(2040, 1, 1))
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
    submit_change(owner, reviewer, draft.id, date(2026, 1, 5), approve=False)
    # The right's term was cut short after submission (e.g. corrected by the registry).
    db.session.get(Application, draft.id).right.expiry_date = date(2026, 3, 1)
    db.session.commit()
    with on(date(2026, 1, 6)):
        review.claim(reviewer, draft.id)
        with pytest.raises(ValidationError):
            review.approve(reviewer, draft.id)
    db.session.expire_all()
    assert db.session.get(Application, draft.id).status == Status.UNDER_REVIEW
    assert db.session.get(Recordation, recordation.id).valid_until == date(2026, 3, 1)
    renews = select(func.count(RecordationEvent.id)).where(RecordationEvent.action == "renew")
    assert db.session.execute(renews).scalar_one() == 0


def test_leap_day_end(people, recordation):
    """Valid until 29 February: the window opens on 29 August, the renewal runs to 28 Feb."""
    owner, reviewer = people
    recordation.valid_until = date(2028, 2, 29)
    db.session.commit()
    with on(date(2027, 8, 28)), pytest.raises(ValidationError):
        changes.start_renewal(owner, recordation.id)
    with on(date(2027, 8, 29)):
        draft = changes.start_renewal(owner, recordation.id)
    submit_change(owner, reviewer, draft.id, date(2028, 2, 29))
    assert db.session.get(Recordation, recordation.id).valid_until == date(2038, 2, 28)


def test_submitting_rechecks_the_window(people, recordation):
    owner, _ = people
    with on(date(2026, 2, 20)):
        draft = changes.start_renewal(owner, recordation.id)
    with on(date(2026, 3, 2)), pytest.raises(ValidationError) as refused:
        filing.submit(owner, draft.id)
    assert "recordation" in refused.value.fields
    assert db.session.get(Application, draft.id).status == Status.DRAFT


def test_submitting_needs_an_active_recordation(people, recordation):
    owner, _ = people
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
    recordation.status, recordation.ended_on = RecordationStatus.REVOKED, date(2026, 1, 6)
    db.session.commit()
    with on(date(2026, 1, 7)), pytest.raises(ValidationError) as refused:
        filing.submit(owner, draft.id)
    assert "recordation" in refused.value.fields
    assert db.session.get(Application, draft.id).status == Status.DRAFT


def test_an_ended_recordation_cannot_be_renewed(people, recordation):
    owner, _ = people
    recordation.status, recordation.ended_on = RecordationStatus.CANCELLED, date(2026, 1, 1)
    db.session.commit()
    with on(date(2026, 1, 5)), pytest.raises(TransitionError):
        changes.start_renewal(owner, recordation.id)


def test_one_open_change_at_a_time(people, recordation):
    owner, _ = people
    with on(date(2026, 1, 5)):
        first = changes.start_renewal(owner, recordation.id)
        with pytest.raises(ConflictError) as refused:
            changes.start_renewal(owner, recordation.id)
        assert first.reference in refused.value.message
        with pytest.raises(ConflictError):
            changes.start_amendment(owner, recordation.id)
        filing.withdraw(owner, first.id)
        again = changes.start_renewal(owner, recordation.id)
    assert again.id != first.id


def test_identity_and_right_are_locked_but_dates_and_contacts_are_not(people, recordation):
    owner, _ = people
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
        for change in (
            {"right": {"registration_number": "TM-OTHER"}},
            {"right": {"title": "ANOTHER MARK"}},
            {"holder": {"name_en": "Someone Else Ltd."}},
            {"holder": {"country": "US"}},
        ):
            with pytest.raises(ValidationError) as refused:
                filing.update_draft(owner, draft.id, change)
            group, values = next(iter(change.items()))
            assert f"{group}-{next(iter(values))}" in refused.value.fields
        filing.update_draft(owner, draft.id, {
            "right": {"expiry_date": "2045-01-01", "registration_date": "2015-01-01"},
            "holder": {"email": "new@example.com", "phone": "+86 111"},
        })  # fmt: skip
    draft = db.session.get(Application, draft.id)
    facts = recordation.facts_application
    assert draft.right.registration_number == facts.right.registration_number
    assert draft.holder_name_en == facts.holder_name_en
    assert (draft.right.expiry_date, draft.holder_email) == (date(2045, 1, 1), "new@example.com")


def test_unchanged_locked_values_are_accepted(people, recordation):
    """The form sends the read-only fields back as they are: that is no change."""
    owner, _ = people
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
        filing.update_draft(owner, draft.id, content.to_payload(draft))
        filing.update_draft(owner, draft.id, {"right": {"nice_classes": [11, 9]}})


def test_another_holder_gets_not_found(people, recordation, make_user):
    with on(date(2026, 1, 5)), pytest.raises(NotFound):
        changes.start_renewal(make_user(), recordation.id)


def test_staff_may_not_renew(recordation, make_user):
    with on(date(2026, 1, 5)), pytest.raises(PermissionDenied):
        changes.start_renewal(make_user(Role.REVIEWER), recordation.id)


def test_a_mandated_agency_files_as_the_agency(people, recordation, make_user):
    owner, _ = people
    agent, unmandated = make_user(agency=True), make_user(agency=True)
    grant_mandate(agent, owner)
    with on(date(2026, 1, 5)):
        with pytest.raises(NotFound):
            changes.start_renewal(unmandated, recordation.id)
        draft = changes.start_renewal(agent, recordation.id)
    assert (draft.holder_org_id, draft.agency_id) == (owner.organisation_id, agent.organisation_id)


# --- through the web -------------------------------------------------------------------


def _live_recordation(people, months_left: int) -> Recordation:
    """A recordation ending `months_left` months (roughly) from the real today."""
    owner, reviewer = people
    recordation = recorded(owner, reviewer, today() - timedelta(days=3000))
    recordation.valid_until = today() + timedelta(days=30 * months_left)
    db.session.commit()
    return recordation


def test_renew_button_posts_and_opens_the_draft(client, login, people):
    owner, _ = people
    recordation = _live_recordation(people, 5)
    login(owner)
    response = client.post(f"/recordations/{recordation.id}/renew")
    assert response.status_code == 302
    draft = db.session.execute(
        select(Application).where(Application.kind == Kind.RENEWAL)
    ).scalar_one()
    assert response.headers["Location"].endswith(f"/applications/{draft.id}/edit")
    page = client.get(f"/applications/{draft.id}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="change-notice"' in html and 'data-testid="locked-right"' in html
    assert f'Renewal of <span class="ref">{recordation.number}</span>' in html


def test_renew_outside_the_window_goes_back_with_the_reason(client, login, people):
    owner, _ = people
    recordation = _live_recordation(people, 9)
    login(owner)
    response = client.post(f"/recordations/{recordation.id}/renew", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == f"/recordations/{recordation.id}"
    assert db.session.execute(
        select(func.count(Application.id)).where(Application.kind == Kind.RENEWAL)
    ).scalar_one() == 0  # fmt: skip


def test_renew_route_404_for_another_holder_and_403_for_staff(client, login, people, make_user):
    recordation = _live_recordation(people, 5)
    login(make_user())
    assert client.post(f"/recordations/{recordation.id}/renew").status_code == 404
    login(make_user(Role.REVIEWER))
    assert client.post(f"/recordations/{recordation.id}/renew").status_code == 403
    assert client.get(f"/recordations/{recordation.id}/renew").status_code == 405


def test_locked_fields_refused_through_the_form(client, login, people):
    owner, _ = people
    recordation = _live_recordation(people, 5)
    login(owner)
    client.post(f"/recordations/{recordation.id}/renew")
    draft = db.session.execute(
        select(Application).where(Application.kind == Kind.RENEWAL)
    ).scalar_one()
    page = client.get(f"/applications/{draft.id}/edit").get_data(as_text=True)
    assert 'id="holder-name_local"' in page and "readonly" in page
    form = _form_data(draft)
    form["holder-name_local"] = "Hijacked Holder"
    response = client.post(f"/applications/{draft.id}/edit", data=form)
    assert response.status_code == 422
    assert 'href="#holder-name_local"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, draft.id).holder_name_local != "Hijacked Holder"
    form = _form_data(draft)
    form["holder-phone"] = "+86 999 999"
    assert client.post(f"/applications/{draft.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).holder_phone == "+86 999 999"


def _form_data(application: Application) -> dict:
    """The edit form as a browser would send it back unchanged."""
    payload = content.to_payload(application)
    data = {"action": "save"}
    for field, value in payload["holder"].items():
        data[f"holder-{field}"] = value or ""
    for field, value in payload["right"].items():
        data[f"right-{field}"] = "" if value is None else str(value)
    for group in content.CHILDREN:
        for i, row in enumerate(payload[group]):
            for field, value in row.items():
                if isinstance(value, bool):
                    if value:
                        data[f"{group}-{i}-{field}"] = "y"
                    continue
                shown = getattr(value, "value", value)
                data[f"{group}-{i}-{field}"] = "" if shown is None else str(shown)
    return data


def test_renewal_shown_in_lists_and_api(client, login, people):
    owner, reviewer = people
    recordation = _live_recordation(people, 5)
    draft = changes.start_renewal(owner, recordation.id)
    login(owner)
    listing = client.get("/applications/").get_data(as_text=True)
    assert f'Renewal of <span class="ref">{recordation.number}</span>' in listing
    headers = bearer(token_for(owner))
    body = client.get(f"/api/v1/applications/{draft.id}", headers=headers).get_json()
    assert (body["kind"], body["recordation_number"]) == ("renewal", recordation.number)
    refused = client.patch(
        f"/api/v1/applications/{draft.id}", json={"right": {"registration_number": "X-1"}},
        headers=headers,
    )  # fmt: skip
    assert refused.status_code == 422
    assert "right-registration_number" in refused.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Application, draft.id).right.registration_number != "X-1"
    dates = client.patch(
        f"/api/v1/applications/{draft.id}", json={"right": {"expiry_date": "2050-01-01"}},
        headers=headers,
    )  # fmt: skip
    assert dates.status_code == 200
    assert dates.get_json()["right"]["expiry_date"] == "2050-01-01"
    filing.submit(owner, draft.id)
    login(reviewer)
    queue = client.get("/review/?tab=unclaimed").get_data(as_text=True)
    assert f'Renewal of <span class="ref">{recordation.number}</span>' in queue
    page = client.get(f"/review/{draft.id}").get_data(as_text=True)
    new_until = renewed_until(recordation.valid_until, date(2050, 1, 1))
    assert 'data-testid="renewal-outcome"' in page and en_day(new_until) in page
    assert 'data-field="expiry_date"' in page  # the right's new date, in the diff


def test_a_change_is_no_duplicate_of_its_own_recordation(people, recordation, make_user):
    """The renewal names the same right as the original on purpose; another holder's new
    application for that right is still flagged."""
    owner, _ = people
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
        result = filing.submit(owner, draft.id)
    assert result.duplicates == [] and not result.application.duplicate_flag
    other = make_user()
    with on(date(2026, 1, 6)):
        rival = filing.create_draft(other, "trademark", payload(date(2060, 12, 31)))
        with_documents(other, rival.id)
        flagged = filing.submit(other, rival.id)
    found = {a.id for a in flagged.duplicates}
    assert {recordation.application_id, draft.id} <= found and flagged.application.duplicate_flag


def test_an_unreadable_form_changing_a_locked_field_is_refused_not_an_error(client, login, people):
    owner, _ = people
    recordation = _live_recordation(people, 5)
    draft = changes.start_renewal(owner, recordation.id)
    login(owner)
    form = _form_data(draft)
    form.update({"action": "submit", "holder-name_en": "Other Ltd.", "right-expiry_date": "x"})
    response = client.post(f"/applications/{draft.id}/edit", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)  # the form again, the error beside the field
    assert 'data-testid="error-summary"' in html and 'href="#holder-name_en"' in html
    db.session.expire_all()
    draft = db.session.get(Application, draft.id)
    assert draft.status == Status.DRAFT and draft.holder_name_en != "Other Ltd."


def test_the_filing_agency_needs_a_current_mandate(people, make_user):
    """An agency that filed the original may renew while the holder mandates it."""
    owner, reviewer = people
    agent = make_user(agency=True)
    mandate = grant_mandate(agent, owner)
    with on(APPROVED_ON):
        draft = filing.create_draft(
            agent, "trademark", payload(date(2060, 12, 31)), owner.organisation_id
        )
        with_documents(agent, draft.id)
        filing.submit(agent, draft.id)
        decide(reviewer, draft.id)
    recordation = db.session.get(Application, draft.id).recordation
    assert recordation.agency_id == agent.organisation_id
    mandate.revoked_at = datetime(2025, 1, 1)
    db.session.commit()
    with on(date(2026, 1, 5)), pytest.raises(PermissionDenied):
        changes.start_renewal(agent, recordation.id)
    mandate.revoked_at = None
    db.session.commit()
    with on(date(2026, 1, 5)):
        renewal = changes.start_renewal(agent, recordation.id)
    assert renewal.agency_id == agent.organisation_id


@pytest.mark.parametrize(
    ("old_end", "right_expiry", "new_end"),
    [
        (date(2029, 6, 30), None, date(2039, 6, 30)),  # the old end's tenth anniversary
        (date(2030, 2, 28), None, date(2040, 2, 28)),  # not 29 February 2040
        (date(2028, 2, 29), None, date(2038, 2, 28)),  # no 29 February: the month's last day
        (date(2029, 12, 31), None, date(2039, 12, 31)),
        (date(2029, 6, 30), date(2035, 3, 1), date(2035, 3, 1)),  # capped by the right
        (date(2029, 6, 30), date(2039, 6, 30), date(2039, 6, 30)),  # the cap on the day
        (date(2029, 6, 30), date(2029, 1, 1), date(2029, 6, 30)),  # never before the old end
    ],
)
def test_a_renewal_runs_ten_years_from_the_day_after_the_old_end(old_end, right_expiry, new_end):
    """Counted as the Civil Code counts periods (arts. 201-202): from the day after the old end
    E, ten years end on E's corresponding day (the month's last day when it has none)."""
    assert renewed_until(old_end, right_expiry) == new_end
