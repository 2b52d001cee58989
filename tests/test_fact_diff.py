"""The diff of an application against the recorded facts: rows added, removed and changed
(field by field), holder contact changes, right date changes, and what counts as no change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ipr_apps.db import db
from ipr_apps.models import Application, Recordation, Role
from ipr_apps.services import changes, content, fact_diff, filing
from ipr_apps.services.fact_diff import ADDED, CHANGED, REMOVED, FieldChange
from tests.change_helpers import on, recorded, submit_change


def _kinds(found):
    return [(r.change, r.row["name"]) for r in found]


def test_identical_rows_in_another_order_are_no_change():
    rows = [{"name": "A", "country": "CN"}, {"name": "B", "country": "DE"}]
    assert fact_diff.rows("licensees", rows, list(reversed(rows))) == []


def test_rows_added_removed_and_changed_field_by_field():
    old = [
        {"name": "LED bulb", "hs_code": "853952", "price_min": Decimal("10.00")},
        {"name": "Desk lamp", "hs_code": "940521"},
    ]
    new = [
        {"name": "led bulb ", "hs_code": "853952", "price_min": Decimal("12.50")},
        {"name": "Torch", "hs_code": "851310"},
    ]
    found = fact_diff.rows("goods", old, new)
    assert _kinds(found) == [(CHANGED, "led bulb "), (ADDED, "Torch"), (REMOVED, "Desk lamp")]
    changed = found[0]
    assert changed.fields == [
        FieldChange("name", "LED bulb", "led bulb "),
        FieldChange("price_min", Decimal("10.00"), Decimal("12.50")),
    ]
    assert changed.old == old[0] and changed.new == new[0]


def test_duplicate_names_pair_in_order_and_blank_names_never_match():
    old = [
        {"name": "X", "country": "CN"},
        {"name": "X", "country": "US"},
        {"name": None, "country": "FR"},
    ]
    new = [{"name": "X", "country": "JP"}, {"name": None, "country": "IT"}]
    found = fact_diff.rows("traders", old, new)
    assert [r.change for r in found] == [CHANGED, ADDED, REMOVED, REMOVED]
    assert found[0].old["country"] == "CN"


@pytest.mark.parametrize(
    ("name", "old", "new", "same"),
    [
        ("nice_classes", "9, 11", "11,9", True),
        ("nice_classes", "9, 11", "09;11", True),
        ("nice_classes", "9, 11", "9, 12", False),
        ("price_min", Decimal("10"), Decimal("10.00"), True),
        ("title", "  ", None, True),
        ("title", "Mark", "Mark ", True),
        ("expiry_date", date(2030, 1, 1), date(2031, 1, 1), False),
    ],
)
def test_what_counts_as_the_same_value(name, old, new, same):
    assert (fact_diff.normalise(name, old) == fact_diff.normalise(name, new)) is same


@pytest.fixture
def people(make_user):
    return make_user(), make_user(Role.REVIEWER)


def test_compare_against_the_recorded_facts(people):
    owner, reviewer = people
    recordation = recorded(owner, reviewer, date(2016, 3, 1))
    with on(date(2026, 1, 5)):
        draft = changes.start_renewal(owner, recordation.id)
        assert fact_diff.compare(draft).empty
        filing.update_draft(owner, draft.id, {
            "holder": {"email": "new@example.com"},
            "right": {"expiry_date": "2046-03-01"},
            "ports": [{"name": "Shenzhen Bay", "code": "5301"}],
            "infringers": [],
        })  # fmt: skip
    draft = db.session.get(Application, draft.id)
    diff = fact_diff.compare(draft)
    assert diff.against.id == recordation.facts_application_id
    facts = recordation.facts_application
    assert diff.holder == [FieldChange("email", facts.holder_email, "new@example.com")]
    assert diff.right == [FieldChange("expiry_date", date(2060, 12, 31), date(2046, 3, 1))]
    assert [name for name, _ in diff.changed_groups] == ["ports", "infringers"]
    assert _kinds(diff.groups["ports"]) == [(ADDED, "Shenzhen Bay")]
    assert _kinds(diff.groups["infringers"]) == [(REMOVED, "Fake Lights Co")]
    assert not diff.empty


def test_a_decided_change_is_compared_with_the_facts_it_replaced(people):
    owner, reviewer = people
    recordation = recorded(owner, reviewer, date(2016, 3, 1))
    original_id = recordation.facts_application_id
    with on(date(2020, 1, 6)):
        first = changes.start_amendment(owner, recordation.id)
        filing.update_draft(owner, first.id, {"ports": [{"name": "Ningbo"}]})
    submit_change(owner, reviewer, first.id, date(2020, 1, 6))
    with on(date(2021, 1, 6)):
        second = changes.start_amendment(owner, recordation.id)
        filing.update_draft(owner, second.id, {"ports": [{"name": "Ningbo"}, {"name": "Xiamen"}]})
    submit_change(owner, reviewer, second.id, date(2021, 1, 7))
    recordation = db.session.get(Recordation, recordation.id)
    assert recordation.facts_application_id == second.id
    first, second = db.session.get(Application, first.id), db.session.get(Application, second.id)
    assert fact_diff.compare(first).against.id == original_id
    assert _kinds(fact_diff.compare(first).groups["ports"]) == [(ADDED, "Ningbo")]
    assert fact_diff.compare(second).against.id == first.id
    assert _kinds(fact_diff.compare(second).groups["ports"]) == [(ADDED, "Xiamen")]
    # The earlier facts are still there to read.
    assert [p["name"] for p in content.children_dicts(first, "ports")] == ["Ningbo"]
