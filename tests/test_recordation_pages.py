"""The recordation page (validity, renewal window, history, recorded facts) and the list of
recordations (visibility, filters, paging)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Decision,
    IprType,
    Kind,
    Outcome,
    RecordationEvent,
    RecordationStatus,
    Role,
    Status,
    today,
)
from ipr_apps.services import filing, lifecycle, recordation_pages, review
from ipr_apps.services.recordation_pages import ListQuery, Window
from tests.factories import (
    add_required_documents,
    complete_payload,
    grant_mandate,
    recordation_row,
)

# --- timing -------------------------------------------------------------------------------


def _timing(valid_until: date, day: date, status=RecordationStatus.ACTIVE, right_expiry=None):
    class R:  # the columns timing() reads
        pass

    r = R()
    r.valid_until, r.status, r.right_expiry = valid_until, status, right_expiry
    return recordation_pages.timing(r, day)


@pytest.mark.parametrize(
    ("valid_until", "day", "window", "days_left"),
    [
        (date(2030, 6, 30), date(2029, 12, 29), Window.NOT_YET, 183),
        (date(2030, 6, 30), date(2029, 12, 30), Window.OPEN, 182),  # opens 6 months before
        (date(2030, 6, 30), date(2030, 6, 30), Window.OPEN, 0),  # the last valid day
        (date(2030, 6, 30), date(2030, 7, 1), Window.CLOSED, -1),
        (date(2030, 8, 31), date(2030, 2, 28), Window.OPEN, 184),  # 31 August - 6 months
        (date(2030, 8, 31), date(2030, 2, 27), Window.NOT_YET, 185),
        (date(2032, 8, 29), date(2032, 2, 29), Window.OPEN, 182),  # leap day opening
        (date(2032, 8, 29), date(2032, 2, 28), Window.NOT_YET, 183),
    ],
)
def test_renewal_window_edges(valid_until, day, window, days_left):
    timing = _timing(valid_until, day)
    assert (timing.window, timing.days_left) == (window, days_left)
    assert timing.closes == valid_until


def test_window_closed_when_not_in_force_and_right_ending_first_flagged():
    assert _timing(date(2030, 1, 1), date(2029, 12, 1), RecordationStatus.CANCELLED).window == (
        Window.CLOSED
    )
    assert _timing(
        date(2030, 1, 1), date(2029, 1, 1), right_expiry=date(2030, 1, 1)
    ).right_ends_first
    assert not _timing(
        date(2030, 1, 1), date(2029, 1, 1), right_expiry=date(2030, 1, 2)
    ).right_ends_first
    assert not _timing(date(2030, 1, 1), date(2029, 1, 1)).right_ends_first


# --- helpers ------------------------------------------------------------------------------


def _recorded(owner, make_application, valid_until, status=RecordationStatus.ACTIVE, **kw):
    application = make_application(owner, Status.APPROVED, **kw)
    row = recordation_row(
        application, valid_from=date(2016, 1, 1), valid_until=valid_until, status=status
    )
    db.session.commit()
    return row


def _numbers(html: bytes) -> list[str]:
    return re.findall(r'data-testid="recordation-row" data-number="([^"]+)"', html.decode())


def _created(recordation, actor):
    """The creation event the approval would have written (the row factory writes none)."""
    db.session.add(
        RecordationEvent(
            recordation_id=recordation.id,
            action="create",
            to_status="active",
            application_id=recordation.application_id,
            valid_until=recordation.valid_until,
            actor_id=actor.id if actor else None,
        )
    )
    db.session.commit()


def _change(recordation, owner, kind, status, make_application):
    """A renewal or amendment of `recordation` in `status` (no service needed for a row)."""
    recordation_id = recordation.id
    application = make_application(owner, status)
    application.kind, application.recordation_id = kind, recordation_id
    db.session.commit()
    return application


# --- the page -----------------------------------------------------------------------------


def test_holder_page_shows_validity_window_history_and_facts(
    client, login, make_user, make_application
):
    holder = make_user()
    day = today()
    row = _recorded(holder, make_application, day + timedelta(days=40))
    original = row.application
    _created(row, None)
    refused = _change(row, holder, Kind.RENEWAL, Status.REJECTED, make_application)
    draft = _change(row, holder, Kind.AMENDMENT, Status.DRAFT, make_application)
    db.session.commit()
    login(holder)
    page = client.get(f"/recordations/{row.id}")
    assert page.status_code == 200
    html = page.data.decode()
    assert 'data-days="40"' in html
    assert 'data-window="open"' in html
    refs = re.findall(r'data-testid="history-row" data-reference="([^"]+)"', html)
    assert refs == [original.reference, refused.reference, draft.reference]
    assert f'href="/applications/{refused.id}"' in html  # holders open filing.show
    assert f'data-application="{original.id}"' in html  # the current facts
    assert 'data-action="create"' in html
    assert "cancel-link" in html and "revoke-link" not in html


def test_staff_see_officer_names_holders_see_customs(client, login, make_user, make_application):
    holder, admin = make_user(), make_user(Role.ADMIN, name="Officer Wang")
    row = _recorded(holder, make_application, today() + timedelta(days=400))
    _created(row, admin)
    lifecycle.revoke(admin, row.id, "Forged licence")
    login(holder)
    html = client.get(f"/recordations/{row.id}").data.decode()
    assert "Officer Wang" not in html and "Customs revoked the recordation." in html
    assert "Forged licence" in html
    assert 'data-status="revoked"' in html and 'data-testid="ended-on"' in html
    assert 'data-window="closed"' in html and "cancel-link" not in html
    login(admin)
    staff_html = client.get(f"/recordations/{row.id}").data.decode()
    assert "Officer Wang revoked the recordation." in staff_html
    assert f'href="/review/{row.application.id}"' in staff_html


def test_staff_do_not_see_holders_unsent_drafts(client, login, make_user, make_application):
    holder = make_user()
    row = _recorded(holder, make_application, today() + timedelta(days=100))
    draft = _change(row, holder, Kind.RENEWAL, Status.DRAFT, make_application)
    login(make_user(Role.REVIEWER))
    html = client.get(f"/recordations/{row.id}").data.decode()
    assert row.application.reference in html and draft.reference not in html
    assert "revoke-link" not in html and "cancel-link" not in html


def test_expired_days_ago_shown_for_active_past_its_end(client, login, make_user, make_application):
    holder = make_user()
    row = _recorded(holder, make_application, today() - timedelta(days=3))
    login(holder)
    html = client.get(f"/recordations/{row.id}").data.decode()
    assert 'data-days="-3"' in html and "Expired 3 days ago" in html
    assert 'data-window="closed"' in html


def test_earlier_version_is_readable_and_only_approved_ones(
    client, login, make_user, make_application
):
    holder = make_user()
    row = _recorded(holder, make_application, today() + timedelta(days=900))
    original = row.application
    amendment = _change(row, holder, Kind.AMENDMENT, Status.APPROVED, make_application)
    amendment.right.title = "New facts title"
    row.facts_application_id = amendment.id
    refused = _change(row, holder, Kind.AMENDMENT, Status.REJECTED, make_application)
    db.session.commit()
    login(holder)
    current = client.get(f"/recordations/{row.id}").data.decode()
    assert f'data-application="{amendment.id}"' in current and "New facts title" in current
    assert f"version={original.id}" in current
    earlier = client.get(f"/recordations/{row.id}?version={original.id}")
    assert earlier.status_code == 200
    assert f'data-application="{original.id}"'.encode() in earlier.data
    assert b'data-testid="earlier-version"' in earlier.data
    assert client.get(f"/recordations/{row.id}?version={refused.id}").status_code == 404
    for bogus in ("0", "-1", "9" * 30, "abc"):
        response = client.get(f"/recordations/{row.id}?version={bogus}")
        assert response.status_code == (200 if bogus == "abc" else 404), bogus
    other = _recorded(holder, make_application, today() + timedelta(days=900))
    assert client.get(f"/recordations/{row.id}?version={other.application.id}").status_code == 404


def test_other_holder_gets_404_mandated_agent_and_staff_see_it(
    client, login, make_user, make_application
):
    holder, stranger, agent, unmandated = (
        make_user(),
        make_user(),
        make_user(agency=True),
        make_user(agency=True),
    )
    grant_mandate(agent, holder)
    row = _recorded(holder, make_application, today() + timedelta(days=100))
    url = f"/recordations/{row.id}"
    for user, expected in (
        (stranger, 404),
        (unmandated, 404),
        (agent, 200),
        (holder, 200),
        (make_user(Role.REVIEWER), 200),
        (make_user(Role.ADMIN), 200),
    ):
        login(user)
        response = client.get(url)
        assert response.status_code == expected, user.email
        if expected == 200:  # the whole page, history included, for every reader
            assert f'data-reference="{row.application.reference}"'.encode() in response.data


def test_application_pages_link_to_the_recordation(client, login, make_user, make_application):
    holder = make_user()
    reviewer = make_user(Role.REVIEWER)
    row = _recorded(holder, make_application, today() + timedelta(days=100))
    db.session.add(
        Decision(
            application_id=row.application.id,
            outcome=Outcome.APPROVED,
            decided_on=today(),
            decided_by_id=reviewer.id,
        )
    )
    db.session.commit()
    login(holder)
    html = client.get(f"/applications/{row.application.id}").data.decode()
    assert f'href="/recordations/{row.id}"' in html
    login(reviewer)
    html = client.get(f"/review/{row.application.id}").data.decode()
    assert f'href="/recordations/{row.id}"' in html


# --- the list -----------------------------------------------------------------------------


def test_list_shows_own_soonest_first_and_agent_sees_mandated_and_filed(
    client, login, make_user, make_application
):
    holder, other, agent = make_user(), make_user(), make_user(agency=True)
    grant_mandate(agent, holder)
    day = today()
    late = _recorded(holder, make_application, day + timedelta(days=300))
    soon = _recorded(holder, make_application, day + timedelta(days=10))
    foreign = _recorded(other, make_application, day + timedelta(days=5))
    filed = _recorded(other, make_application, day + timedelta(days=50))
    filed.agency_id = agent.organisation_id
    db.session.commit()
    login(holder)
    assert _numbers(client.get("/recordations/").data) == [soon.number, late.number]
    login(agent)
    assert _numbers(client.get("/recordations/").data) == [soon.number, filed.number, late.number]
    login(make_user(Role.REVIEWER))
    assert _numbers(client.get("/recordations/").data) == [
        foreign.number,
        soon.number,
        filed.number,
        late.number,
    ]


def test_list_filters_by_status_type_and_search(client, login, make_user, make_application):
    holder = make_user()
    day = today()
    tm = _recorded(holder, make_application, day + timedelta(days=100))
    patent = _recorded(
        holder, make_application, day + timedelta(days=200), ipr_type=IprType.PATENT_DESIGN
    )
    gone = _recorded(
        holder, make_application, day - timedelta(days=20), status=RecordationStatus.EXPIRED
    )
    login(holder)
    assert _numbers(client.get("/recordations/?status=expired").data) == [gone.number]
    assert _numbers(client.get("/recordations/?ipr_type=patent_design").data) == [patent.number]
    assert _numbers(client.get(f"/recordations/?q={tm.number.lower()}").data) == [tm.number]
    assert _numbers(client.get(f"/recordations/?q={patent.right_number}").data) == [patent.number]
    assert len(_numbers(client.get("/recordations/?q=Organisation").data)) == 3
    # unknown values are ignored rather than an error
    assert len(_numbers(client.get("/recordations/?status=bogus&expiring=99").data)) == 3
    empty = client.get("/recordations/?q=nothing-like-this")
    assert empty.status_code == 200 and b"No recordations match these filters." in empty.data


def test_staff_search_pages_through_every_match_once_with_the_filters(
    client, login, make_user, make_application, app
):
    """Staff and officers search every recordation: matches in the order of the text that
    matched (the register's indexed merge), filters applied, each match once across pages."""
    holder, other = make_user(), make_user()
    day = today()
    rows = [_recorded(holder, make_application, day + timedelta(days=10 * n)) for n in range(5)]
    _recorded(other, make_application, day + timedelta(days=5))  # another holder: also found
    _recorded(holder, make_application, day - timedelta(days=1), status=RecordationStatus.EXPIRED)
    login(make_user(Role.REVIEWER))
    app.config["PAGE_SIZE"], seen, cursor = 2, [], ""
    try:
        while cursor is not None:
            html = client.get(f"/recordations/?q=organisation&status=active{cursor}").data
            seen += _numbers(html)
            found = re.search(r'href="[^"]*cursor=([^"&]+)', html.decode())
            cursor = f"&cursor={found.group(1)}" if found else None
    finally:
        app.config["PAGE_SIZE"] = 25
    assert len(seen) == len(set(seen)) == 6
    assert {r.number for r in rows} <= set(seen)


def test_expiring_within_n_months_edges(make_user, make_application):
    holder = make_user()
    day = date(2026, 8, 31)
    limit = day + relativedelta(months=6)  # 2027-02-28
    on_edge = _recorded(holder, make_application, limit)
    beyond = _recorded(holder, make_application, limit + timedelta(days=1))
    past = _recorded(holder, make_application, day - timedelta(days=1))  # not yet expired
    _recorded(holder, make_application, day, status=RecordationStatus.CANCELLED)
    page = recordation_pages.recordations_of(holder, ListQuery(expiring_months=6), None, 50, day)
    assert [r.id for r in page.items] == [past.id, on_edge.id]
    assert beyond.id not in [r.id for r in page.items]
    page = recordation_pages.recordations_of(holder, ListQuery(expiring_months=24), None, 50, day)
    assert beyond.id in [r.id for r in page.items]


def test_expiring_out_of_range_is_ignored(client, login, make_user, make_application):
    holder = make_user()
    far = _recorded(holder, make_application, today() + relativedelta(months=30))
    near = _recorded(holder, make_application, today() + relativedelta(months=1))
    login(holder)
    assert _numbers(client.get("/recordations/?expiring=1").data) == [near.number]
    assert _numbers(client.get("/recordations/?expiring=24").data) == [near.number]
    for raw in ("0", "25", "-1", "x", "\u00b2", "9" * 30):
        assert _numbers(client.get(f"/recordations/?expiring={raw}").data) == [
            near.number,
            far.number,
        ]


def test_list_pages_by_keyset_without_gaps_or_repeats(
    app, client, login, make_user, make_application
):
    holder = make_user()
    same_day = today() + timedelta(days=100)
    rows = [_recorded(holder, make_application, same_day) for _ in range(3)]
    rows += [_recorded(holder, make_application, same_day + timedelta(days=i)) for i in (1, 2)]
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2
    try:
        login(holder)
        seen, url = [], "/recordations/?status=active"
        while url:
            html = client.get(url).data.decode()
            seen += _numbers(html.encode())
            found = re.search(r'rel="next"\s+href="([^"]+)"', html)
            url = found.group(1).replace("&amp;", "&") if found else None
            assert url is None or "status=active" in url
    finally:
        app.config["PAGE_SIZE"] = size
    expected = sorted(rows, key=lambda r: (r.valid_until, r.id))
    assert seen == [r.number for r in expected]


def test_empty_list_says_so(client, login, make_user):
    login(make_user())
    response = client.get("/recordations/")
    assert response.status_code == 200
    assert b'data-testid="empty-state"' in response.data and b"no recordations yet" in response.data


def test_navigation_has_recordations_for_holders_and_staff(client, login, make_user):
    for role in (Role.HOLDER, Role.REVIEWER, Role.ADMIN):
        login(make_user(role))
        assert b'href="/recordations/"' in client.get("/notifications/").data


def test_history_lists_applications_by_id(make_user, make_application):
    holder = make_user()
    row = _recorded(holder, make_application, today() + timedelta(days=100))
    renewal = _change(row, holder, Kind.RENEWAL, Status.WITHDRAWN, make_application)
    rows = recordation_pages.applications(row, holder)
    assert [r.application.id for r in rows] == [row.application.id, renewal.id]
    assert [r.current for r in rows] == [True, False]
    assert [r.recorded for r in rows] == [True, False]
    assert db.session.execute(select(Application).where(Application.id == renewal.id)).scalar_one()


# --- through the real services ------------------------------------------------------------


def test_approved_then_cancelled_reads_right_to_holder_and_staff(client, login, make_user):
    holder = make_user(name="Holder Li")
    reviewer = make_user(Role.REVIEWER, name="Officer One")
    draft = filing.create_draft(holder, "trademark", complete_payload("trademark", "TM-77"))
    add_required_documents(draft)
    filing.submit(holder, draft.id)
    review.claim(reviewer, draft.id)
    recordation = review.approve(reviewer, draft.id).recordation
    url = f"/recordations/{recordation.id}"
    login(holder)
    html = client.get(url).data.decode()
    assert f'Customs approved application <span class="ref">{draft.reference}</span>' in html
    assert "Officer One" not in html
    assert "BRIGHTLIGHT" in html and "LED bulb" in html  # the recorded facts
    assert f'data-application="{draft.id}"' in html and 'data-window="not_yet"' in html
    client.post(f"{url}/cancel", data={"reason": "Brand sold"})
    html = client.get(url).data.decode()
    assert "You cancelled the recordation." in html and "Brand sold" in html
    listing = client.get("/recordations/").data.decode()
    assert recordation.number in listing and "not in force since" in listing
    login(reviewer)
    html = client.get(url).data.decode()
    assert f'Officer One approved application <span class="ref">{draft.reference}</span>' in html
    assert "Holder Li cancelled the recordation at the holder's request." in html
    assert f'href="/review/{draft.id}"' in html
