"""The lists as their users meet them (issue 9, defects 5 and 9): an agent's two lists with
only the actions it may take, reply-by dates, sorting by date columns and search."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ipr_apps.db import db
from ipr_apps.i18n import format_day
from ipr_apps.models import Role, Status, User, utcnow
from ipr_apps.services import filing, review
from tests.factories import add_required_documents, complete_payload, grant_mandate


def _references(html: str, testid: str = "application-row") -> list[str]:
    return re.findall(rf'data-testid="{testid}" data-reference="([^"]+)"', html)


def _next_cursor(html: str) -> str | None:
    match = re.search(r'rel="next"\s+href="[^"]*cursor=([^"&]+)', html)
    return match.group(1) if match else None


def _walk(client, url: str, testid: str = "application-row", read=None) -> list[str]:
    """Every row on every page of a list, following its next links."""
    read = read or (lambda html: _references(html, testid))
    seen, cursor = [], None
    while True:
        html = client.get(url + (f"&cursor={cursor}" if cursor else "")).get_data(True)
        seen += read(html)
        cursor = _next_cursor(html)
        if cursor is None:
            return seen


@pytest.fixture
def agency(make_user, make_application):
    """An agent mandated by a holder: one draft filed by the agency, one by the holder."""
    holder = make_user(Role.HOLDER)
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, holder)
    ours = filing.create_draft(agent, "trademark", None, holder.organisation_id)
    theirs = make_application(holder, Status.DRAFT)
    return agent, ours, theirs


# --- 5. agents ----------------------------------------------------------------------------


def test_agent_list_separates_filed_by_us_from_filed_by_the_holder(client, login, agency):
    agent, ours, theirs = agency
    login(agent)
    html = client.get("/applications/").get_data(True)
    assert _references(html) == [ours.reference]
    assert f"/applications/{ours.id}/edit" in html  # "Complete and submit"
    assert "filed for the holders it represents" in html
    html = client.get("/applications/?scope=holders").get_data(True)
    assert _references(html) == [theirs.reference]
    assert f"/applications/{theirs.id}/edit" not in html and "Complete and submit" not in html
    assert "only the holder can change them" in html


def test_every_action_link_on_an_agents_list_works(client, login, agency):
    agent, _, _ = agency
    login(agent)
    for scope in ("ours", "holders"):
        html = client.get(f"/applications/?scope={scope}").get_data(True)
        links = set(re.findall(r'href="(/applications/\d+(?:/\w+)?)"', html))
        assert links
        for link in links:
            assert client.get(link).status_code == 200, link


def test_the_role_badge_says_agent(client, login, agency, make_user):
    agent, _, _ = agency
    login(agent)
    badge = re.search(
        r'data-testid="nav-user">.*?<span class="badge[^"]*">([^<]+)</span>',
        client.get("/applications/").text,
        re.S,
    )
    assert badge.group(1) == "Agent"
    login(make_user(Role.HOLDER))
    badge = re.search(
        r'data-testid="nav-user">.*?<span class="badge[^"]*">([^<]+)</span>',
        client.get("/applications/").text,
        re.S,
    )
    assert badge.group(1) == "Rights holder"


# --- 9. reply-by dates, sorting and search -------------------------------------------------


def test_holder_list_shows_the_reply_by_date_and_days_left(client, login, make_user):
    holder = make_user(Role.HOLDER)
    application = filing.create_draft(holder, "trademark", complete_payload())
    add_required_documents(application)
    filing.submit(holder, application.id)
    reviewer = make_user(Role.REVIEWER)
    review.claim(reviewer, application.id)
    review.request_info(reviewer, application.id, "Send the licence.")
    login(holder)
    html = client.get("/applications/").get_data(True)
    row = html[html.index(f'data-reference="{application.reference}"') :]
    cell = row[row.index('data-testid="deadline"') :][:400]
    reply_by = application.information_requests[0].reply_by
    day = format_day(reply_by)
    assert f"Reply by {day}" in cell and re.search(r"working days? left", cell)


def test_holder_list_sorts_by_its_date_columns_across_pages(
    client, login, make_user, make_application, app
):
    holder = make_user(Role.HOLDER)
    made = [make_application(holder, Status.DRAFT) for _ in range(5)]
    now = utcnow()
    for i, application in enumerate(made):  # created in order, changed in reverse order
        application.created_at = now - timedelta(days=10 - i)
        application.updated_at = now - timedelta(days=i)
    db.session.commit()
    login(holder)
    app.config["PAGE_SIZE"] = 2
    try:
        refs = [a.reference for a in made]
        assert _walk(client, "/applications/?sort=-created") == refs[::-1]
        assert _walk(client, "/applications/?sort=created") == refs
        assert _walk(client, "/applications/?sort=-updated") == refs
        assert _walk(client, "/applications/?sort=updated") == refs[::-1]
        assert _walk(client, "/applications/?sort=bogus") == refs[::-1]  # the default
    finally:
        app.config["PAGE_SIZE"] = 25


def test_holder_list_search(client, login, make_user, make_application):
    holder = make_user(Role.HOLDER)
    first = make_application(holder, Status.DRAFT, registration_number="TM-777")
    second = make_application(holder, Status.SUBMITTED)
    login(holder)
    for q, expected in [
        (first.reference.lower(), [first]),
        ("TM-777", [first]),
        ("Organisation", [second, first]),
        ("nothing-like-this", []),
    ]:
        html = client.get(f"/applications/?q={q}").get_data(True)
        assert _references(html) == [a.reference for a in expected], q
    assert "No applications match" in client.get("/applications/?q=nothing").text


def test_queue_sorts_by_submission_date(client, login, make_user, make_application, app):
    holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    made = [make_application(holder, Status.SUBMITTED) for _ in range(4)]
    now = utcnow()
    for i, application in enumerate(made):  # submitted in order, due in reverse order
        application.first_submitted_at = now - timedelta(days=10 - i)
        application.due_on = now.date() + timedelta(days=10 - i)
    db.session.commit()
    login(reviewer)
    app.config["PAGE_SIZE"] = 3
    try:
        refs = [a.reference for a in made]
        assert _walk(client, "/review/?tab=unclaimed", "queue-row") == refs[::-1]  # due first
        assert _walk(client, "/review/?tab=unclaimed&sort=submitted", "queue-row") == refs
        assert _walk(client, "/review/?tab=unclaimed&sort=-submitted", "queue-row") == refs[::-1]
        assert _walk(client, "/review/?tab=unclaimed&sort=-due", "queue-row") == refs
    finally:
        app.config["PAGE_SIZE"] = 25


def test_queue_sort_links_keep_the_filters(client, login, make_user, make_application):
    make_application(make_user(Role.HOLDER), Status.SUBMITTED)
    login(make_user(Role.REVIEWER))
    html = client.get("/review/?tab=unclaimed&q=Organisation&country=CN").get_data(True)
    link = re.search(r'href="([^"]+)" data-testid="sort-submitted"', html).group(1)
    assert "q=Organisation" in link and "country=CN" in link and "sort=submitted" in link


def _accounts(html: str) -> list[str]:
    return re.findall(r'data-testid="user-row" data-email="([^"]+)"', html)


def test_accounts_search_and_sort_by_last_sign_in(client, login, make_user, app):
    admin = make_user(Role.ADMIN, email="boss@customs.example")
    zhao = make_user(Role.REVIEWER, email="zhao@customs.example", name="Officer Zhao")
    sun = make_user(Role.REVIEWER, email="sun@customs.example", name="Officer Sun")
    never = make_user(Role.REVIEWER, email="new@customs.example", name="New Officer")
    now = utcnow()
    db.session.get(User, zhao.id).last_login_at = now - timedelta(days=2)
    db.session.get(User, sun.id).last_login_at = now - timedelta(days=1)
    db.session.commit()
    login(admin)  # signs in: the most recent sign-in
    assert _accounts(client.get("/admin/users?q=ZHAO").text) == [zhao.email]
    assert _accounts(client.get("/admin/users?q=Officer").text) == [sun.email, zhao.email]
    app.config["PAGE_SIZE"] = 1
    try:
        latest_first = _walk(client, "/admin/users?role=reviewer&sort=-last_login", read=_accounts)
        assert latest_first == [sun.email, zhao.email, never.email]  # never signed in: last
        oldest_first = _walk(client, "/admin/users?role=reviewer&sort=last_login", read=_accounts)
        assert oldest_first == [zhao.email, sun.email, never.email]
    finally:
        app.config["PAGE_SIZE"] = 25


def test_accounts_filtered_to_officers_show_their_districts(client, login, make_user):
    admin = make_user(Role.ADMIN)
    shenzhen = make_user(Role.OFFICER, email="sz@customs.example", district="5301")
    shanghai = make_user(Role.OFFICER, email="sh@customs.example", district="2200")
    make_user(Role.REVIEWER, email="rev@customs.example")
    login(admin)
    html = client.get("/admin/users?role=officer").text
    assert sorted(_accounts(html)) == sorted([shenzhen.email, shanghai.email])
    assert html.count('data-testid="user-district"') == 2
    assert "5301 District 5301" in html and "2200 District 2200" in html
