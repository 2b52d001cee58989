"""Figure: every state-changing web route refuses a forged request, and nothing changes.

Each POST route of the web pages is sent, by a signed-in user of the role that may use it and
on real objects, with no CSRF token, a wrong one, and a valid token of another user's session:
400 "form has expired" every time, and not one row of the database differs. The same requests
with the session's own token then get past the check (so the refusals were the token's doing).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for

from ipr_apps.db import db
from ipr_apps.models import Notification, Role, Status, today
from ipr_apps.services import tokens
from tests import factories
from tests.test_figures_access import FORM, _fingerprint, _routes, _stored_document
from tests.test_route_protection import (
    ACCESS,
    ADMIN,
    CASES,
    FILING,
    HOLDER,
    OFFICER,
    PUBLIC,
    REVIEWER,
    SIGNED_IN,
    STAFF,
)
from tests.test_security import strict_app  # noqa: F401  (the fixture: CSRF and limits on)

MIN_ATTEMPTS = 84  # the figure; the count grows with the routes
VARIANTS = ("missing", "wrong", "other session's")
ACTOR_FOR = {id(ADMIN): "admin", id(REVIEWER): "reviewer", id(STAFF): "reviewer",
             id(HOLDER): "holder", id(SIGNED_IN): "holder", id(FILING): "holder",
             id(OFFICER): "officer", id(CASES): "holder"}  # fmt: skip
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def objects(app) -> dict:
    holder = factories.make_user(Role.HOLDER)
    reviewer = factories.make_user(Role.REVIEWER)
    users = {"holder": holder, "reviewer": reviewer, "admin": factories.make_user(Role.ADMIN),
             "anonymous": None, "other": factories.make_user(Role.HOLDER),
             "officer": factories.make_user(Role.OFFICER)}  # fmt: skip
    application = factories.make_application(holder, Status.UNDER_REVIEW, claimed_by=reviewer)
    draft = factories.make_application(holder, Status.DRAFT)
    note = Notification(user_id=holder.id, application_id=draft.id, subject="s", body="b")
    db.session.add(note)
    recordation = factories.recordation_row(
        factories.make_application(holder, Status.APPROVED), valid_until=today() + timedelta(90)
    )
    db.session.commit()
    args = {"application_id": application.id, "recordation_id": recordation.id,
            "number": recordation.number, "document_id": _stored_document(draft.id, "a.pdf"),
            "token_id": tokens.create_token(holder, "t")[0].id, "notification_id": note.id,
            "user_id": factories.make_user(Role.HOLDER).id, "day": "2000-01-01",
            "message_id": 0, "job_id": 0, "session_id": 0,
            "token": "not-a-valid-token", "district_code": factories.make_district("5301").code,
            "organisation_id": holder.organisation_id,
            "case_id": 0, "request_id": 0, "doc_id": 0}  # fmt: skip
    return {"users": users, "args": args, "draft": draft.id}


def _client(app, user, login):
    client = app.test_client()
    return login(user, to=client) if user is not None else client


def _session_token(client, signed_in: bool) -> str:
    """A valid token of this client's session, read from a form as a browser would."""
    page = "/auth/profile" if signed_in else "/auth/login"
    return CSRF_INPUT.search(client.get(page).get_data(True)).group(1)


def test_every_post_route_refuses_forged_requests(strict_app, objects, login, capsys):  # noqa: F811
    users, args = objects["users"], objects["args"]
    other = _client(strict_app, users["other"], login)
    foreign = _session_token(other, signed_in=True)
    routes = [(r, m) for r, m in _routes(strict_app) if m == "POST"
              and not r.rule.startswith("/api/")]  # fmt: skip
    attempts, failures, controls = 0, [], []
    before = _fingerprint()
    for rule, _method in routes:
        access = ACCESS[rule.endpoint]
        user = users["anonymous" if access == PUBLIC else ACTOR_FOR[id(access)]]
        with strict_app.test_request_context():
            url = url_for(rule.endpoint, **{a: args[a] for a in rule.arguments})
        client = _client(strict_app, user, login)
        own = _session_token(client, signed_in=user is not None)
        for variant, token in zip(VARIANTS, (None, "forged-" + own[::-1], foreign), strict=True):
            data = FORM if token is None else {**FORM, "csrf_token": token}
            response = client.post(url, data=data)
            attempts += 1
            db.session.expire_all()
            if response.status_code != 400 or b"form has expired" not in response.data:
                failures.append(f"{url} with {variant} token: {response.status_code}")
            elif _fingerprint() != before:
                failures.append(f"{url} with {variant} token changed the database")
        controls.append((client, url, own))
    for client, url, own in controls:  # the same request with the right token passes the check
        response = client.post(url, data={**FORM, "csrf_token": own})
        if response.status_code == 400 and b"form has expired" in response.data:
            failures.append(f"{url}: refused even with the session's own token")
    with capsys.disabled():
        print(f"\n[figure] CSRF: {attempts} forged POSTs on {len(routes)} routes, "
              f"{attempts - len(failures)} refused")  # fmt: skip
    assert failures == [], "\n".join(failures)
    assert attempts >= MIN_ATTEMPTS and attempts == len(VARIANTS) * len(routes)
