"""The review page's "Same right elsewhere" for renewals and amendments: the applications of the
recordation being changed (its original, earlier changes) are that very recordation, not a
conflict; another holder's application for the same right still is."""

from __future__ import annotations

from datetime import date

import pytest

from ipr_apps.models import Role
from ipr_apps.services import changes, filing, recordations
from tests.change_helpers import on, payload, recorded, submit_change, with_documents

APPROVED_ON = date(2016, 1, 4)  # valid until 2026-01-04; the renewal window opens 2025-07-04
AMENDED_ON = date(2020, 6, 1)
RENEWED_ON = date(2025, 9, 1)


@pytest.fixture
def people(make_user):
    return make_user(), make_user(Role.REVIEWER)


@pytest.fixture
def recordation(people):
    """Approved, then amended (approved): two applications of its own before any change."""
    owner, reviewer = people
    recordation = recorded(owner, reviewer, APPROVED_ON)
    with on(AMENDED_ON):
        amendment = changes.start_amendment(owner, recordation.id)
        filing.update_draft(owner, amendment.id, {"ports": [{"name": "Shekou", "code": "5304"}]})
    submit_change(owner, reviewer, amendment.id, AMENDED_ON)
    return recordation


def _renewal(owner, recordation):
    with on(RENEWED_ON):
        draft = changes.start_renewal(owner, recordation.id)
    return submit_change(owner, None, draft.id, RENEWED_ON, approve=False)


def _conflict_card(html: str) -> str:
    return html.split('data-testid="conflicts"', 1)[1].split("</div></div></div>", 1)[0]


def test_a_change_does_not_conflict_with_its_own_recordation(client, login, people, recordation):
    owner, reviewer = people
    renewal = _renewal(owner, recordation)
    assert recordations.conflicts(renewal) == []
    login(reviewer)
    page = client.get(f"/review/{renewal.id}")
    assert page.status_code == 200
    card = _conflict_card(page.get_data(as_text=True))
    assert recordation.facts_application.reference not in card
    assert recordation.application.reference not in card
    assert "No other application or recordation" in card


def test_its_own_recordation_does_not_conflict_with_an_approved_original(people, recordation):
    owner, _ = people
    renewal = _renewal(owner, recordation)
    original = recordation.application
    assert renewal.id not in [other.id for other, _ in recordations.conflicts(original)]
    assert recordations.conflicts(original) == []


def test_another_holders_application_for_the_right_still_conflicts(people, recordation, make_user):
    owner, _ = people
    other = make_user()
    with on(RENEWED_ON):
        filed = filing.create_draft(other, "trademark", payload(date(2060, 12, 31)))
        with_documents(other, filed.id)
        filing.submit(other, filed.id)
    renewal = _renewal(owner, recordation)
    found = recordations.conflicts(renewal)
    assert [application.id for application, _ in found] == [filed.id]
    # ... and the other holder's application sees the recordation, by its original.
    original = recordation.application
    first, its_recordation = recordations.conflicts(filed)[0]
    assert (first.id, its_recordation.id) == (original.id, recordation.id)
