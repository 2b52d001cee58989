"""The state machine: every state × action × party, checked against DESIGN.md §4."""

from __future__ import annotations

import itertools

import pytest

from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models import Application, Organisation, OrgKind, Role, Status, User
from ipr_apps.workflow import TRANSITIONS, Action, can, transition_for

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


def test_final_states_allow_nothing():
    for state in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        assert state.is_final
        assert not [a for (s, a) in TRANSITIONS if s == state]


def test_template_helper_matches_workflow():
    actors = _actors()
    application = _application(Status.DRAFT)
    assert application.can("submit", actors["owner"])
    assert not application.can("submit", actors["other_holder"])
