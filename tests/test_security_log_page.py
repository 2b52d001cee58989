"""/admin/security-log: admins search the security log; everyone else is kept out."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from ipr_apps.db import db, unit_of_work
from ipr_apps.models import Role, SecurityAction
from ipr_apps.models.base import clock_at
from ipr_apps.services import security_log

URL = "/admin/security-log"


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _rows(html: str) -> list[str]:
    return re.findall(r'data-testid="security-row" data-action="([^"]+)"', html)


def _page(client, **query) -> str:
    response = client.get(URL, query_string=query)
    assert response.status_code == 200
    return response.get_data(True)


def _at(moment: datetime, action: str, actor=None, target=None, email=None) -> None:
    with clock_at(moment), unit_of_work():
        security_log.record(action, actor, target, email=email)


@pytest.fixture
def history(admin, make_user):
    """A known log in March 2025 (the fixtures' own account creations are dated today)."""
    reviewer = make_user(Role.REVIEWER, email="rev@example.com")
    _at(datetime(2025, 3, 1, 9), "signin.failed", target=reviewer, email="rev@example.com")
    _at(datetime(2025, 3, 2, 9), "signin.succeeded", reviewer, reviewer)
    _at(datetime(2025, 3, 3, 9), "account.deactivated", admin, reviewer)
    _at(datetime(2025, 3, 4, 9), "token.created", admin, ("token", 7))
    _at(datetime(2025, 3, 5, 9), "signin.failed", email="mallory@evil.example")
    db.session.commit()
    return reviewer


def test_admins_see_the_log_newest_first(client, login, admin, history):
    login(admin)
    html = _page(client, **{"to": "2025-12-31"})
    assert _rows(html) == [
        "signin.failed", "token.created", "account.deactivated",
        "signin.succeeded", "signin.failed",
    ]  # fmt: skip
    text = html.replace("<wbr>", "")  # addresses may wrap before their @
    assert "mallory@evil.example" in text and "rev@example.com" in text
    assert 'class="table align-middle table-cards"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "signin.failed"}, ["signin.failed", "signin.failed"]),
        ({"actor": "admin"}, ["token.created", "account.deactivated"]),
        (
            {"target": "rev@example.com"},
            ["account.deactivated", "signin.succeeded", "signin.failed"],
        ),
        ({"target": "token:7"}, ["token.created"]),
        ({"q": "mallory"}, ["signin.failed"]),
        ({"from": "2025-03-02", "to": "2025-03-03"}, ["account.deactivated", "signin.succeeded"]),
        ({"action": "signin.failed", "q": "rev@"}, ["signin.failed"]),
        ({"action": "no.such.action", "from": "2025-03-05"}, ["signin.failed"]),  # no filter
    ],
)
def test_filters(client, login, admin, history, query, expected):
    login(admin)
    assert _rows(_page(client, **{"to": "2025-12-31", **query})) == expected


def test_a_bad_date_is_shown_and_ignored(client, login, admin, history):
    login(admin)
    html = _page(client, **{"from": "2025-02-30", "action": "token.created"})
    assert _rows(html) == ["token.created"] and "is-invalid" in html


def test_empty_state(client, login, admin, history):
    login(admin)
    html = _page(client, actor="nobody")
    assert _rows(html) == [] and 'data-testid="empty-state"' in html


def test_keyset_pages_cover_every_row_once(app, client, login, admin, history):
    login(admin)
    app.config["PAGE_SIZE"] = 2
    try:
        seen, cursor = [], None
        for _ in range(5):
            query = {"to": "2025-12-31", **({"cursor": cursor} if cursor else {})}
            html = _page(client, **query)
            seen += _rows(html)
            found = re.search(r'rel="next"\s+href="([^"]*)"', html)
            if not found:
                break
            link = found.group(1).replace("&amp;", "&")
            assert "to=2025-12-31" in link  # the filters follow the pages
            cursor = re.search(r"cursor=([^&]+)", link).group(1)
    finally:
        app.config["PAGE_SIZE"] = 25
    assert seen == _rows(_page(client, **{"to": "2025-12-31"}))
    assert len(seen) == 5


