"""The screening index in use (`screening.current`) follows the recordations through the real
services: approval, amendment, cancellation, revocation, the nightly expiry and lapse, and the
history import each make the next screening see the new facts; a screening with no change in
between reuses the same index; a database emptied and filled again, or restored, is never
screened with the index of the old one. (An amendment cannot change the right's title, a
different right being a new recordation: a new mark arrives by approval, tested first.)"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete

from ipr_apps.db import db
from ipr_apps.models import Counter, Recordation, RecordationStatus, Role
from ipr_apps.screening import current
from ipr_apps.screening.engine import DeclarationLine
from ipr_apps.services import changes, content, expiry, filing, lifecycle, screening
from tests.change_helpers import decide, on, recorded, submit_change
from tests.import_files import row, run, write_csv
from tests.tables import empty_tables

APPROVED_ON = date(2020, 5, 4)  # valid until 2030-05-04
MARK = "BRIGHTLIGHT"  # the title in tests.factories.complete_payload
RECORDED_HS = "85395200"  # under its goods' 853952
NEW_HS = "6405.20"


@pytest.fixture
def people(make_user):
    return make_user(), make_user(Role.REVIEWER), make_user(Role.OFFICER)


def hits(officer, **fields) -> list[tuple[str, tuple[str, ...]]]:
    """(recordation number, rules) of each hit of one line, screened by the real service."""
    line = DeclarationLine(declaration_number="531620260000000001", line_number=1, **fields)
    _, (result,) = screening.screen_lines(officer, [line])
    return [(hit.number, hit.rules) for hit in result.hits]


def test_an_approval_makes_the_new_mark_a_hit(people):
    owner, reviewer, officer = people
    assert hits(officer, description=f"{MARK} desk lamps") == []
    before = current.current()
    recordation = recorded(owner, reviewer, APPROVED_ON)
    after = current.current()
    assert after.version not in (0, before.version) and after.index is not before.index
    assert hits(officer, description=f"{MARK} desk lamps") == [(recordation.number, ("mark",))]


def test_screening_with_no_change_in_between_reuses_the_same_index(people, monkeypatch):
    owner, reviewer, officer = people
    recorded(owner, reviewer, APPROVED_ON)
    in_use = current.current()
    built = []
    monkeypatch.setattr(current, "ScreeningIndex", lambda facts: built.append(facts))
    run_one, _ = screening.screen_lines(officer, [DeclarationLine("D1", 1, description=MARK)])
    run_two, _ = screening.screen_lines(officer, [DeclarationLine("D2", 1, description=MARK)])
    assert current.current() is in_use and built == []
    assert run_one.index_version == run_two.index_version == in_use.version
    assert (run_one.hits, run_two.hits) == (1, 1)


def _submit_amendment(owner, reviewer, recordation, facts: dict):
    """An amendment of `recordation` with `facts`, submitted (not yet approved)."""
    with on(date(2023, 6, 1)):
        draft = changes.start_amendment(owner, recordation.id)
        filing.update_draft(owner, draft.id, facts)
    return submit_change(owner, reviewer, draft.id, date(2023, 6, 2), approve=False)


def test_an_approved_amendment_is_screened_with_its_new_facts_and_not_the_old(people):
    owner, reviewer, officer = people
    recordation = recorded(owner, reviewer, APPROVED_ON)
    number = recordation.number
    old_infringer = {"consignor": "FAKE LIGHTS CO., LTD.", "port": "Ningbo"}
    assert hits(officer, hs_code=RECORDED_HS, **old_infringer) == [
        (number, ("infringer", "hs_code", "unlisted_trader"))
    ]
    goods = content.children_dicts(recordation.facts_application, "goods")
    facts = {
        "goods": [{**g, "hs_code": NEW_HS} for g in goods],
        "traders": [{"role": "importer", "name": "Bright Imports Ltd", "country": "GB"}],
        "infringers": [{"name": "Counterfeit Lamps Co", "country": "CN", "ports": "Ningbo"}],
    }
    submitted = _submit_amendment(owner, reviewer, recordation, facts)
    # Submitted, not approved: still the recorded facts.
    assert hits(officer, hs_code=NEW_HS, consignor="Counterfeit Lamps Co", port="Ningbo") == []
    before = current.current()
    with on(date(2023, 6, 2)):
        decide(reviewer, submitted.id)
    assert current.current().version not in (0, before.version)

    # The new infringer, at its port and with the new HS code.
    assert hits(officer, hs_code=NEW_HS, consignor="COUNTERFEIT LAMPS CO., LTD", port="Ningbo") == [
        (number, ("infringer", "infringer_port", "hs_code", "unlisted_trader"))
    ]
    # The old infringer and the old HS code no longer count.
    assert hits(officer, hs_code=RECORDED_HS, **old_infringer) == []
    assert hits(officer, description=MARK, hs_code=RECORDED_HS, consignee="X Ltd") == [
        (number, ("mark", "unlisted_trader"))
    ]
    # The new legitimate importer's genuine goods are not a hit; anyone else's are.
    genuine = {"description": f"{MARK} lamps", "hs_code": NEW_HS}
    assert hits(officer, consignee="BRIGHT IMPORTS LIMITED", **genuine) == []
    assert hits(officer, consignee="Other Imports Ltd", **genuine) == [
        (number, ("mark", "hs_code", "unlisted_trader"))
    ]


def test_an_approved_renewal_is_screened_with_its_facts(people):
    """A renewal's content becomes the recorded facts too (here: a new known infringer)."""
    owner, reviewer, officer = people
    recordation = recorded(owner, reviewer, date(2016, 3, 2))  # valid until 2026-03-01
    line = {"hs_code": RECORDED_HS, "consignor": "Copycat Bulbs Ltd"}
    assert hits(officer, **line) == []
    with on(date(2025, 12, 1)):
        draft = changes.start_renewal(owner, recordation.id)
        filing.update_draft(owner, draft.id, {"infringers": [{"name": "Copycat Bulbs Co"}]})
    before = current.current()
    submit_change(owner, reviewer, draft.id, date(2025, 12, 2))
    assert current.current().version not in (0, before.version)
    assert hits(officer, **line) == [
        (recordation.number, ("infringer", "hs_code", "unlisted_trader"))
    ]


