"""Bad input is a 400, never a 500: NUL characters in any form field or query of any page for
any role (PostgreSQL cannot store them), JSON bodies nested beyond reason, deep cursors."""

from __future__ import annotations

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from ipr_apps.api.parsing import MAX_JSON_DEPTH
from ipr_apps.db import db
from ipr_apps.forms import AppForm, leaf_fields
from ipr_apps.models import Role, Status
from tests.api_helpers import assert_error, bearer, token_for
from tests.conftest import PASSWORD

ROLES = ["anonymous", Role.HOLDER, Role.REVIEWER, Role.ADMIN, Role.OFFICER]
NUL_TEXT = "a\x00b"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def form_fields(app) -> dict[str, str]:
    """Every field name of every page's form (nested rows included) → its WTForms type."""
    fields: dict[str, str] = {}
    with app.test_request_context(method="POST"):
        for form_class in set(_subclasses(AppForm)):
            for field in leaf_fields(form_class()).values():
                fields[field.name] = field.type
    return fields


def text_fields(app) -> list[str]:
    return sorted(name for name, kind in form_fields(app).items() if kind != "FileField")


def row_counts() -> dict[str, int]:
    db.session.rollback()
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def url_for_rule(rule, object_id: int) -> str:
    url = re.sub(r"<(?:int:)?[a-z_]+>", str(object_id), rule.rule)
    url = re.sub(r"<string:[a-z_]+>", "2030-01-01", url)
    return re.sub(r"<path:[a-z_]+>", "css/app.css", url)


def page_rules(app, method: str) -> list:
    rules = [r for r in app.url_map.iter_rules() if method in r.methods]
    return [r for r in rules if not r.rule.startswith("/api/")]


@pytest.fixture
def world(make_user, make_application, login, client):
    """One user per role and an application each of them may act on; `as_(role)` signs in."""
    users = {role: make_user(role) for role in ROLES[1:]}
    application = make_application(
        users[Role.HOLDER], Status.UNDER_REVIEW, claimed_by=users[Role.REVIEWER]
    )

    def as_(role):
        test_client = client.application.test_client()
        return test_client if role == "anonymous" else login(users[role], to=test_client)

    return users, application, as_


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_form_of_every_role_refuses_nul_in_its_fields(app, world, role):
    _users, application, as_ = world
    client = as_(role)
    data = dict.fromkeys(text_fields(app), NUL_TEXT)
    before = row_counts()
    rules = page_rules(app, "POST")
    assert len(rules) >= 30
    for rule in rules:
        response = client.post(url_for_rule(rule, application.id), data=data)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "NUL character" in response.get_data(True), rule.rule
    assert row_counts() == before


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_a_nul_in_any_single_field_is_refused(app, world, role):
    _users, application, as_ = world
    client = as_(role)
    clean = dict.fromkeys(text_fields(app), "x")
    url = "/auth/login" if role == "anonymous" else f"/applications/{application.id}/edit"
    before = row_counts()
    for name in clean:
        response = client.post(url, data={**clean, name: NUL_TEXT})
        assert response.status_code == 400, name
    response = client.post(url, data={**clean, "name\x00": "x"})
    assert response.status_code == 400  # in a field's name, too
    assert row_counts() == before


def test_sign_in_and_registration_with_nul_are_400_and_sign_nobody_in(app, world):
    users, _application, as_ = world
    client = as_("anonymous")
    holder = users[Role.HOLDER]
    response = client.post(
        "/auth/login", data={"email": holder.email, "password": PASSWORD + "\x00"}
    )
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session
    before = row_counts()
    response = client.post("/auth/register", data={"email": "new@example.com", "name": NUL_TEXT})
    assert response.status_code == 400 and row_counts() == before


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_page_of_every_role_refuses_nul_in_its_query(app, world, role):
    _users, application, as_ = world
    client = as_(role)
    for rule in page_rules(app, "GET"):
        response = client.get(url_for_rule(rule, application.id) + "?q=a%00b")
        assert response.status_code == 400, (rule.rule, response.status_code)


def test_the_review_search_with_nul_is_400(world):
    _users, _application, as_ = world
    response = as_(Role.REVIEWER).get("/review/?q=a%00b")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(True)


def test_uploads_with_nul_in_a_field_or_the_file_name_are_400(world):
    _users, application, as_ = world
    client = as_(Role.HOLDER)
    url = f"/applications/{application.id}/documents"
    before = row_counts()
    for doc_type, name in [(NUL_TEXT, "cert.pdf"), ("ipr_certificate", "cert\x00.pdf")]:
        data = {"doc_type": doc_type, "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), name)}
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 400
    assert row_counts() == before


def test_the_api_refuses_nul_in_its_query_in_its_error_format(client, make_user):
    headers = bearer(token_for(make_user(Role.HOLDER)))
    response = client.get("/api/v1/applications?status=a%00b", headers=headers)
    assert response.status_code == 400
    assert "NUL character" in assert_error(response.get_json(), 400)["message"]


# --------------------------------------------------------------------------- deep JSON


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def json_routes(client) -> list[tuple[str, str]]:
    """Every API operation whose published request body is JSON: (method, path template)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in {"post", "put", "patch"}
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


ACTS_ON = {"decision": Role.REVIEWER, "screening": Role.OFFICER}  # path's last part → role


@pytest.mark.parametrize("depth", [100_000, 1_000, MAX_JSON_DEPTH + 1])
def test_deeply_nested_json_is_400_in_the_api_error_format(client, world, json_routes, depth):
    users, application, _as = world
    roles = (Role.HOLDER, Role.REVIEWER, Role.OFFICER)
    headers = {role: bearer(token_for(users[role])) for role in roles}
    before = row_counts()
    assert len(json_routes) >= 4
    for method, path in json_routes:
        role = ACTS_ON.get(path.rsplit("/", 1)[-1], Role.HOLDER)
        response = client.open(
            re.sub(r"\{[a-z_]+\}", str(application.id), path),
            method=method,
            data=nested(depth),
            content_type="application/json",
            headers=headers[role],
        )
        assert response.status_code == 400, (method, path, response.status_code)
        error = assert_error(response.get_json(), 400)
        assert error["code"] == "bad_request" and "nested too deeply" in error["message"]
    assert row_counts() == before


def test_json_as_deep_as_allowed_is_parsed_and_validated(client, world):
    users, _application, _as = world
    body = '{"ipr_type": "trademark", "holder": ' + nested(MAX_JSON_DEPTH - 1) + "}"
    response = client.post(
        "/api/v1/applications",
        data=body,
        content_type="application/json",
        headers=bearer(token_for(users[Role.HOLDER])),
    )
    assert response.status_code == 422  # validated: `holder` must be an object


@pytest.mark.parametrize("path", ["/applications/", "/review/", "/api/v1/applications"])
def test_a_deeply_nested_cursor_is_the_first_page(world, path):
    """Pages fall back to the first page; the API says the cursor is not one it gave (422)."""
    users, _application, as_ = world
    cursor = base64.urlsafe_b64encode(nested(50_000).encode()).decode().rstrip("=")
    role = Role.REVIEWER if path.startswith("/review") else Role.HOLDER
    client = as_(role)
    api = path.startswith("/api/")
    headers = bearer(token_for(users[role])) if api else {}
    response = client.get(f"{path}?cursor={cursor}", headers=headers)
    assert response.status_code == (422 if api else 200)
    if api:
        assert list(response.get_json()["error"]["fields"]) == ["cursor"]
