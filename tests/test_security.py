"""Security baseline: headers, CSRF on every form, cookies, redirects, rate limits, errors."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint

from ipr_apps.models import Role
from ipr_apps.security import is_safe_next
from tests.conftest import PASSWORD, make_app


@pytest.fixture
def strict_app(app, config):
    """The real app with CSRF and rate limiting on, sharing the test database."""
    strict = make_app({**config, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True,
                       "LOGIN_RATE_LIMIT": "3 per minute"})  # fmt: skip
    yield strict
    from ipr_apps.db import db

    with strict.app_context():
        db.engine.dispose()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script(client, login, users_by_role):
    for user in [None, *[u for u in users_by_role.values() if u]]:
        test_client = client.application.test_client()
        if user:
            login(user, to=test_client)
        html = test_client.get("/home" if user else "/", follow_redirects=True).get_data(True)
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert "cdn.jsdelivr" not in html and "https://" not in re.sub(
            r'href="https://[^"]*"', "", html
        )


def test_bootstrap_is_served_locally(client):
    html = client.get("/").get_data(True)
    css = re.search(r'<link[^>]+href="([^"]*bootstrap[^"]*\.css)"', html).group(1)
    assert css.startswith("/bootstrap/static/")
    response = client.get(css)
    assert response.status_code == 200 and len(response.data) > 10_000
    response.close()


def test_every_post_route_refuses_a_request_without_csrf_token(strict_app, make_user, login):
    user = make_user(Role.ADMIN)
    client = login(user, to=strict_app.test_client())
    post_rules = [
        r
        for r in strict_app.url_map.iter_rules()
        if "POST" in r.methods and not r.rule.startswith("/api/")  # the API takes bearer tokens
    ]
    assert len(post_rules) >= 8
    for rule in post_rules:
        url = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)
        response = client.post(url, data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400, rule.rule
        assert b"form has expired" in response.data


def test_login_with_csrf_token_works_and_session_cookie_is_hardened(strict_app, make_user):
    user = make_user(Role.REVIEWER)
    client = strict_app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in this test


def test_session_cookie_is_secure_over_https(strict_app):
    response = strict_app.test_client().get("/auth/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_login_is_rate_limited(strict_app, make_user):
    user = make_user(Role.HOLDER)
    client = strict_app.test_client()
    statuses = []
    for _ in range(5):
        token = csrf_token(client.get("/auth/login").get_data(True))
        data = {"email": user.email, "password": "wrong-password-1", "csrf_token": token}
        statuses.append(client.post("/auth/login", data=data).status_code)
    assert statuses == [200, 200, 200, 429, 429]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user(Role.HOLDER)
    wrong = client.post("/auth/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post(
        "/auth/login", data={"email": "nobody@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(True))  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "Email or password is not correct." in wrong.get_data(True)


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/admin/", True),
        ("/applications/?status=draft", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_login_follows_only_safe_next(client, make_user):
    user = make_user(Role.ADMIN)
    data = {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    response = client.post("/auth/login", data=data)
    assert response.headers["Location"] == "/home"
    client.post("/auth/logout")
    data["next"] = "/admin/users"
    assert client.post("/auth/login", data=data).headers["Location"] == "/admin/users"


def test_unexpected_error_shows_a_plain_500_page_without_traceback(config, app):
    broken = make_app({**config, "TESTING": False})
    bp = Blueprint("boom", __name__)

    @bp.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    broken.register_blueprint(bp)
    response = broken.test_client().get("/boom")
    body = response.get_data(True)
    assert response.status_code == 500
    assert "Traceback" not in body and "secret internals" not in body
    assert 'data-testid="error-page"' in body
    from ipr_apps.db import db

    with broken.app_context():
        db.engine.dispose()


def test_logout_is_post_only(client, login, make_user):
    login(make_user(Role.HOLDER))
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/auth/profile").status_code == 200
    client.post("/auth/logout")
    assert client.get("/auth/profile").status_code == 302


def test_api_needs_a_bearer_token_not_a_csrf_token_or_cookie(strict_app, make_user, login):
    from ipr_apps.services import tokens

    holder = make_user(Role.HOLDER)
    _, raw = tokens.create_token(holder, "ci")
    client = login(holder, to=strict_app.test_client())  # a signed-in browser is not enough
    assert client.post("/api/v1/applications", json={"ipr_type": "trademark"}).status_code == 401
    response = client.post(
        "/api/v1/applications",
        json={"ipr_type": "trademark"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201 and response.json["status"] == "draft"
    assert "Set-Cookie" not in response.headers
