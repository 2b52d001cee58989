"""Server-side sessions through the test client: sign-out, password change and deactivation end
them, they expire when idle or too old, the profile lists and ends them, and a page view does
not write on every request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, select, update

from ipr_apps.db import db
from ipr_apps.extensions import limiter
from ipr_apps.models import EndReason, Role, User, UserSession, utcnow
from ipr_apps.models.base import clock_at
from ipr_apps.services import maintenance, sessions
from tests.conftest import PASSWORD, make_app

ENDED = "Your session has ended, please sign in again."
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def sign_in(app: Flask, user: User, agent: str = FIREFOX) -> FlaskClient:
    """A new browser signed in through the real form."""
    browser = app.test_client()
    response = browser.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    return browser


def copy_of(app: Flask, browser: FlaskClient) -> FlaskClient:
    """Another client holding the same session cookie (a copied or stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def signed_in(browser: FlaskClient) -> bool:
    response = browser.get("/auth/profile")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def rows(user: User) -> list[UserSession]:
    stmt = select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    return list(db.session.execute(stmt).scalars())


def age(row: UserSession, **columns: timedelta) -> None:
    """Move a session's timestamps into the past."""
    values = {name: getattr(row, name) - delta for name, delta in columns.items()}
    db.session.execute(update(UserSession).where(UserSession.id == row.id).values(**values))
    db.session.commit()


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch) -> None:
    """These tests sign in through the form many times. The test app has rate limiting off,
    but the limiter is one object for every app: a strict app of another module turns it on."""
    monkeypatch.setattr(limiter, "enabled", False)


@pytest.fixture
def user(make_user) -> User:
    return make_user(Role.REVIEWER)


# --- ending sessions ----------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_stops_working(app, user):
    browser = sign_in(app, user)
    thief = copy_of(app, browser)
    assert signed_in(thief)
    assert browser.post("/auth/logout").status_code == 302
    response = thief.get("/auth/profile")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    page = thief.get(response.headers["Location"]).get_data(True)
    assert ENDED in page and "Please sign in to continue." not in page
    assert [(r.revoked_reason, r.revoked_at is not None) for r in rows(user)] == [
        (EndReason.LOGOUT, True)
    ]


def test_only_a_hash_of_the_session_id_is_stored(app, user):
    browser = sign_in(app, user)
    with browser.session_transaction() as cookie_session:
        raw = cookie_session["_sid"]
    (row,) = rows(user)
    assert row.token_hash != raw and len(row.token_hash) == 64 and raw not in row.token_hash
    assert sessions.lookup(raw).id == row.id and sessions.lookup(raw + "x") is None


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, user):
    mine, other = sign_in(app, user), sign_in(app, user, IPHONE)
    new = "a-brand-new-passphrase"
    response = mine.post("/auth/profile", data={
        "current_password": PASSWORD, "new_password": new, "confirm": new})  # fmt: skip
    assert response.status_code == 302
    assert signed_in(mine) and not signed_in(other)
    assert [r.revoked_reason for r in rows(user)] == [None, EndReason.PASSWORD_CHANGED]


def test_a_wrong_current_password_ends_nothing(app, user):
    mine, other = sign_in(app, user), sign_in(app, user)
    data = {
        "current_password": "wrong",
        "new_password": "x-new-pass-42",
        "confirm": "x-new-pass-42",
    }
    assert mine.post("/auth/profile", data=data).status_code == 200
    assert signed_in(other)


def test_deactivation_ends_every_session_for_good(app, user, make_user, login):
    browsers = [sign_in(app, user), sign_in(app, user)]
    admin = login(make_user(Role.ADMIN), to=app.test_client())
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert {r.revoked_reason for r in rows(user)} == {EndReason.DEACTIVATED}
    assert admin.post(f"/admin/users/{user.id}/activate").status_code == 302
    assert not any(signed_in(b) for b in browsers)  # reactivation does not revive them


def test_a_remember_me_cookie_does_not_sign_anyone_in(app, user):
    from flask_login.utils import encode_cookie

    browser = app.test_client()
    with app.test_request_context():
        browser.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert not signed_in(browser)
    with browser.session_transaction() as cookie_session:  # the pre-server-session cookie form
        cookie_session["_user_id"] = str(user.id)
    assert not signed_in(browser)


