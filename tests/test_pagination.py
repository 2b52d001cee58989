"""Keyset pagination walks every row exactly once, whatever the page size."""

from __future__ import annotations

import pytest

from ipr_apps.models import Application, Role, Status
from ipr_apps.pagination import decode_cursor, encode_cursor
from ipr_apps.services import listings
from ipr_apps.services.listings import ListQuery, Scope


@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_pages_cover_every_application_once_newest_first(make_user, make_application, size):
    holder = make_user(Role.HOLDER)
    other = make_user(Role.HOLDER)
    created = [make_application(holder, Status.DRAFT) for _ in range(7)]
    make_application(other, Status.DRAFT)
    seen, cursor = [], None
    while True:
        page = listings.applications_of(holder, ListQuery(), cursor, size)
        seen += [a.id for a in page.items]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == sorted((a.id for a in created), reverse=True)


def test_status_filter(make_user, make_application):
    holder = make_user(Role.HOLDER)
    draft = make_application(holder, Status.DRAFT)
    make_application(holder, Status.SUBMITTED)
    page = listings.applications_of(holder, ListQuery(status=Status.DRAFT), None, 10)
    assert [a.id for a in page.items] == [draft.id]


def test_agent_sees_the_applications_of_every_holder_it_represents(make_user, make_application):
    from ipr_apps.db import db
    from tests.factories import grant_mandate

    holder, stranger = make_user(Role.HOLDER), make_user(Role.HOLDER)
    agent = make_user(Role.HOLDER, agency=True)
    filed = make_application(holder, Status.DRAFT)
    filed.agency_id = agent.organisation_id
    db.session.commit()
    own = make_application(holder, Status.SUBMITTED)  # filed by the holder itself
    make_application(stranger, Status.SUBMITTED)
    ours, theirs = ListQuery(scope=Scope.OURS), ListQuery(scope=Scope.HOLDERS)
    assert [a.id for a in listings.applications_of(agent, ours, None, 10).items] == [filed.id]
    assert listings.applications_of(agent, theirs, None, 10).items == []
    grant_mandate(agent, holder)
    assert [a.id for a in listings.applications_of(agent, ours, None, 10).items] == [filed.id]
    assert [a.id for a in listings.applications_of(agent, theirs, None, 10).items] == [own.id]
    assert len(listings.applications_of(holder, ListQuery(), None, 10).items) == 2


@pytest.mark.parametrize("cursor", ["", "garbage", "W10", encode_cursor([1]), "!!!"])
def test_malformed_cursor_means_first_page(cursor):
    columns = [Application.created_at, Application.id]
    assert decode_cursor(cursor, columns) is None


def test_cursor_round_trip():
    from datetime import datetime

    columns = [Application.created_at, Application.id]
    values = [datetime(2026, 3, 1, 12, 30, 5, 123), 42]
    assert decode_cursor(encode_cursor(values), columns) == values


def test_a_string_cursor_with_a_nul_character_is_malformed():
    """PostgreSQL refuses NUL in text: a forged cursor must not become a server error."""
    columns = [Application.reference, Application.id]
    assert decode_cursor(encode_cursor(["A\x00", 1]), columns) is None
    assert decode_cursor(encode_cursor(["A", 1]), columns) == ["A", 1]
