"""Throttling on a live gunicorn with 4 workers whose limits are kept in Redis (IPR_REDIS_URL):
the limits hold across workers, per address and per account, for sign-in and registration.

Uses its own Redis database (IPR_TEST_THROTTLE_REDIS_URL, default db 13), emptied before and
after; skipped without Redis unless IPR_REQUIRE_REDIS=1."""

from __future__ import annotations

import http.client
import os
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from sqlalchemy import create_engine, func, select

from ipr_apps.config import Defaults
from ipr_apps.models import User
from tests.live import LiveServer, live_server, redis_call, temporary_database

REDIS_URL = os.environ.get("IPR_TEST_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/13")
# Under pytest-xdist the file runs on one worker: its tests share that Redis database.
pytestmark = pytest.mark.xdist_group("test_throttle_live")
WORKERS = 4
LOGIN_LIMIT = 10  # Defaults.LOGIN_RATE_LIMIT, per minute and address
ACCOUNT_LIMIT = 5  # the first of Defaults.LOGIN_ACCOUNT_RATE_LIMIT, per minute and account
SIGNUP_LIMIT = 10  # Defaults.SIGNUP_RATE_LIMIT, per hour and address
STRONG_PASSWORD = "Tunnel-Harbour-Violet-42"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    """The real configuration (default limits) behind one trusted proxy, limits in Redis."""
    try:
        redis_call(REDIS_URL, "flushdb")
    except redis.RedisError:
        if os.environ.get("IPR_REQUIRE_REDIS") == "1":
            pytest.fail(f"IPR_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    tmp = tmp_path_factory.mktemp("throttle-live")
    env = {
        "IPR_SECRET_KEY": f"throttle-{secrets.token_hex(16)}",
        "IPR_REDIS_URL": REDIS_URL,
        "IPR_PROXY_FIX_X_FOR": "1",  # X-Forwarded-For names the client, as nginx sets it
    }
    try:
        with (
            temporary_database("throttle", tmp) as url,
            live_server(url, tmp / "instance", workers=WORKERS, env=env, with_worker=False) as live,
        ):
            yield live
    finally:
        redis_call(REDIS_URL, "flushdb")


def test_the_defaults_are_what_this_test_counts_on():
    assert f"{LOGIN_LIMIT} per minute" == Defaults.LOGIN_RATE_LIMIT
    assert Defaults.LOGIN_ACCOUNT_RATE_LIMIT.startswith(f"{ACCOUNT_LIMIT} per minute")
    assert f"{SIGNUP_LIMIT} per hour" == Defaults.SIGNUP_RATE_LIMIT


class Browser:
    """One cookie session on the live server, with the CSRF token of its forms."""

    def __init__(self, base: str) -> None:
        self.netloc = urlsplit(base).netloc
        self.cookie = ""
        page = self.request("GET", "/auth/login", address="10.255.0.1")[1]
        self.csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def request(self, method: str, path: str, address: str, form: dict | None = None):
        headers = {"X-Forwarded-For": address, "Cookie": self.cookie}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": getattr(self, "csrf", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.netloc, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            cookie = response.getheader("Set-Cookie")
            if cookie and not self.cookie:
                self.cookie = cookie.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def sign_in(self, email: str, address: str) -> int:
        form = {"email": email, "password": "not-the-password-1"}
        return self.request("POST", "/auth/login", address, form)[0]


def in_parallel(calls) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_wrong_sign_ins_from_one_address_stop_at_the_limit_across_workers(server):
    browser = Browser(server.url)
    calls = [lambda i=i: browser.sign_in(f"person{i}@example.com", "10.1.0.1") for i in range(80)]
    statuses = in_parallel(calls)
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) <= LOGIN_LIMIT, statuses
    assert statuses.count(200) > 0
    assert browser.sign_in("someone@example.com", "10.1.0.2") == 200  # another address
    assert server.tracebacks() == []


def test_one_account_from_many_addresses_stops_at_the_account_limit(server):
    browser = Browser(server.url)
    calls = [
        lambda i=i: browser.sign_in(" Victim@Example.com", f"10.2.0.{i}")
        for i in range(1, 16)
        for _ in range(3)
    ]
    statuses = in_parallel(calls)
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) <= ACCOUNT_LIMIT, statuses
    assert statuses.count(200) > 0
    assert browser.sign_in("other@example.com", "10.2.0.1") == 200  # other accounts go on
    assert server.tracebacks() == []


def test_registration_from_one_address_stops_at_the_limit(server):
    registered = []

    def register(i: int) -> int:
        browser = Browser(server.url)  # a fresh session: each registration signs in
        form = {
            "kind": "holder", "name": f"Person {i}", "email": f"new{i}@example.com",
            "password": STRONG_PASSWORD, "confirm": STRONG_PASSWORD,
            "name_local": f"Holder {i}", "name_en": f"Holder {i}", "country": "CN",
            "registration_number": f"91{i:04d}", "address": "88 Keji Road",
            "legal_representative": "Zhang Min", "contact_person": f"Person {i}",
            "org_email": "", "phone": "+86 755",
        }  # fmt: skip
        status = browser.request("POST", "/auth/register", "10.3.0.1", form)[0]
        if status != 429:
            registered.append(i)
        return status

    statuses = in_parallel([lambda i=i: register(i) for i in range(SIGNUP_LIMIT + 6)])
    assert statuses.count(429) == 6, statuses
    assert len(registered) == SIGNUP_LIMIT
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            users = conn.execute(select(func.count()).select_from(User.__table__)).scalar_one()
    finally:
        engine.dispose()
    assert users <= SIGNUP_LIMIT
    assert server.tracebacks() == []