# --- expiry -------------------------------------------------------------------------------------


def test_an_idle_session_ends(app, user):
    browser = sign_in(app, user)
    (row,) = rows(user)
    age(row, last_seen_at=timedelta(hours=8) - timedelta(minutes=5))
    assert signed_in(browser)  # and this request counts as activity
    age(row, last_seen_at=timedelta(hours=8, seconds=1))
    response = browser.get("/review/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert ENDED in browser.get(response.headers["Location"]).get_data(True)


def test_a_session_ends_at_its_maximum_age_however_active(app, user):
    browser = sign_in(app, user)
    (row,) = rows(user)
    age(row, created_at=timedelta(hours=12) - timedelta(minutes=1))
    assert signed_in(browser)
    age(row, created_at=timedelta(minutes=2))
    assert not signed_in(browser)


def test_timeouts_come_from_the_configuration(app, user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", 600)
    monkeypatch.setitem(app.config, "SESSION_MAX_AGE", 3600)
    start = utcnow().replace(microsecond=0)
    with clock_at(start):
        _, idle = sessions.start(user, "10.0.0.1", "pytest")
        _, busy = sessions.start(user, "10.0.0.1", "pytest")
    for minutes, live in [(9, True), (18, True), (27, True), (38, False)]:
        with clock_at(start + timedelta(minutes=minutes)):
            assert (sessions.lookup(idle) is not None) is live, minutes
    for minutes in range(9, 60, 9):  # used every 9 minutes: never idle, but too old at 60
        with clock_at(start + timedelta(minutes=minutes)):
            assert sessions.lookup(busy) is not None, minutes
    with clock_at(start + timedelta(minutes=60)):
        assert sessions.lookup(busy) is None


# --- sign-in hygiene ----------------------------------------------------------------------------


def test_the_csrf_token_and_the_flask_session_are_new_after_sign_in(config, user):
    strict = make_app({**config, "WTF_CSRF_ENABLED": True})
    browser = strict.test_client()
    page = browser.get("/auth/login").get_data(True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    with browser.session_transaction() as cookie_session:
        before = cookie_session["csrf_token"]
        cookie_session["planted"] = "by an attacker"
    response = browser.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    browser.get("/auth/profile")
    with browser.session_transaction() as cookie_session:
        assert cookie_session["csrf_token"] != before
        assert "planted" not in cookie_session
    with strict.app_context():
        db.engine.dispose()


def test_sign_out_clears_the_flask_session(app, user):
    browser = sign_in(app, user)
    browser.post("/auth/logout")
    with browser.session_transaction() as cookie_session:
        assert set(cookie_session) <= {"_flashes"}


# --- activity is recorded at most once a minute, best-effort -------------------------------------


@pytest.fixture
def session_updates():
    """The UPDATE statements on user_sessions sent to the database while the test runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_page_views_do_not_write_the_session_each_time(app, user, session_updates):
    browser = sign_in(app, user)
    (row,) = rows(user)
    seen = row.last_seen_at
    for _ in range(5):
        assert signed_in(browser)
    assert session_updates == [] and rows(user)[0].last_seen_at == seen
    age(row, last_seen_at=timedelta(minutes=2))
    for _ in range(5):
        assert signed_in(browser)
    assert len(session_updates) == 2  # `age` above, and one request of the five
    assert rows(user)[0].last_seen_at >= seen


def test_a_busy_database_does_not_fail_the_request(app, user, config):
    browser = sign_in(app, user)
    (row,) = rows(user)
    age(row, last_seen_at=timedelta(minutes=5))
    old = rows(user)[0].last_seen_at
    other = create_engine(config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as conn:  # another writer holds the lock on the row (and SQLite)
            conn.execute(update(UserSession).where(UserSession.id == row.id).values(ip="1.2.3.4"))
            assert signed_in(browser)
            conn.rollback()
    finally:
        other.dispose()
    assert rows(user)[0].last_seen_at == old


# --- the profile page ---------------------------------------------------------------------------


def test_the_profile_lists_the_live_sessions_and_marks_this_one(app, user):
    mine, phone, gone = sign_in(app, user), sign_in(app, user, IPHONE), sign_in(app, user)
    gone.post("/auth/logout")
    html = mine.get("/auth/profile").get_data(True)
    table = html.split('data-testid="session-table"')[1].split("</table>")[0]
    assert table.count("<tr") == 3  # the header and two live sessions
    current = table.split('data-testid="current-session"')[1].split("</tr>")[0]
    assert "Firefox on Windows" in current and "this session" in current
    assert "Mobile Safari on iOS" in table and "Sign out all other sessions" in html
    assert signed_in(phone)


def test_sign_out_one_other_session_and_then_all_others(app, user):
    mine, phone, tablet, laptop = (sign_in(app, user) for _ in range(4))
    ids = [r.id for r in rows(user)]
    assert mine.post(f"/auth/sessions/{ids[1]}/end").status_code == 302
    assert not signed_in(phone) and signed_in(tablet)
    assert mine.post("/auth/sessions/end-others").status_code == 302
    assert signed_in(mine) and not signed_in(tablet) and not signed_in(laptop)
    assert [r.revoked_reason for r in rows(user)] == [None] + [EndReason.ENDED_BY_USER] * 3
    assert "Sign out all other sessions" not in mine.get("/auth/profile").get_data(True)


def test_signing_out_this_session_from_the_list_signs_out(app, user):
    browser = sign_in(app, user)
    (row,) = rows(user)
    response = browser.post(f"/auth/sessions/{row.id}/end")
    assert response.headers["Location"] == "/auth/login"
    assert not signed_in(browser) and rows(user)[0].revoked_reason == EndReason.ENDED_BY_USER


def test_another_users_session_cannot_be_ended(app, user, make_user):
    victim = make_user(Role.HOLDER)
    victims_browser = sign_in(app, victim)
    (row,) = rows(victim)
    attacker = sign_in(app, user)
    assert attacker.post(f"/auth/sessions/{row.id}/end").status_code == 404
    assert attacker.post("/auth/sessions/end-others").status_code == 302
    assert signed_in(victims_browser) and rows(victim)[0].revoked_at is None


# --- the nightly clean-up -----------------------------------------------------------------------


def test_the_clean_up_deletes_sessions_ended_over_30_days_ago(app, user):
    now = utcnow()
    kinds = {
        "live": {},
        "signed out 31 days ago": {"revoked_at": now - timedelta(days=31)},
        "signed out 29 days ago": {"revoked_at": now - timedelta(days=29)},
        "idle for 40 days": {"last_seen_at": now - timedelta(days=40)},
        "too old 31 days ago": {"created_at": now - timedelta(days=31, hours=12)},
    }
    for label, values in kinds.items():
        row, _ = sessions.start(user, None, label)
        if "revoked_at" in values:
            values["revoked_reason"] = EndReason.LOGOUT
        if values:
            stmt = update(UserSession).where(UserSession.id == row.id).values(**values)
            db.session.execute(stmt)
    db.session.commit()
    assert maintenance.purge_ended_sessions(now) == 3
    left = {r.user_agent for r in rows(user)}
    assert left == {"live", "signed out 29 days ago"}


def test_a_password_reset_ends_every_session(app, user):
    from ipr_apps.services import account_links

    browsers = [sign_in(app, user), sign_in(app, user, IPHONE)]
    stranger = app.test_client()
    path = f"/auth/password/reset/{account_links.reset_token(user)}"
    new = "a-brand-new-passphrase"
    done = stranger.post(path, data={"new_password": new, "confirm": new})
    assert done.status_code == 302
    assert not any(signed_in(b) for b in browsers)
    assert {r.revoked_reason for r in rows(user)} == {EndReason.PASSWORD_RESET}


def test_confirming_an_address_signs_in_with_a_server_side_session(app, make_user):
    from ipr_apps.services import account_links

    fresh = make_user(Role.HOLDER)
    db.session.get(User, fresh.id).email_confirmed_at = None
    db.session.commit()
    browser = app.test_client()
    path = f"/auth/confirm/{account_links.confirm_token(fresh)}"
    assert browser.post(path).status_code == 302
    assert signed_in(browser)
    assert [r.revoked_at for r in rows(fresh)] == [None]
