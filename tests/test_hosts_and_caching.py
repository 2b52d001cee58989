"""Small leaks: e-mail links come from BASE_URL (never the request's Host), untrusted hosts are
refused, and no API answer may be kept by a cache."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipr_apps import create_app
from ipr_apps.auth.signin import SESSION_KEY
from ipr_apps.db import db
from ipr_apps.models import Application, OutboxMessage, Role, Status
from ipr_apps.services import sessions
from tests.api_helpers import bearer, token_for

BASE = "https://ipr.example.gov/portal"
LOCAL = ["localhost", "127.0.0.1"]


@pytest.fixture
def under_review(make_user, make_application):
    holder, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    return make_application(holder, Status.UNDER_REVIEW, claimed_by=reviewer), reviewer


def ask_for_information(client, application, **kwargs):
    return client.post(
        f"/review/{application.id}/request-info",
        data={"message": "Send the certificate, please."},
        **kwargs,
    )


def outbox_bodies() -> list[str]:
    return list(db.session.execute(select(OutboxMessage.body)).scalars())


@pytest.mark.parametrize(
    "how",
    [
        {"base_url": "http://evil.example"},
        {"headers": {"Host": "evil.example"}},
        {"base_url": "http://localhost.evil.example:5000"},
    ],
)
def test_a_reviewers_request_with_an_untrusted_host_is_refused_and_mails_nobody(
    client, login, under_review, how
):
    application, reviewer = under_review
    response = ask_for_information(login(reviewer), application, **how)
    assert response.status_code == 400
    assert "Host" in response.get_data(True)
    assert db.session.get(Application, application.id).status == Status.UNDER_REVIEW
    assert outbox_bodies() == []


def test_e_mails_queued_by_a_request_carry_base_urls_host(app, client, under_review, monkeypatch):
    application, reviewer = under_review
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    local = "http://127.0.0.1:5000"  # trusted, but not BASE_URL's host
    _, raw = sessions.start(reviewer, "127.0.0.1", "pytest")
    with client.session_transaction(base_url=local) as session:
        session["_user_id"] = str(reviewer.id)
        session[SESSION_KEY] = raw
    response = ask_for_information(client, application, base_url=local)
    assert response.status_code == 302
    assert db.session.get(Application, application.id).status == Status.INFO_REQUESTED
    [body] = outbox_bodies()
    assert f"{BASE}/applications/{application.id}" in body
    assert "127.0.0.1" not in body and "localhost" not in body


def test_public_url_still_works_as_the_old_name_of_base_url(
    app, client, login, under_review, monkeypatch
):
    application, reviewer = under_review
    monkeypatch.setitem(app.config, "BASE_URL", None)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://old.example.gov")
    assert ask_for_information(login(reviewer), application).status_code == 302
    [body] = outbox_bodies()
    assert f"https://old.example.gov/applications/{application.id}" in body


@pytest.mark.parametrize(
    ("settings", "trusted"),
    [
        ({}, LOCAL),
        ({"BASE_URL": "https://ipr.example.gov/portal"}, ["ipr.example.gov", *LOCAL]),
        ({"PUBLIC_URL": "http://old.example.gov:8080"}, ["old.example.gov", *LOCAL]),
        ({"BASE_URL": "http://127.0.0.1:5000"}, LOCAL),
        ({"TRUSTED_HOSTS": [".gov.example"], "BASE_URL": "http://a.gov.example"}, [".gov.example"]),
    ],
)  # fmt: skip
def test_trusted_hosts_default_to_base_urls_host_and_this_machine(config, settings, trusted):
    built = create_app({**config, "BASE_URL": None, "PUBLIC_URL": None, **settings})
    assert built.config["TRUSTED_HOSTS"] == trusted


@pytest.mark.parametrize(
    ("host", "status"),
    [("ipr.example.gov", 200), ("127.0.0.1:8000", 200), ("localhost", 200), ("evil.example", 400)],
)
def test_only_trusted_hosts_get_pages(config, host, status):
    built = create_app({**config, "BASE_URL": "https://ipr.example.gov"})
    response = built.test_client().get("/auth/login", headers={"Host": host})
    assert response.status_code == status


def test_the_api_refuses_an_untrusted_host_in_its_error_format(client):
    response = client.get("/api/v1/applications", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/applications", 200),
        ("/api/v1/stats?by=year&from=2024-01-01&to=2024-12-31", 200),
        ("/api/v1/openapi.json", 200),
        ("/api/v1/no-such-thing", 404),
    ],
)
def test_every_api_answer_is_no_store(client, make_user, path, status):
    headers = bearer(token_for(make_user(Role.ADMIN)))
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"
    unauthorised = client.get("/api/v1/applications")
    assert unauthorised.status_code == 401
    assert unauthorised.headers["Cache-Control"] == "no-store"
