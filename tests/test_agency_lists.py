"""An agency's lists are merged from one index range per part (pagination.keyset_page's
branches: its own filings, each mandating holder's): every row once, in order, across pages,
nothing of a holder without a mandate (issue 16: the OR of those parts walked the date index
and filtered every row of the table)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Application, Role, Status
from ipr_apps.pagination import Sort
from ipr_apps.services import filing, listings, planner_stats
from ipr_apps.services.access import holders_own_branches
from tests.factories import grant_mandate
from tests.test_list_search import _plan

SIZES = (1, 2, 3, 25)


@pytest.fixture
def portfolio(make_user, make_application):
    """Three holders, two of them mandating the agency; the agency files three for the first
    (rows both its own and that holder's), every holder files three itself, and two other
    agencies (organisation ids either side of the agency's) file one each for the first."""
    before = make_user(Role.HOLDER, agency=True)
    agent = make_user(Role.HOLDER, agency=True)
    after = make_user(Role.HOLDER, agency=True)
    holders = [make_user(Role.HOLDER) for _ in range(3)]
    for holder in holders[:2]:
        grant_mandate(agent, holder)
    filed = [filing.create_draft(agent, "trademark", None, holders[0].organisation_id)
             for _ in range(3)]  # fmt: skip
    own = {h.id: [make_application(h, Status.SUBMITTED) for _ in range(3)] for h in holders}
    for other in (before, after):
        grant_mandate(other, holders[0])
        own[holders[0].id].append(
            filing.create_draft(other, "trademark", None, holders[0].organisation_id)
        )
    assert before.organisation_id < agent.organisation_id < after.organisation_id
    return agent, holders, filed, own


def newest_first(applications: list[Application]) -> list[int]:
    return [a.id for a in sorted(applications, key=lambda a: (a.created_at, a.id), reverse=True)]


def walk(page_of, size: int) -> list[int]:
    seen, cursor = [], None
    while True:
        page = page_of(cursor, size)
        assert len(page.items) == size or page.next_cursor is None  # full pages until the end
        seen += [a.id for a in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("size", SIZES)
def test_the_api_list_is_the_agencys_filings_and_its_holders_each_once(portfolio, size):
    agent, holders, filed, own = portfolio
    expected = newest_first(filed + own[holders[0].id] + own[holders[1].id])
    assert walk(lambda cursor, n: listings.api_page(agent, None, None, cursor, n), size) == (
        expected
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_holders_own_filings_scope(portfolio, size):
    agent, holders, _filed, own = portfolio
    query = listings.ListQuery(scope=listings.Scope.HOLDERS, sort=Sort("created", True))
    expected = newest_first(own[holders[0].id] + own[holders[1].id])
    assert walk(lambda cursor, n: listings.applications_of(agent, query, cursor, n), size) == (
        expected
    )


def test_many_mandates_become_one_list_of_holders_own_filings(portfolio, monkeypatch):
    from ipr_apps.services import access

    agent, holders, _filed, own = portfolio
    monkeypatch.setattr(access, "MAX_BRANCHES", 2)
    query = listings.ListQuery(scope=listings.Scope.HOLDERS, sort=Sort("created", True))
    expected = newest_first(own[holders[0].id] + own[holders[1].id])
    assert walk(lambda cursor, n: listings.applications_of(agent, query, cursor, n), 2) == expected


@pytest.mark.parametrize("sort", ["created_at", "updated_at"])
def test_each_holders_own_filings_are_ranges_of_an_index(
    portfolio, sort, make_user, make_application
):
    """Each branch is a range of the holder's own filings (a partial index, in the list's
    order) or of (holder, filing agency): a branch over the holder's index alone read the
    agency's own filings for that holder and dropped them."""
    agent = portfolio[0]
    for _ in range(20):  # a table of many holders: statistics like a real one's
        crowd = make_user(Role.HOLDER)
        for _ in range(10):
            make_application(crowd, Status.SUBMITTED)
    branches = holders_own_branches(agent, Application.agency_id, Application.holder_org_id)
    assert len(branches) == 2 + 1  # each holder's own, the other agencies' for both
    planner_stats.analyze(db.session)
    column = getattr(Application, sort)
    for branch in branches:
        stmt = select(Application.id).where(branch).order_by(column.desc()).limit(26)
        plan = _plan(stmt)
        assert "ix_applications_holder_own" in plan or "ix_applications_holder_agency" in plan
        assert "ix_applications_holder_list" not in plan, plan


def test_an_agency_without_mandates_sees_only_its_own(make_user):
    agent = make_user(Role.HOLDER, agency=True)
    branches = holders_own_branches(agent, Application.agency_id, Application.holder_org_id)
    assert len(branches) == 1  # never none: no branches would mean every row
    query = listings.ListQuery(scope=listings.Scope.HOLDERS)
    assert listings.applications_of(agent, query, None, 25).items == []


def test_many_mandates_become_one_list_of_holders(portfolio, monkeypatch):
    from ipr_apps.services import access

    agent, holders, filed, own = portfolio
    monkeypatch.setattr(access, "MAX_BRANCHES", 1)
    expected = newest_first(filed + own[holders[0].id] + own[holders[1].id])
    assert walk(lambda cursor, n: listings.api_page(agent, None, None, cursor, n), 2) == expected
