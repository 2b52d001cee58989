"""Throttling on the test client: sign-in per address and per account, registration, tokens,
the 429 answers (page and API) and where the counts are kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import select, text

from ipr_apps import create_app
from ipr_apps.db import db
from ipr_apps.extensions import limiter
from ipr_apps.models import ApiToken, Role, SecurityEvent, User
from tests.conftest import PASSWORD, make_app
from tests.tables import sqlite_write_lock
from tests.test_auth import REGISTRATION

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",  # a fresh store for each app built here
    "LOGIN_RATE_LIMIT": "6 per minute",
    "LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute",
    "SIGNUP_RATE_LIMIT": "2 per hour",
    "TOKEN_RATE_LIMIT": "2 per hour",
}


@pytest.fixture
def limited(app, config) -> Flask:
    """The real app with throttling on, sharing the test database."""
    limited_app = make_app({**config, **LIMITS})
    yield limited_app
    with limited_app.app_context():
        db.engine.dispose()


def sign_in(client, email: str, password: str, address: str):
    data = {"email": email, "password": password}
    return client.post("/auth/login", data=data, environ_base={"REMOTE_ADDR": address})


def signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_failed_sign_ins_are_counted_per_account_whatever_the_address(limited, make_user):
    victim, other = make_user(Role.HOLDER), make_user(Role.HOLDER)
    client = limited.test_client()
    statuses = [
        sign_in(client, f"  {victim.email.upper()} ", "wrong-password-1", f"10.0.0.{i}").status_code
        for i in range(1, 6)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    # Refused before the password is checked, even the right one; other accounts go on.
    assert sign_in(client, victim.email, PASSWORD, "10.0.0.9").status_code == 429
    assert not signed_in(client)
    assert sign_in(client, other.email, PASSWORD, "10.0.0.9").status_code == 302
    assert signed_in(client)


def test_unknown_accounts_are_throttled_like_known_ones(limited):
    client = limited.test_client()
    statuses = [
        sign_in(client, "nobody@example.com", "wrong-password-1", f"10.0.1.{i}").status_code
        for i in range(1, 5)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_successful_sign_in_clears_the_accounts_failures(limited, make_user):
    user = make_user(Role.HOLDER)
    client = limited.test_client()
    for i in range(2):
        assert sign_in(client, user.email, "wrong-password-1", f"10.0.2.{i}").status_code == 200
    assert sign_in(client, user.email, PASSWORD, "10.0.2.5").status_code == 302
    client.post("/auth/logout")
    statuses = [
        sign_in(client, user.email, "wrong-password-1", f"10.0.2.{i}").status_code
        for i in range(10, 14)
    ]
    assert statuses == [200, 200, 200, 429]


def test_sign_ins_are_counted_per_address_across_accounts(limited, make_user):
    client = limited.test_client()
    emails = [f"person{i}@example.com" for i in range(8)]
    statuses = [sign_in(client, e, "wrong-password-1", "10.0.3.1").status_code for e in emails]
    assert statuses == [200] * 6 + [429] * 2
    assert sign_in(client, emails[0], "wrong-password-1", "10.0.3.2").status_code == 200


AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _throttled() -> list[SecurityEvent]:
    db.session.expire_all()
    stmt = select(SecurityEvent).where(SecurityEvent.action == "signin.throttled")
    return list(db.session.scalars(stmt.order_by(SecurityEvent.id)))


def test_each_refused_sign_in_is_in_the_security_log(limited, make_user):
    victim = make_user(Role.HOLDER)
    client = limited.test_client()
    for i in range(5):
        data = {"email": f"  {victim.email.upper()} ", "password": "wrong-password-1"}
        client.post("/auth/login", data=data, headers={"User-Agent": AGENT},
                    environ_base={"REMOTE_ADDR": f"10.0.5.{i}"})  # fmt: skip
    rows = _throttled()
    assert [(r.email, r.ip_address, r.user_agent) for r in rows] == [
        (victim.email, "10.0.5.3", AGENT),
        (victim.email, "10.0.5.4", AGENT),
    ]
    assert {(r.actor_id, r.target_type, r.target_id) for r in rows} == {
        (None, "user", str(victim.id))
    }
    assert [r.detail for r in rows] == [{"limit": "account"}] * 2


def test_a_refusal_per_address_is_logged_with_the_address_limit(limited):
    client = limited.test_client()
    emails = [f"person{i}@example.com" for i in range(7)]
    statuses = [sign_in(client, e, "wrong-password-1", "10.0.6.1").status_code for e in emails]
    assert statuses == [200] * 6 + [429]
    [row] = _throttled()
    assert (row.email, row.target_type, row.detail) == (
        "person6@example.com", None, {"limit": "address"}
    )  # fmt: skip


def test_other_refusals_are_not_sign_in_entries(limited):
    client = limited.test_client()
    for i in range(3):
        client.post("/auth/register", data={**REGISTRATION, "email": f"n{i}@example.com"})
    assert _throttled() == []


def test_a_refused_sign_in_is_answered_at_once_when_the_database_is_busy(limited):
    client = limited.test_client()
    for _ in range(3):
        sign_in(client, "nobody@example.com", "wrong-password-1", "10.0.7.1")
    with _security_log_locked():
        began = time.monotonic()
        response = sign_in(client, "nobody@example.com", "wrong-password-1", "10.0.7.1")
        assert time.monotonic() - began < 2.0
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert _throttled() == []  # dropped, not waited for
    assert sign_in(client, "nobody@example.com", "x", "10.0.7.1").status_code == 429
    assert [r.email for r in _throttled()] == ["nobody@example.com"]


@contextmanager
def _security_log_locked() -> Iterator[None]:
    """Another connection holds the lock an insert into the security log needs."""
    if db.engine.dialect.name == "sqlite":
        with sqlite_write_lock(db.engine.url.database):
            yield
        return
    with db.engine.connect() as other:
        other.execute(text("LOCK TABLE security_events IN SHARE MODE"))
        yield
        other.rollback()


def test_the_429_page_says_how_long_to_wait(limited):
    client = limited.test_client()
    for _ in range(3):
        sign_in(client, "nobody@example.com", "wrong-password-1", "10.0.4.1")
    response = sign_in(client, "nobody@example.com", "wrong-password-1", "10.0.4.1")
    assert response.status_code == 429 and response.mimetype == "text/html"
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 60
    assert "Too many attempts" in response.get_data(True)
    assert response.headers["Cache-Control"] == "no-store"


def test_registration_is_limited_per_address(limited):
    client = limited.test_client()
    statuses = []
    for i in range(3):
        data = {**REGISTRATION, "email": f"new{i}@example.com"}
        statuses.append(client.post("/auth/register", data=data).status_code)
    assert statuses == [200, 200, 429]  # 200: the "check your e-mail" page
    emails = db.session.execute(select(User.email).order_by(User.email)).scalars().all()
    assert emails == ["new0@example.com", "new1@example.com"]


def test_token_creation_is_limited_per_account(limited, make_user, login):
    alice, bob = make_user(Role.HOLDER), make_user(Role.HOLDER)
    client = limited.test_client()
    statuses = []
    for who, label in [(alice, "a1"), (alice, "a2"), (alice, "a3"), (bob, "b1")]:
        login(who, to=client)
        statuses.append(client.post("/auth/tokens", data={"label": label}).status_code)
    assert statuses == [200, 200, 429, 200]
    labels = db.session.execute(select(ApiToken.label).order_by(ApiToken.label)).scalars().all()
    assert labels == ["a1", "a2", "b1"]


def test_the_api_answers_429_in_its_error_format(config):
    api_app = create_app({**config, **LIMITS})

    @api_app.get("/api/v1/limited-probe")
    @limiter.limit("1 per minute")
    def probe():
        return {"ok": True}

    client = api_app.test_client()
    assert client.get("/api/v1/limited-probe").status_code == 200
    response = client.get("/api/v1/limited-probe")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert "Try again in" in response.get_json()["error"]["message"]
    assert 0 < int(response.headers["Retry-After"]) <= 60


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"REDIS_URL": None}, "memory://"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/3"}, "redis://127.0.0.1:6379/3"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/3", "RATELIMIT_STORAGE_URI": "memory://"},
            "memory://",
        ),
    ],
)
def test_limits_are_kept_in_redis_whenever_redis_is_configured(config, settings, expected):
    built = create_app({**config, "RATELIMIT_STORAGE_URI": None, **settings})
    assert built.config["RATELIMIT_STORAGE_URI"] == expected
