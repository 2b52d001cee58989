"""The recordation state machine: every state × action × party, against DESIGN.md §4."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from ipr_apps.db import db
from ipr_apps.errors import PermissionDenied, TransitionError
from ipr_apps.models import Organisation, OrgKind, Recordation, RecordationStatus, Role, User
from ipr_apps.recordation_workflow import (
    TRANSITIONS,
    RecordationAction,
    apply,
    can,
    transition_for,
)

# DESIGN.md §4 (recordations), written out independently of recordation_workflow.TRANSITIONS.
ALLOWED = {
    (None, "create", "reviewer"): "active",
    (None, "create", "system"): "active",
    ("active", "renew", "reviewer"): "active",
    ("active", "amend", "reviewer"): "active",
    ("active", "cancel", "owner"): "cancelled",
    ("active", "revoke", "admin"): "revoked",
    ("active", "expire", "system"): "expired",
    ("active", "lapse", "system"): "lapsed",
    ("active", "file_renewal", "owner"): "active",
    ("active", "file_amendment", "owner"): "active",
}
PARTIES = ["owner", "agent", "other_holder", "reviewer", "admin", "system"]
STATES = [None, *RecordationStatus]


def _actors() -> dict[str, User | None]:
    holder = Organisation(id=1, kind=OrgKind.HOLDER, name_local="H")
    agency = Organisation(id=2, kind=OrgKind.AGENCY, name_local="A")
    other = Organisation(id=3, kind=OrgKind.HOLDER, name_local="O")
    return {
        "owner": User(id=1, role=Role.HOLDER, organisation_id=1, organisation=holder),
        "agent": User(id=2, role=Role.HOLDER, organisation_id=2, organisation=agency),
        "other_holder": User(id=3, role=Role.HOLDER, organisation_id=3, organisation=other),
        "reviewer": User(id=4, role=Role.REVIEWER),
        "admin": User(id=6, role=Role.ADMIN),
        "system": None,
    }


def _recordation(status: RecordationStatus | None) -> Recordation:
    return Recordation(status=status, holder_org_id=1, agency_id=2, valid_until=date(2030, 6, 30))


def _expected(state, action: str, party: str) -> str | None:
    lookup = "owner" if party == "agent" else party  # the filing agency acts for the holder
    return ALLOWED.get((state.value if state else None, action, lookup))


@pytest.mark.parametrize(
    ("state", "action", "party"), list(itertools.product(STATES, RecordationAction, PARTIES))
)
def test_transition_matrix(state, action, party):
    actor = _actors()[party]
    recordation = _recordation(state)
    expected = _expected(state, action.value, party)
    assert can(recordation, action, actor) is (expected is not None)
    if expected is not None:
        assert transition_for(recordation, action, actor).target == RecordationStatus(expected)
    elif (state, action) in TRANSITIONS:
        with pytest.raises(PermissionDenied):
            transition_for(recordation, action, actor)
    else:
        with pytest.raises(TransitionError):
            transition_for(recordation, action, actor)


def test_ended_states_allow_nothing():
    for state in RecordationStatus:
        if state != RecordationStatus.ACTIVE:
            assert not state.in_force
            assert not [a for (s, a) in TRANSITIONS if s == state]


@pytest.fixture
def scratch(app):
    """`apply` adds the event to the session: roll it back, nothing is meant to be saved."""
    yield
    db.session.rollback()


@pytest.mark.parametrize(
    ("action", "party", "target"),
    [
        (RecordationAction.CANCEL, "owner", RecordationStatus.CANCELLED),
        (RecordationAction.REVOKE, "admin", RecordationStatus.REVOKED),
        (RecordationAction.EXPIRE, "system", RecordationStatus.EXPIRED),
        (RecordationAction.LAPSE, "system", RecordationStatus.LAPSED),
    ],
)
@pytest.mark.usefixtures("scratch")
def test_leaving_active_sets_the_end_day_and_the_event(action, party, target):
    actor = _actors()[party]
    recordation = _recordation(RecordationStatus.ACTIVE)
    event = apply(recordation, action, actor, "why", ended_on=date(2030, 7, 1))
    assert (recordation.status, recordation.ended_on) == (target, date(2030, 7, 1))
    assert (event.from_status, event.to_status) == ("active", target.value)
    assert (event.action, event.note, event.valid_until) == (action.value, "why", date(2030, 6, 30))
    assert event.actor_id == (actor.id if actor else None)


@pytest.mark.usefixtures("scratch")
def test_renewal_keeps_it_active_and_records_the_new_end():
    recordation = _recordation(RecordationStatus.ACTIVE)
    recordation.valid_until = date(2040, 6, 30)
    event = apply(recordation, RecordationAction.RENEW, _actors()["reviewer"])
    assert (recordation.status, recordation.ended_on) == (RecordationStatus.ACTIVE, None)
    assert event.valid_until == date(2040, 6, 30)


@pytest.mark.usefixtures("scratch")
def test_permissions_change_nothing():
    recordation = _recordation(RecordationStatus.ACTIVE)
    assert recordation.can("file_renewal", _actors()["agent"])
    with pytest.raises(TransitionError):
        apply(recordation, RecordationAction.FILE_RENEWAL, _actors()["owner"])
    assert recordation.status == RecordationStatus.ACTIVE
