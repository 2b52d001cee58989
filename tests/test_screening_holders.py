"""Holders' side of screening: per recordation, how often it was hit and what came of its
cases (never another holder's, never the declarations), and the thin-facts warning on the
holder's recordation page."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from markupsafe import escape
from sqlalchemy import event, insert, select

from ipr_apps.db import db
from ipr_apps.models import (
    CaseOutcome,
    CaseStatus,
    DetentionCase,
    DocType,
    Goods,
    Recordation,
    Role,
    ScreeningHit,
    Status,
    Trader,
    TraderRole,
    utcnow,
)
from ipr_apps.pagination import encode_cursor
from ipr_apps.screening.engine import DeclarationLine
from ipr_apps.services import screening
from ipr_apps.services.screening_facts import Missing, thin_facts, warning_for
from ipr_apps.services.screening_holders import hits_by_recordation
from tests.factories import add_document, recordation_row

CASE_NUMBERS = count(1)
CONSIGNEE = "Secret Consignee Trading Ltd"
DECLARATION = "531620269999001"


def _recorded(make_application, owner, title, agency=None, hs_code="9405") -> Recordation:
    application = make_application(owner, Status.APPROVED)
    application.right.title = title
    if agency is not None:
        application.agency_id = agency.organisation_id
    if hs_code:
        db.session.add(Goods(application_id=application.id, name="Lamp", hs_code=hs_code))
    row = recordation_row(application)
    if agency is not None:
        row.agency_id = agency.organisation_id
    db.session.commit()
    return row


def _screen(officer, *descriptions: str):
    lines = [
        DeclarationLine(DECLARATION, n, description=d, consignee=CONSIGNEE)
        for n, d in enumerate(descriptions, start=1)
    ]
    run, _ = screening.screen_lines(officer, lines)
    return run


def _hit_ids(recordation: Recordation) -> list[int]:
    stmt = select(ScreeningHit.id).where(ScreeningHit.recordation_id == recordation.id)
    return list(db.session.scalars(stmt.order_by(ScreeningHit.id)))


def _case(recordation: Recordation, status: CaseStatus, outcome=None, hit_id=None) -> dict:
    return {
        "case_number": f"H-{next(CASE_NUMBERS):07d}", "opened_on": date(2026, 1, 5),
        "port_code": "5301", "channel": "freight", "direction": "import", "mode": "ex_officio",
        "ipr_type": "trademark", "status": status, "outcome": outcome,
        "outcome_on": date(2026, 2, 1) if outcome else None, "items": 1,
        "value_cny": Decimal("10.00"), "recordation_id": recordation.id,
        "recordation_number": recordation.number, "holder_org_id": recordation.holder_org_id,
        "screening_hit_id": hit_id, "consignee": CONSIGNEE,
    }  # fmt: skip


def _insert_cases(*rows: dict) -> None:
    db.session.execute(insert(DetentionCase), list(rows))
    db.session.commit()


@pytest.fixture
def scene(make_user, make_application):
    """Holder A with two recordations (one hit in two runs, one never), holder B with one hit
    in both runs, and cases on A's and B's recordations."""
    officer, a, b = make_user(Role.OFFICER), make_user(), make_user()
    a_hit = _recorded(make_application, a, "BRIGHTSTAR")
    a_quiet = _recorded(make_application, a, "QUIETMARK")
    b_hit = _recorded(make_application, b, "MOONGLOW")
    first = _screen(officer, "BRIGHTSTAR lamps", "Brightstar bulbs", "MOONGLOW cups")
    second = _screen(officer, "brightstar LAMP", "moonglow mugs")
    a_hits, b_hits = _hit_ids(a_hit), _hit_ids(b_hit)
    _insert_cases(
        _case(a_hit, CaseStatus.DETAINED, hit_id=a_hits[0]),
        _case(a_hit, CaseStatus.CLOSED, CaseOutcome.CONFISCATED, hit_id=a_hits[1]),
        _case(a_hit, CaseStatus.RELEASED, CaseOutcome.RELEASED),
        _case(a_hit, CaseStatus.AWAITING_HOLDER),
        _case(b_hit, CaseStatus.CLOSED, CaseOutcome.COURT_ORDER, hit_id=b_hits[0]),
        _case(b_hit, CaseStatus.DETAINED, hit_id=b_hits[1]),
    )
    return {"officer": officer, "a": a, "b": b, "a_hit": a_hit, "a_quiet": a_quiet,
            "b_hit": b_hit, "runs": (first, second)}  # fmt: skip


def _by_number(page) -> dict:
    return {row.recordation.number: row for row in page.items}


# --------------------------------------------------------------------------- the counts


def test_each_recordation_counts_its_own_hits_runs_and_last_hit(scene):
    rows = _by_number(hits_by_recordation(scene["a"], None, 20))
    assert set(rows) == {scene["a_hit"].number, scene["a_quiet"].number}
    hit, quiet = rows[scene["a_hit"].number], rows[scene["a_quiet"].number]
    assert (hit.hits, hit.runs, hit.last_hit_at) == (3, 2, scene["runs"][1].created_at)
    assert (quiet.hits, quiet.runs, quiet.last_hit_at, quiet.cases) == (0, 0, None, 0)
    b_rows = _by_number(hits_by_recordation(scene["b"], None, 20))
    assert set(b_rows) == {scene["b_hit"].number}
    assert (b_rows[scene["b_hit"].number].hits, b_rows[scene["b_hit"].number].runs) == (2, 2)


def test_weak_matches_of_a_low_threshold_run_are_not_counted(scene):
    """An officer's exploratory run at threshold 0 keeps an HS-code-only match (25): not a
    hit as the page counts them (the default threshold's)."""
    line = DeclarationLine(DECLARATION, 1, description="plain lamps", hs_code="940510")
    screening.screen_lines(scene["officer"], [line], threshold=0)
    stored = db.session.scalars(select(ScreeningHit.score)).all()
    assert 25 in stored
    rows = _by_number(hits_by_recordation(scene["a"], None, 20))
    assert (rows[scene["a_hit"].number].hits, rows[scene["a_quiet"].number].hits) == (3, 0)


def test_cases_from_hits_and_what_came_of_every_case_are_counted(scene):
    row = _by_number(hits_by_recordation(scene["a"], None, 20))[scene["a_hit"].number]
    assert (row.cases, row.cases_from_hits) == (4, 2)
    assert row.fate_counts == [
        (CaseStatus.AWAITING_HOLDER, 1), (CaseStatus.DETAINED, 1),
        (CaseOutcome.CONFISCATED, 1), (CaseOutcome.RELEASED, 1),
    ]  # fmt: skip
    b_row = _by_number(hits_by_recordation(scene["b"], None, 20))[scene["b_hit"].number]
    assert (b_row.cases, b_row.cases_from_hits) == (2, 2)
    assert b_row.fate_counts == [(CaseStatus.DETAINED, 1), (CaseOutcome.COURT_ORDER, 1)]


def test_cases_count_as_the_holders_case_list_shows_them(scene):
    """A case on A's recordation but of another organisation (an imported mismatch) is not in
    A's case list, so it is not counted either."""
    stray = _case(scene["a_hit"], CaseStatus.DETAINED) | {
        "holder_org_id": scene["b"].organisation_id
    }
    _insert_cases(stray)
    row = _by_number(hits_by_recordation(scene["a"], None, 20))[scene["a_hit"].number]
    assert (row.cases, row.fates[CaseStatus.DETAINED]) == (4, 1)


def test_the_page_shows_only_the_holders_own_counts_and_no_declaration(scene, login):
    client = login(scene["a"])
    html = client.get("/screening/hits").get_data(as_text=True)
    rows = dict(re.findall(r'data-number="([^"]+)" data-hits="(\d+)"', html))
    assert rows == {scene["a_hit"].number: "3", scene["a_quiet"].number: "0"}
    assert f'/recordations/{scene["a_hit"].id}"' in html  # each row links to its recordation
    assert 'data-fate="confiscated" data-count="1"' in html
    assert 'data-cases="4" data-cases-from-hits="2"' in html
    for secret in (scene["b_hit"].number, "MOONGLOW", CONSIGNEE, DECLARATION, "court_order"):
        assert secret not in html


@pytest.mark.parametrize(
    "query",
    [
        "recordation_id={b_id}",
        "holder_org_id={b_org}&org={b_org}",
        "q={b_number}",
        "cursor={cursor}",
        "cursor={nul_cursor}",  # malformed on PostgreSQL (no NUL in text): the first page
    ],
)
def test_query_arguments_do_not_reveal_another_holders_recordation(scene, login, query):
    b = scene["b_hit"]
    cursor = encode_cursor([""])  # "after nothing": every number, were it not filtered
    args = query.format(
        b_id=b.id, b_org=b.holder_org_id, b_number=b.number, cursor=cursor,
        nul_cursor=encode_cursor([chr(0)]),
    )  # fmt: skip
    response = login(scene["a"]).get(f"/screening/hits?{args}")
    # The page's content: the navbar's language switch echoes the address typed, query and all.
    html = response.get_data(as_text=True).split('<main id="main"', 1)[1]
    assert response.status_code == 200
    assert b.number not in html and "MOONGLOW" not in html
    assert scene["a_hit"].number in html


def test_an_agency_sees_the_recordations_it_filed(make_user, make_application, login):
    holder, agency = make_user(), make_user(agency=True)
    filed = _recorded(make_application, holder, "AGENTMARK", agency=agency)
    _recorded(make_application, holder, "OWNFILED")  # the holder's own filing: not the agency's
    _screen(make_user(Role.OFFICER), "AGENTMARK shoes", "OWNFILED shoes")
    _insert_cases(_case(filed, CaseStatus.DETAINED, hit_id=_hit_ids(filed)[0]))
    rows = _by_number(hits_by_recordation(agency, None, 20))
    assert set(rows) == {filed.number}
    assert (rows[filed.number].hits, rows[filed.number].cases_from_hits) == (1, 1)
    html = login(agency).get("/screening/hits").get_data(as_text=True)
    assert f'data-number="{filed.number}" data-hits="1"' in html
    # The holder sees both of its recordations, the one its agency filed included.
    assert len(hits_by_recordation(holder, None, 20).items) == 2


def test_other_roles_count_nothing(scene, make_user):
    for role in (Role.OFFICER, Role.REVIEWER, Role.ADMIN):
        assert hits_by_recordation(make_user(role), None, 20).items == []


@contextmanager
def _statements():
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _statement_count(user) -> int:
    db.session.expire_all()
    # The signed-in user is loaded before the page, with its organisation (services/sessions).
    assert user.organisation_id and user.organisation.kind
    with _statements() as seen:
        page = hits_by_recordation(user, None, 20)
        for row in page.items:  # everything the page shows, read without a further query
            assert row.recordation.number and row.recordation.status
            assert row.hits and row.last_hit_at and row.fate_counts
    return len(seen)


def test_the_statement_count_does_not_grow_with_recordations_hits_or_cases(
    make_user, make_application
):
    officer, small, large = make_user(Role.OFFICER), make_user(), make_user()
    one = _recorded(make_application, small, "ALPHAMARK")
    many = [_recorded(make_application, large, f"BETAMARK{n}X") for n in range(6)]
    _screen(officer, "ALPHAMARK", *(f"BETAMARK{n}X goods" for n in range(6)))
    _screen(officer, *(f"BETAMARK{n}X goods" for n in range(6)))
    _insert_cases(_case(one, CaseStatus.DETAINED))
    _insert_cases(*(_case(r, s) for r in many for s in (CaseStatus.DETAINED, CaseStatus.CLOSED)))
    assert len(hits_by_recordation(large, None, 20).items) == 6
    assert _statement_count(small) == _statement_count(large) == 4


def test_pages_follow_the_recordation_number(make_user, make_application):
    holder = make_user()
    numbers = sorted(_recorded(make_application, holder, f"MARK{n}QX").number for n in range(3))
    first = hits_by_recordation(holder, None, 2)
    second = hits_by_recordation(holder, first.next_cursor, 2)
    assert [r.recordation.number for r in first.items + second.items] == numbers
    assert second.next_cursor is None


def test_each_row_says_which_facts_are_missing_while_in_force(make_user, make_application, login):
    holder = make_user()
    thin = _recorded(make_application, holder, "THINROW", hs_code=None)
    full = _recorded(make_application, holder, "FULLROW")
    db.session.add(Trader(application_id=full.facts_application_id, role=TraderRole.EXPORTER,
                          name="Full Exports"))  # fmt: skip
    add_document(full.facts_application, DocType.GOODS_PHOTO)
    ended = _recorded(make_application, holder, "ENDEDROW", hs_code=None)
    ended.status, ended.ended_on = ended.status.EXPIRED, date.today()
    db.session.commit()
    rows = _by_number(hits_by_recordation(holder, None, 20))
    assert rows[thin.number].missing == list(Missing)
    assert rows[full.number].missing == [] and rows[ended.number].missing == []
    html = login(holder).get("/screening/hits").get_data(as_text=True)
    facts = dict(re.findall(r'data-number="([^"]+)"[^>]*>.*?data-missing="([^"]*)"', html, re.S))
    assert facts == {thin.number: "hs_code legitimate_trader goods_photo", full.number: "",
                     ended.number: ""}  # fmt: skip
    link = f'/recordations/{thin.id}#thin-facts">3 facts missing'
    number = f'<span class="ref">{thin.number}</span>'
    assert f'{link}<span class="visually-hidden"> in {number}</span></a>' in html


def test_a_holder_without_recordations_sees_the_empty_state(make_user, login):
    html = login(make_user()).get("/screening/hits").get_data(as_text=True)
    assert 'data-testid="empty-state"' in html and 'data-testid="hits-table"' not in html
    assert 'data-testid="screening-help"' in html


def test_the_navbar_links_holders_to_the_page(make_user, login):
    html = login(make_user()).get("/recordations/").get_data(as_text=True)
    assert 'href="/screening/hits"' in html


# --------------------------------------------------------------------------- thin facts


def _thin(make_user, make_application):
    holder = make_user()
    return holder, _recorded(make_application, holder, "THINMARK", hs_code=None)


def _missing_on_page(client, recordation) -> list[str]:
    html = client.get(f"/recordations/{recordation.id}").get_data(as_text=True)
    return re.findall(r'data-missing="([a-z_]+)"', html)


def test_thin_facts_name_each_missing_item_and_link_to_an_amendment(
    make_user, make_application, login
):
    holder, recordation = _thin(make_user, make_application)
    assert thin_facts(recordation) == [Missing.HS_CODE, Missing.LEGITIMATE_TRADER,
                                       Missing.GOODS_PHOTO]  # fmt: skip
    client = login(holder)
    html = client.get(f"/recordations/{recordation.id}").get_data(as_text=True)
    assert 'data-testid="thin-facts"' in html
    assert re.findall(r'data-missing="([a-z_]+)"', html) == [m.value for m in Missing]
    for missing in Missing:
        assert escape(missing.label) in html and escape(missing.why) in html
    amend = f'action="/recordations/{recordation.id}/amend"'
    assert html.count(amend) == 2  # in the warning, and in the renew-or-amend panel


def test_the_warning_shrinks_as_facts_are_added_and_goes_when_all_are_there(
    make_user, make_application, login
):
    holder, recordation = _thin(make_user, make_application)
    client = login(holder)
    facts_id = recordation.facts_application_id
    db.session.add(Goods(application_id=facts_id, name="Lamp", hs_code="940521"))
    db.session.commit()
    assert _missing_on_page(client, recordation) == ["legitimate_trader", "goods_photo"]
    db.session.add(Trader(application_id=facts_id, role=TraderRole.IMPORTER, name="Bright Imp"))
    db.session.commit()
    assert _missing_on_page(client, recordation) == ["goods_photo"]
    add_document(recordation.facts_application, DocType.GOODS_PHOTO)
    assert _missing_on_page(client, recordation) == []
    html = client.get(f"/recordations/{recordation.id}").get_data(as_text=True)
    assert 'data-testid="thin-facts"' not in html


def test_blank_entries_and_a_superseded_photo_do_not_count(make_user, make_application):
    _holder, recordation = _thin(make_user, make_application)
    facts_id = recordation.facts_application_id
    db.session.add(Goods(application_id=facts_id, name="Lamp", hs_code="  "))
    db.session.add(Trader(application_id=facts_id, role=TraderRole.EXPORTER, name=""))
    photo = add_document(recordation.facts_application, DocType.GOODS_PHOTO)
    photo.superseded_at = utcnow()
    add_document(recordation.facts_application, DocType.IPR_CERTIFICATE)
    db.session.commit()
    assert thin_facts(recordation) == list(Missing)


def test_only_the_holders_side_sees_the_warning_while_in_force(make_user, make_application, login):
    holder, recordation = _thin(make_user, make_application)
    for role in (Role.OFFICER, Role.REVIEWER, Role.ADMIN):
        viewer = make_user(role)
        assert warning_for(recordation, viewer) == []
        assert _missing_on_page(login(viewer), recordation) == []
    assert warning_for(recordation, make_user()) == []  # another holder (not its page at all)
    assert len(warning_for(recordation, holder)) == 3
    recordation.status, recordation.ended_on = recordation.status.CANCELLED, date.today()
    db.session.commit()
    assert warning_for(recordation, holder) == []


def test_an_open_amendment_is_linked_instead_of_a_new_one(make_user, make_application, login):
    from ipr_apps.services import changes

    holder, recordation = _thin(make_user, make_application)
    draft = changes.start_amendment(holder, recordation.id)
    html = login(holder).get(f"/recordations/{recordation.id}").get_data(as_text=True)
    assert 'data-testid="thin-facts-open-change"' in html
    assert f'/applications/{draft.id}"' in html
    assert 'data-testid="thin-facts-amend"' not in html
