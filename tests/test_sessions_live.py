"""Server-side sessions on a live gunicorn (real cookies, CSRF on, two workers): a session cookie
copied before sign-out, or before a password change elsewhere, no longer works afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask import Flask

from ipr_apps.db import db
from ipr_apps.models import Role
from tests.conftest import PASSWORD, base_config, make_app
from tests.factories import make_user
from tests.live import LiveServer, live_server, temporary_database
from tests.test_concurrency import Session

pytestmark = pytest.mark.live

ENDED = "Your session has ended, please sign in again."


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live-sessions")
    env = {"IPR_SECRET_KEY": f"live-tests-{secrets.token_hex(16)}"}
    with (
        temporary_database("sessions", tmp) as url,
        live_server(url, tmp / "instance", env=env, with_worker=False) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def data_app(server: LiveServer, tmp_path_factory) -> Iterator[Flask]:
    """An app in this process on the server's database, to create the account."""
    application = make_app(base_config(tmp_path_factory.mktemp("data"), server.database_url))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def email(data_app: Flask) -> Iterator[str]:
    """A reviewer account on the server's database; its e-mail address."""
    with data_app.app_context():
        yield make_user(Role.REVIEWER).email
        db.session.remove()


def copied(browser: Session) -> Session:
    return Session(browser.base_url, dict(browser.cookies))


def test_a_copied_cookie_stops_working_after_sign_out(server, email):
    browser = Session(server.url).login(email)
    thief = copied(browser)
    assert thief.get("/auth/profile").status == 200
    browser.refresh_csrf("/auth/profile")
    assert browser.post("/auth/logout").status == 302
    refused = thief.get("/auth/profile")
    assert refused.status == 302 and refused.location.startswith("/auth/login")
    assert ENDED in thief.follow(refused).text
    assert browser.get("/auth/profile").status == 302
    assert "Traceback" not in server.log()


def test_a_password_change_signs_out_the_other_browser(server, email):
    mine, other = Session(server.url).login(email), Session(server.url).login(email)
    mine.refresh_csrf("/auth/profile")
    new = "another-long-passphrase-7"
    changed = mine.post(
        "/auth/profile", {"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert changed.status == 302
    assert mine.get("/auth/profile").status == 200
    assert other.get("/auth/profile").status == 302