@pytest.mark.parametrize("role", ["holder", "reviewer", "officer"])
def test_other_roles_get_403(client, login, users_by_role, role):
    login(users_by_role[role])
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_admin_menu_links_every_admin_page(client, login, admin):
    login(admin)
    html = _page(client)
    menu = html.split('data-testid="nav-administration"')[1].split("</ul>")[0]
    for path in ("/admin/users", "/admin/holidays", "/admin/mail", "/admin/jobs", URL,
                 "/admin/districts", "/admin/guarantees"):  # fmt: skip
        assert f'href="{path}"' in menu
    assert 'aria-current="page"' in menu.split(f'href="{URL}"')[0].rsplit("<li>", 1)[1]


# --------------------------------------------------------------------------- readable entries

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_actions_show_their_labels_with_the_code_as_a_hint(client, login, admin, history):
    login(admin)
    html = _page(client, **{"to": "2025-12-31"})
    table = html.split('data-testid="security-table"')[1]
    assert ">Sign-in failed<" in table and ">Signed in<" in table
    assert '<code class="small text-muted">signin.failed</code>' in table
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    assert ("signin.throttled", "Sign-in refused (too many attempts)") in options
    assert ("signout", "Signed out") in options


def test_every_action_has_a_label():
    assert all(a.label and a.label != a.value for a in SecurityAction)


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        (
            {"reason": "password_changed", "sessions": [3, 4, 7]},
            "Reason: password changed · 3 sessions",
        ),
        ({"sessions": [9]}, "1 session"),
        ({"changed": "email_confirmed"}, "Changed: e-mail address confirmed"),
        ({"limit": "account"}, "Limit reached: attempts on this account"),
        ({"name": "New Year", "import": True}, "Name: New Year · Imported from a file"),
        ({"colour": "blue", "count": 2}, "colour: blue · count: 2"),
    ],
)
def test_details_are_readable(client, login, admin, detail, shown):
    with unit_of_work():
        security_log.record("session.revoked", admin, admin, detail)
    login(admin)
    cell = _page(client).split('class="small log-details"')[1].split(">", 1)[1].split("</td>")[0]
    assert cell == shown


def test_the_browser_is_shown_by_its_short_name(app, client, login, admin):
    with app.test_request_context(headers={"User-Agent": FIREFOX}), unit_of_work():
        security_log.record("signout", admin, admin)
    login(admin)
    html = _page(client, action="signout")
    assert f'title="{FIREFOX}" data-testid="device">Firefox on Windows</span>' in html
    assert f">{FIREFOX}<" not in html


def test_a_reversed_date_range_is_explained_not_searched(client, login, admin, history):
    login(admin)
    html = _page(client, **{"from": "2025-03-05", "to": "2025-03-01"})
    assert "The start date is after the end date." in html
    assert 'data-testid="range-error"' in html and 'aria-describedby="range-error"' in html
    assert _rows(html) == [] and 'data-testid="empty-state"' not in html
    assert _rows(_page(client, **{"from": "2025-03-01", "to": "2025-03-05"}))  # the right way round


@pytest.mark.parametrize(
    ("target", "english", "chinese", "href"),
    [
        (("token", 7), "API token 7", "API 令牌 7", None),
        (("organisation", 3), "Organisation 3", "单位 3", "/admin/guarantees/3"),
        (("district", "8000"), "Customs district 8000", "关区 8000", "/admin/districts/8000/edit"),
        (("job", 12), "Job 12", "任务 12", "/admin/jobs/12"),
        (("holiday", "2019-02-04"), "Calendar day 2019-02-04", "日历日 2019-02-04",
         "/admin/holidays?year=2019"),
    ],
)  # fmt: skip
def test_the_target_column_names_what_was_acted_on(
    client, login, admin, target, english, chinese, href
):
    """In the reader's words, with a link to the page that shows it (it said "organisation 3",
    "district 8000" in both languages); the kind:id the target search takes stays readable."""
    _at(datetime(2025, 3, 4, 9), "token.created", admin, target)
    login(admin)
    for language, label in (("en", english), ("zh-CN", chinese)):
        headers = {"Accept-Language": language}
        html = client.get(URL, query_string={"to": "2025-12-31"}, headers=headers).get_data(True)
        cell = re.search(r'<td data-label="[^"]*" data-target="([^"]*)">(.*?)</td>', html, re.S)
        assert cell and cell[1] == f"{target[0]}:{target[1]}"
        assert label in cell[2]
        assert (f'href="{href}"' in cell[2]) if href else ("href" not in cell[2])