@pytest.mark.parametrize("end", ["cancel", "revoke"])
def test_a_cancelled_or_revoked_recordation_is_no_longer_hit(people, make_user, end):
    owner, reviewer, officer = people
    recordation = recorded(owner, reviewer, APPROVED_ON)
    assert hits(officer, description=MARK) == [(recordation.number, ("mark",))]
    before = current.current()
    if end == "cancel":
        lifecycle.cancel(owner, recordation.id, "No longer sold")
    else:
        lifecycle.revoke(make_user(Role.ADMIN), recordation.id, "False information")
    assert db.session.get(Recordation, recordation.id).status != RecordationStatus.ACTIVE
    assert current.current().version not in (0, before.version)
    assert hits(officer, description=MARK) == []


@pytest.mark.parametrize(
    ("right_expiry", "day", "status"),
    [
        (date(2060, 12, 31), date(2030, 5, 6), RecordationStatus.EXPIRED),
        (date(2027, 1, 1), date(2027, 1, 3), RecordationStatus.LAPSED),
    ],
)
def test_the_nightly_expiry_and_lapse_end_the_hits(people, right_expiry, day, status):
    owner, reviewer, officer = people
    recordation = recorded(owner, reviewer, APPROVED_ON, expiry=right_expiry)
    assert hits(officer, description=MARK) == [(recordation.number, ("mark",))]
    before = current.current()
    assert [change.new_status for change in expiry.expire(day)] == [status]
    assert current.current().version not in (0, before.version)
    assert hits(officer, description=MARK) == []


def test_imported_recordations_are_hit(people, runner, tmp_path):
    _, _, officer = people
    before = current.current()
    path = write_csv(
        tmp_path / "history.csv",
        [row("OLD-1", right_title="SUNRAY", recordation_number="T2019-000005",
             valid_until="2029-03-28")],
    )  # fmt: skip
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert current.current().version not in (0, before.version)
    assert hits(officer, description="Sunray solar lamps") == [("T2019-000005", ("mark",))]


def test_an_emptied_and_refilled_database_gets_a_rebuilt_index(people, make_user):
    owner, reviewer, officer = people
    old = recorded(owner, reviewer, APPROVED_ON).number
    assert hits(officer, description=MARK) == [(old, ("mark",))]
    stale = current.current()
    db.session.commit()
    empty_tables(db.engine)
    db.session.expire_all()
    assert current.current().index is not stale.index and len(current.current().index) == 0
    owner, reviewer, officer = make_user(), make_user(Role.REVIEWER), make_user(Role.OFFICER)
    new = recorded(owner, reviewer, date(2021, 3, 1))
    assert hits(officer, description=MARK) == [(new.number, ("mark",))]
    assert new.number != old


def test_a_restored_database_without_a_label_is_not_screened_with_the_old_index(people):
    """A database whose counter row is missing (restored from a backup taken before any
    recordation changed) reads version 0; the index built for another database (here: the
    same one before a change whose label was lost) at version 0 must not be reused."""
    owner, reviewer, officer = people
    recorded(owner, reviewer, APPROVED_ON)
    db.session.execute(delete(Counter).where(Counter.scope == current.SCOPE))
    db.session.commit()
    unlabelled = current.current()
    assert unlabelled.version == 0 and len(unlabelled.index) == 1
    assert current.current() is unlabelled  # the same database: reused, not rebuilt
    lifecycle.cancel(owner, db.session.query(Recordation).one().id, "Gone")
    db.session.execute(delete(Counter).where(Counter.scope == current.SCOPE))
    db.session.commit()
    assert hits(officer, description=MARK) == []
