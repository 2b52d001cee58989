"""The state machine: every state × action × party, checked against DESIGN.md §4."""

from __future__ import annotations

import itertools

import pytest

from ipr_apps.db import db
from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models import Application, Organisation, OrgKind, Role, Status, User
from ipr_apps.workflow import (
    CLOCK_STATES,
    DECISION_WORKING_DAYS,
    EDITABLE_STATES,
    TRANSITIONS,
    Action,
    apply,
    can,
    transition_for,
)

# DESIGN.md §4, written out independently of workflow.TRANSITIONS.
ALLOWED = {
    ("draft", "submit", "owner"): "submitted",
    ("submitted", "claim", "reviewer"): "under_review",
    ("submitted", "claim", "claimant"): "under_review",
    ("under_review", "release", "claimant"): "submitted",
    ("under_review", "release", "admin"): "submitted",
    ("under_review", "reassign", "admin"): "under_review",
    ("under_review", "request_info", "claimant"): "info_requested",
    ("info_requested", "submit", "owner"): "submitted",
    ("under_review", "approve", "claimant"): "approved",
    ("under_review", "reject", "claimant"): "rejected",
    **{(s, "withdraw", "owner"): "withdrawn"
       for s in ("draft", "submitted", "under_review", "info_requested")},
    # Permissions that change no status: editing the content, revising a refused application.
    ("draft", "edit", "owner"): "draft",
    ("info_requested", "edit", "owner"): "info_requested",
    ("rejected", "revise", "owner"): "rejected",
    ("withdrawn", "revise", "owner"): "withdrawn",
}  # fmt: skip
PARTIES = ["owner", "agent", "other_holder", "reviewer", "claimant", "admin"]


def _actors() -> dict[str, User]:
    holder_org = Organisation(id=1, kind=OrgKind.HOLDER, name_local="H")
    agency = Organisation(id=2, kind=OrgKind.AGENCY, name_local="A")
    other_org = Organisation(id=3, kind=OrgKind.HOLDER, name_local="O")
    return {
        "owner": User(id=1, role=Role.HOLDER, organisation_id=1, organisation=holder_org),
        "agent": User(id=2, role=Role.HOLDER, organisation_id=2, organisation=agency),
        "other_holder": User(id=3, role=Role.HOLDER, organisation_id=3, organisation=other_org),
        "reviewer": User(id=4, role=Role.REVIEWER),
        "claimant": User(id=5, role=Role.REVIEWER),
        "admin": User(id=6, role=Role.ADMIN),
    }


def _application(status: Status) -> Application:
    claimed = 5 if status == Status.UNDER_REVIEW else None
    return Application(status=status, holder_org_id=1, agency_id=2, claimed_by_id=claimed)


def _expected(state: str, action: str, party: str) -> str | None:
    lookup = "owner" if party == "agent" else party  # an agent acts for the holder it filed for
    if party == "claimant" and state != "under_review":
        lookup = "reviewer"  # nobody holds a claim outside under_review
    return ALLOWED.get((state, action, lookup))


CASES = list(itertools.product(Status, Action, PARTIES))


@pytest.mark.parametrize(("state", "action", "party"), CASES)
def test_transition_matrix(state, action, party):
    actor = _actors()[party]
    application = _application(state)
    expected = _expected(state.value, action.value, party)
    assert can(application, action, actor) is (expected is not None)
    if expected is not None:
        assert transition_for(application, action, actor).target == Status(expected)
    elif (state, action) in TRANSITIONS:
        with pytest.raises(PermissionDenied):
            transition_for(application, action, actor)
    else:
        with pytest.raises(TransitionError):
            transition_for(application, action, actor)


def test_final_states_allow_no_transition():
    for state in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        assert state.is_final
        assert not [a for (s, a), t in TRANSITIONS.items() if s == state and t.records]


@pytest.fixture
def scratch(app):
    """`apply` adds the event to the session: roll it back, nothing is meant to be saved."""
    yield
    db.session.rollback()


@pytest.mark.usefixtures("scratch")
def test_create_makes_a_draft_with_its_event():
    owner = _actors()["owner"]
    application = Application(holder_org_id=1, agency_id=2)
    event = apply(application, Action.CREATE, owner)
    assert application.status == Status.DRAFT
    assert (event.action, event.from_status, event.to_status) == ("create", None, "draft")
    with pytest.raises(PermissionDenied):
        apply(Application(holder_org_id=1), Action.CREATE, _actors()["other_holder"])


@pytest.mark.parametrize(
    ("state", "action", "party", "claimed_by"),
    [
        (Status.SUBMITTED, Action.CLAIM, "reviewer", 4),
        (Status.UNDER_REVIEW, Action.RELEASE, "claimant", None),
        (Status.UNDER_REVIEW, Action.REQUEST_INFO, "claimant", None),
        (Status.UNDER_REVIEW, Action.APPROVE, "claimant", None),
        (Status.UNDER_REVIEW, Action.WITHDRAW, "owner", None),
        (Status.DRAFT, Action.SUBMIT, "owner", None),
    ],
)
@pytest.mark.usefixtures("scratch")
def test_apply_sets_status_claim_and_event(state, action, party, claimed_by):
    actor = _actors()[party]
    application = _application(state)
    event = apply(application, action, actor, "why")
    assert application.status == TRANSITIONS[(state, action)].target
    assert application.claimed_by_id == claimed_by
    assert (application.claimed_at is not None) is (claimed_by is not None)
    assert (event.from_status, event.to_status) == (state.value, application.status.value)
    assert (event.action, event.actor_id, event.note) == (action.value, actor.id, "why")


@pytest.mark.usefixtures("scratch")
def test_reassign_hands_the_claim_to_the_named_reviewer():
    actors = _actors()
    application = _application(Status.UNDER_REVIEW)
    apply(application, Action.REASSIGN, actors["admin"], claimant=actors["reviewer"])
    assert (application.status, application.claimed_by_id) == (Status.UNDER_REVIEW, 4)


@pytest.mark.usefixtures("scratch")
def test_apply_refuses_permissions_and_wrong_states():
    actors = _actors()
    with pytest.raises(TransitionError):
        apply(_application(Status.DRAFT), Action.EDIT, actors["owner"])
    with pytest.raises(TransitionError):
        apply(_application(Status.APPROVED), Action.WITHDRAW, actors["owner"])
    application = _application(Status.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        apply(application, Action.APPROVE, actors["reviewer"])  # not the claimant
    assert application.status == Status.UNDER_REVIEW


def test_edit_is_asked_through_the_workflow():
    actors = _actors()
    assert {Status.DRAFT, Status.INFO_REQUESTED} == EDITABLE_STATES
    for state in Status:
        application = _application(state)
        assert application.editable_by(actors["owner"]) is (state in EDITABLE_STATES)
        assert not application.editable_by(actors["admin"])
        assert not application.editable_by(actors["other_holder"])


def test_clock_facts_live_in_the_workflow():
    assert DECISION_WORKING_DAYS == 30
    for state in Status:
        application = _application(state)
        assert application.clock_running is (state in CLOCK_STATES)
        assert application.clock_paused is (state == Status.INFO_REQUESTED)
    assert {Status.SUBMITTED, Status.UNDER_REVIEW} == CLOCK_STATES


def test_template_helper_matches_workflow():
    actors = _actors()
    application = _application(Status.DRAFT)
    assert application.can("submit", actors["owner"])
    assert not application.can("submit", actors["other_holder"])
