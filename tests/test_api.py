"""The JSON API v1: every endpoint × role, the whole journey, examples, limits and error shape."""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Application, Decision, Role, Status, StatusEvent
from ipr_apps.services import filing, review, tokens
from tests.api_helpers import API, PDF_BYTES, PNG_BYTES, assert_error, bearer, token_for
from tests.factories import add_required_documents, complete_payload, grant_mandate

ROLES = [
    "anonymous", "bad_token", "revoked_token", "owner", "other_holder", "agent",
    "reviewer", "claimant", "admin",
]  # fmt: skip
UNAUTHENTICATED = ("anonymous", "bad_token", "revoked_token")


# --------------------------------------------------------------------------- fixtures


@dataclass
class Actors:
    users: dict
    tokens: dict[str, str | None]

    def headers(self, role: str) -> dict[str, str]:
        return bearer(self.tokens[role])


@pytest.fixture
def actors(make_user) -> Actors:
    owner = make_user(Role.HOLDER)
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, owner)
    users = {
        "owner": owner,
        "other_holder": make_user(Role.HOLDER),
        "agent": agent,
        "reviewer": make_user(Role.REVIEWER),
        "claimant": make_user(Role.REVIEWER),
        "admin": make_user(Role.ADMIN),
    }
    raw = {role: token_for(user) for role, user in users.items()}
    revoked_row, revoked = tokens.create_token(owner, "revoked")
    tokens.revoke_token(owner, revoked_row.id)
    raw.update(anonymous=None, bad_token="ipr_" + "x" * 43, revoked_token=revoked)
    return Actors(users, raw)


def application_in(actors: Actors, state: str) -> int:
    """A complete application filed by the agent for the owner, brought to `state`."""
    agent, owner = actors.users["agent"], actors.users["owner"]
    claimant = actors.users["claimant"]
    draft = filing.create_draft(agent, "trademark", complete_payload(), owner.organisation_id)
    add_required_documents(draft)
    app_id = draft.id
    if state == "draft":
        return app_id
    filing.submit(owner, app_id)
    if state == "submitted":
        return app_id
    review.claim(claimant, app_id)
    if state == "under_review":
        return app_id
    if state == "info_requested":
        review.request_info(claimant, app_id, "Send the licence.")
    elif state == "approved":
        review.approve(claimant, app_id)
    else:
        raise AssertionError(state)
    return app_id


def openapi(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def request_example(spec: dict, path: str, method: str) -> dict:
    body = spec["paths"][f"{API}{path}"][method]["requestBody"]["content"]["application/json"]
    return copy.deepcopy(body["example"])


def upload(client, headers, app_id: int, doc_type: str, data: bytes, name: str):
    return client.post(
        f"{API}/applications/{app_id}/documents",
        data={"doc_type": doc_type, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def check_response(response, expected: int) -> None:
    """The status, JSON (never HTML), no cookie; errors in the error shape."""
    body = response.get_data(as_text=True)
    assert response.status_code == expected, body[:500]
    assert response.mimetype == "application/json", body[:300]
    assert "Set-Cookie" not in response.headers
    if expected >= 400:
        error = assert_error(response.get_json())
        if expected == 401:
            assert error["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


# --------------------------------------------------------------------------- endpoint × role

STATS_QUERY = "?by=year&from=2020-01-01&to=2030-12-31"
U = dict.fromkeys(UNAUTHENTICATED, 401)


def codes(owner, other, agent, reviewer, claimant, admin) -> dict[str, int]:
    found = {"owner": owner, "other_holder": other, "agent": agent, "reviewer": reviewer,
             "claimant": claimant, "admin": admin}  # fmt: skip
    return {**U, **found}


# name: (method, path (with {id}), body kind, application state or None, expected by role)
MATRIX = {
    "create": ("POST", "/applications", "create", None, codes(201, 201, 201, 403, 403, 403)),
    "list": ("GET", "/applications", None, "submitted", codes(200, 200, 200, 200, 200, 200)),
    "get": ("GET", "/applications/{id}", None, "under_review",
            codes(200, 404, 200, 200, 200, 200)),
    "patch-draft": ("PATCH", "/applications/{id}", "patch", "draft",
                    codes(200, 404, 200, 403, 403, 403)),
    "patch-info-requested": ("PATCH", "/applications/{id}", "patch", "info_requested",
                             codes(200, 404, 200, 403, 403, 403)),
    "patch-submitted": ("PATCH", "/applications/{id}", "patch", "submitted",
                        codes(409, 404, 409, 403, 403, 403)),
    "upload-draft": ("POST", "/applications/{id}/documents", "upload", "draft",
                     codes(201, 404, 201, 403, 403, 403)),
    "upload-submitted": ("POST", "/applications/{id}/documents", "upload", "submitted",
                         codes(409, 404, 409, 403, 403, 403)),
    "list-documents": ("GET", "/applications/{id}/documents", None, "draft",
                       codes(200, 404, 200, 200, 200, 200)),
    "submit-draft": ("POST", "/applications/{id}/submit", None, "draft",
                     codes(200, 404, 200, 403, 403, 403)),
    "submit-under-review": ("POST", "/applications/{id}/submit", None, "under_review",
                            codes(409, 404, 409, 403, 403, 403)),
    "withdraw-submitted": ("POST", "/applications/{id}/withdraw", None, "submitted",
                           codes(200, 404, 200, 403, 403, 403)),
    "withdraw-approved": ("POST", "/applications/{id}/withdraw", None, "approved",
                          codes(409, 404, 409, 403, 403, 403)),
    "claim-submitted": ("POST", "/applications/{id}/claim", None, "submitted",
                        codes(403, 403, 403, 200, 200, 403)),
    "claim-claimed": ("POST", "/applications/{id}/claim", None, "under_review",
                      codes(403, 403, 403, 409, 409, 403)),
    "release-claimed": ("POST", "/applications/{id}/release", None, "under_review",
                        codes(403, 403, 403, 403, 200, 200)),
    "release-submitted": ("POST", "/applications/{id}/release", None, "submitted",
                          codes(403, 403, 403, 409, 409, 409)),
    "decision-claimed": ("POST", "/applications/{id}/decision", "decision", "under_review",
                         codes(403, 403, 403, 403, 200, 403)),
    "decision-submitted": ("POST", "/applications/{id}/decision", "decision", "submitted",
                           codes(403, 403, 403, 409, 409, 403)),
    "stats": ("GET", "/stats" + STATS_QUERY, None, None, codes(403, 403, 403, 403, 403, 200)),
}  # fmt: skip


def send(client, actors: Actors, role: str, method: str, path: str, kind, app_id):
    spec = openapi(client)
    headers = actors.headers(role)
    url = API + path.format(id=app_id)
    if kind == "upload":
        return upload(client, headers, app_id, "other", PDF_BYTES, "extra.pdf")
    body = None
    if kind == "create":
        body = {"ipr_type": "trademark"}
        if role == "agent":
            body["holder_org_id"] = actors.users["owner"].organisation_id
    elif kind == "patch":
        body = request_example(spec, "/applications/{application_id}", "patch")
    elif kind == "decision":
        body = request_example(spec, "/applications/{application_id}/decision", "post")
    return client.open(url, method=method, json=body, headers=headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_endpoint_role_matrix(client, actors, endpoint, role):
    method, path, kind, state, expected = MATRIX[endpoint]
    app_id = application_in(actors, state) if state else None

    response = send(client, actors, role, method, path, kind, app_id)

    check_response(response, expected[role])


@pytest.mark.parametrize("role", ROLES)
def test_openapi_document_is_public(client, actors, role):
    response = client.get(f"{API}/openapi.json", headers=actors.headers(role))
    check_response(response, 200)
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    app_path = f"{API}/applications/{{application_id}}"
    assert operations >= {
        ("POST", f"{API}/applications"), ("GET", f"{API}/applications"),
        ("GET", app_path), ("PATCH", app_path),
        ("POST", f"{app_path}/documents"), ("GET", f"{app_path}/documents"),
        *{("POST", f"{app_path}/{action}")
          for action in ("submit", "withdraw", "claim", "release", "decision")},
        ("GET", f"{API}/stats"),
    }  # fmt: skip


ID_ENDPOINTS = [
    ("GET", "", "owner"), ("PATCH", "", "owner"), ("GET", "/documents", "reviewer"),
    ("POST", "/documents", "owner"), ("POST", "/submit", "owner"),
    ("POST", "/withdraw", "owner"), ("POST", "/claim", "reviewer"),
    ("POST", "/release", "admin"), ("POST", "/decision", "claimant"), ("GET", "", "admin"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "suffix", "role"), ID_ENDPOINTS)
def test_missing_application_is_404(client, actors, method, suffix, role):
    url = f"{API}/applications/999999{suffix}"
    if suffix == "/documents" and method == "POST":
        response = upload(client, actors.headers(role), 999999, "other", PDF_BYTES, "a.pdf")
    else:
        body = {"outcome": "approve"} if suffix == "/decision" else None
        if method == "PATCH":
            body = {"goods": []}
        response = client.open(url, method=method, json=body, headers=actors.headers(role))
    check_response(response, 404)


# --------------------------------------------------------------------------- the journey


def test_whole_journey_with_the_published_examples(client, runner, actors):
    spec = openapi(client)
    create_example = request_example(spec, "/applications", "post")
    decision_example = request_example(spec, "/applications/{application_id}/decision", "post")
    assert decision_example["outcome"] == "request_info"
    holder = actors.headers("other_holder")  # a holder filing for itself, no agency
    officer = actors.headers("claimant")
    admin = actors.headers("admin")

    created = client.post(f"{API}/applications", json=create_example, headers=holder)
    check_response(created, 201)
    application = created.get_json()
    app_id = application["id"]
    assert application["status"] == "draft"
    assert application["recordation_number"] is None and application["valid_until"] is None
    assert application["holder"]["name_en"] == create_example["holder"]["name_en"]
    assert application["right"]["registration_number"] == "TM-32145876"
    app_url = f"{API}/applications/{app_id}"

    incomplete = client.post(f"{app_url}/submit", headers=holder)
    check_response(incomplete, 422)
    fields = incomplete.get_json()["error"]["fields"]
    assert set(fields) == {"documents"}, fields  # the example is otherwise complete
    assert len(fields["documents"]) == 2

    pdf = upload(client, holder, app_id, "ipr_certificate", PDF_BYTES, "certificate.pdf")
    check_response(pdf, 201)
    assert pdf.get_json()["content_type"] == "application/pdf"
    assert pdf.get_json()["size_bytes"] == len(PDF_BYTES)
    png = upload(client, holder, app_id, "identity_proof", PNG_BYTES, "licence.png")
    check_response(png, 201)
    assert png.get_json()["content_type"] == "image/png"
    listed = client.get(f"{app_url}/documents", headers=officer)
    check_response(listed, 200)
    assert [d["doc_type"] for d in listed.get_json()] == ["ipr_certificate", "identity_proof"]

    submitted = client.post(f"{app_url}/submit", headers=holder)
    check_response(submitted, 200)
    assert submitted.get_json()["status"] == "submitted"
    assert submitted.get_json()["due_on"] is not None

    check_response(client.post(f"{app_url}/claim", headers=officer), 200)
    asked = client.post(f"{app_url}/decision", json=decision_example, headers=officer)
    check_response(asked, 200)
    assert asked.get_json()["status"] == "info_requested"
    (request,) = asked.get_json()["information_requests"]
    assert request["message"] == decision_example["reason"]

    unanswered = client.post(f"{app_url}/submit", headers=holder)
    check_response(unanswered, 422)
    assert "response" in unanswered.get_json()["error"]["fields"]
    answer = {"response": "Licence contract attached."}
    check_response(
        upload(client, holder, app_id, "licence_contract", PDF_BYTES, "licence.pdf"), 201
    )
    resubmitted = client.post(f"{app_url}/submit", json=answer, headers=holder)
    check_response(resubmitted, 200)
    assert resubmitted.get_json()["status"] == "submitted"
    assert resubmitted.get_json()["information_requests"][0]["response"] == answer["response"]

    check_response(client.post(f"{app_url}/claim", headers=officer), 200)
    approved = client.post(f"{app_url}/decision", json={"outcome": "approve"}, headers=officer)
    check_response(approved, 200)
    body = approved.get_json()
    assert body["status"] == "approved"
    assert body["recordation_number"] and body["valid_until"]
    assert body["decision"]["outcome"] == "approved"

    shown = client.get(app_url, headers=holder)
    check_response(shown, 200)
    assert shown.get_json()["recordation_number"] == body["recordation_number"]
    assert shown.get_json()["valid_until"] == body["valid_until"]

    again = client.post(
        f"{app_url}/decision",
        json={"outcome": "reject", "reason": "Late.", "reason_codes": ["other"]},
        headers=officer,
    )
    check_response(again, 409)
    assert len(list(db.session.execute(select(Decision)).scalars())) == 1

    year = date.today().year
    for extra in ([], ["--group-by", "ipr_type"]):
        query = f"by=month&from={year}-01-01&to={year}-12-31"
        if extra:
            query += "&group_by=ipr_type"
        stats = client.get(f"{API}/stats?{query}", headers=admin)
        check_response(stats, 200)
        cli = runner.invoke(
            args=["ipr", "export-stats", "--by", "month", "--from", f"{year}-01-01",
                  "--to", f"{year}-12-31", *extra, "--format", "json"]
        )  # fmt: skip
        assert cli.exit_code == 0, cli.output
        assert stats.get_json() == json.loads(cli.output)
        assert sum(row["approved"] for row in stats.get_json()) == 1


# --------------------------------------------------------------------------- patch


def test_patch_replaces_only_the_groups_sent_and_is_409_after_submit(client, actors):
    spec = openapi(client)
    holder = actors.headers("other_holder")
    create_example = request_example(spec, "/applications", "post")
    patch_example = request_example(spec, "/applications/{application_id}", "patch")
    app_id = client.post(f"{API}/applications", json=create_example, headers=holder).get_json()[
        "id"
    ]
    url = f"{API}/applications/{app_id}"
    before = client.get(url, headers=holder).get_json()

    patched = client.patch(url, json=patch_example, headers=holder)
    check_response(patched, 200)
    after = patched.get_json()
    assert [g["name"] for g in after["goods"]] == [g["name"] for g in patch_example["goods"]]
    for group in ("holder", "right", "licensees", "infringers", "traders", "ports"):
        assert after[group] == before[group], group

    holder_only = client.patch(url, json={"holder": {"phone": "+86 1"}}, headers=holder)
    check_response(holder_only, 200)
    assert holder_only.get_json()["goods"] == after["goods"]
    assert holder_only.get_json()["holder"]["phone"] == "+86 1"

    cleared = client.patch(url, json={"infringers": []}, headers=holder)
    check_response(cleared, 200)
    assert cleared.get_json()["infringers"] == []
    assert cleared.get_json()["licensees"] == before["licensees"]

    for doc_type, data, name in (("ipr_certificate", PDF_BYTES, "c.pdf"),
                                 ("identity_proof", PNG_BYTES, "i.png")):  # fmt: skip
        check_response(upload(client, holder, app_id, doc_type, data, name), 201)
    check_response(client.post(f"{url}/submit", headers=holder), 200)
    locked = client.patch(url, json=patch_example, headers=holder)
    check_response(locked, 409)
    assert client.get(url, headers=holder).get_json()["goods"] == after["goods"]


def test_patch_example_succeeds_on_info_requested(client, actors):
    spec = openapi(client)
    patch_example = request_example(spec, "/applications/{application_id}", "patch")
    app_id = application_in(actors, "info_requested")
    response = client.patch(
        f"{API}/applications/{app_id}", json=patch_example, headers=actors.headers("owner")
    )
    check_response(response, 200)
    assert response.get_json()["status"] == "info_requested"


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "approve"},
        {"outcome": "reject", "reason": "Forged.", "reason_codes": ["false_information"]},
        {"outcome": "request_info", "reason": "More, please.", "reply_by": "2999-01-01"},
    ],
)
def test_each_decision_outcome(client, actors, body):
    app_id = application_in(actors, "under_review")
    response = client.post(
        f"{API}/applications/{app_id}/decision", json=body, headers=actors.headers("claimant")
    )
    check_response(response, 200)
    expected = {"approve": "approved", "reject": "rejected", "request_info": "info_requested"}
    assert response.get_json()["status"] == expected[body["outcome"]]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"outcome": "maybe"},
        {"outcome": "reject"},
        {"outcome": "reject", "reason": "No.", "reason_codes": ["nonsense"]},
        {"outcome": "request_info"},
        {"outcome": "request_info", "reason": "x", "reply_by": "2000-01-01"},
        {"outcome": "approve", "unknown": 1},
    ],
)
def test_invalid_decisions_are_422(client, actors, body):
    app_id = application_in(actors, "under_review")
    response = client.post(
        f"{API}/applications/{app_id}/decision", json=body, headers=actors.headers("claimant")
    )
    check_response(response, 422)
    assert response.get_json()["error"]["fields"]
    assert db.session.get(Application, app_id).status == Status.UNDER_REVIEW


# --------------------------------------------------------------------------- list


def test_list_filters_and_cursor_pagination(client, actors):
    owner, other = actors.users["owner"], actors.users["other_holder"]
    mine = [filing.create_draft(owner, "trademark").id for _ in range(4)]
    mine.append(filing.create_draft(owner, "copyright").id)
    theirs = [filing.create_draft(other, "trademark").id for _ in range(2)]
    filing.withdraw(owner, mine[0])

    def pages(role: str, query: str = "") -> list[list[int]]:
        found, cursor = [], None
        while True:
            url = f"{API}/applications?limit=2{query}" + (f"&cursor={cursor}" if cursor else "")
            response = client.get(url, headers=actors.headers(role))
            check_response(response, 200)
            body = response.get_json()
            found.append([item["id"] for item in body["items"]])
            cursor = body["next"]
            if cursor is None:
                return found
            assert len(found) < 10, "pagination does not end"

    owner_pages = pages("owner")
    assert [len(p) for p in owner_pages] == [2, 2, 1]
    assert [i for page in owner_pages for i in page] == sorted(mine, reverse=True)
    assert pages("agent") == owner_pages  # the agency represents the owner
    assert [i for p in pages("other_holder") for i in p] == sorted(theirs, reverse=True)
    assert sorted(i for p in pages("reviewer") for i in p) == sorted(mine + theirs)
    assert sorted(i for p in pages("admin") for i in p) == sorted(mine + theirs)
    assert pages("owner", "&status=withdrawn") == [[mine[0]]]
    assert pages("owner", "&ipr_type=copyright") == [[mine[4]]]
    assert pages("reviewer", "&status=draft&ipr_type=trademark") == [
        [theirs[1], theirs[0]],
        [mine[3], mine[2]],
        [mine[1]],
    ]


@pytest.mark.parametrize("query", ["status=nope", "ipr_type=car", "limit=0", "limit=101",
                                   "limit=x", "cursor=garbage", "cursor=e30"])  # fmt: skip
def test_list_rejects_invalid_filters(client, actors, query):
    response = client.get(f"{API}/applications?{query}", headers=actors.headers("owner"))
    check_response(response, 422)
    assert response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "query",
    ["", "by=year", "by=decade&from=2020-01-01&to=2020-12-31",
     "by=year&from=2020-13-01&to=2020-12-31", "by=year&from=2020-01-01&to=2020-12-31&group_by=x"],
)  # fmt: skip
def test_stats_rejects_invalid_queries(client, actors, query):
    response = client.get(f"{API}/stats?{query}", headers=actors.headers("admin"))
    check_response(response, 422)


# --------------------------------------------------------------------------- limits and input


def test_upload_over_the_document_limit_is_413(app, client, actors, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 64)
    app_id = application_in(actors, "draft")
    response = upload(client, actors.headers("owner"), app_id, "other", PDF_BYTES, "big.pdf")
    check_response(response, 413)
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large" and "file" in error["fields"]
    assert len(client.get(f"{API}/applications/{app_id}/documents",
                          headers=actors.headers("owner")).get_json()) == 3  # fmt: skip


def test_request_over_max_content_length_is_413(app, client, actors, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    app_id = application_in(actors, "draft")
    big = PDF_BYTES + b"%" * 4096
    response = upload(client, actors.headers("owner"), app_id, "other", big, "big.pdf")
    check_response(response, 413)
    big_json = {"goods": [{"name": "x" * 300}] * 20}
    response = client.patch(
        f"{API}/applications/{app_id}", json=big_json, headers=actors.headers("owner")
    )
    check_response(response, 413)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"trademark"', "application/json"),
        ("ipr_type=trademark", "application/x-www-form-urlencoded"),
        ("ipr_type: trademark", "text/plain"),
        ("", "application/json"),
        ('{"ipr_type": "car"}', "application/json"),
        ('{"ipr_type": "trademark", "goods": {"name": 1}}', "application/json"),
        ('{"ipr_type": "trademark", "holder": {"country": "CHN"}}', "application/json"),
        ('{"ipr_type": "trademark", "goods": [{"price_min": "NaN"}]}', "application/json"),
    ],
)
def test_bad_bodies_are_json_errors(client, actors, content, content_type):
    response = client.post(
        f"{API}/applications",
        data=content.encode(),
        content_type=content_type,
        headers=actors.headers("owner"),
    )
    assert response.status_code in (400, 415, 422), response.get_data(as_text=True)[:300]
    check_response(response, response.status_code)
    assert db.session.execute(select(Application)).first() is None


@pytest.mark.parametrize(
    ("form", "files"),
    [
        ({"doc_type": "selfie"}, True),
        ({}, True),
        ({"doc_type": "other"}, False),
        ({"doc_type": "other", "text": "x"}, "text"),
    ],
)
def test_bad_uploads_are_422(client, actors, form, files):
    app_id = application_in(actors, "draft")
    data = dict(form)
    if files is True:
        data["file"] = (io.BytesIO(PDF_BYTES), "a.pdf")
    elif files == "text":
        data["file"] = (io.BytesIO(b"just text"), "a.txt")
    response = client.post(
        f"{API}/applications/{app_id}/documents",
        data=data,
        content_type="multipart/form-data",
        headers=actors.headers("owner"),
    )
    check_response(response, 422)
    assert response.get_json()["error"]["fields"]


def test_unknown_paths_and_methods_answer_json(client, actors):
    headers = actors.headers("owner")
    check_response(client.get(f"{API}/nothing-here", headers=headers), 404)
    check_response(client.delete(f"{API}/applications", headers=headers), 405)
    check_response(client.put(f"{API}/applications/1", json={}, headers=headers), 405)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token ipr_abc", "Bearer ipr_abc",
     "Bearer not-our-prefix", "bearer   "],
)  # fmt: skip
def test_malformed_authorization_is_401(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    check_response(client.get(f"{API}/applications", headers=headers), 401)


def test_deactivated_user_token_is_401(client, actors):
    holder = actors.users["owner"]
    holder.active = False
    db.session.commit()
    check_response(client.get(f"{API}/applications", headers=actors.headers("owner")), 401)


def test_session_cookie_does_not_authenticate_the_api(client, actors, login):
    login(actors.users["admin"])
    response = client.get(f"{API}/stats{STATS_QUERY}")
    check_response(response, 401)


def test_actions_write_one_status_event_each(client, actors):
    app_id = application_in(actors, "submitted")
    url = f"{API}/applications/{app_id}"
    check_response(client.post(f"{url}/claim", headers=actors.headers("reviewer")), 200)
    check_response(client.post(f"{url}/release", headers=actors.headers("admin")), 200)
    check_response(client.post(f"{url}/withdraw", headers=actors.headers("owner")), 200)
    actions = db.session.execute(
        select(StatusEvent.action)
        .where(StatusEvent.application_id == app_id)
        .order_by(StatusEvent.id)
    ).scalars()
    assert list(actions) == ["create", "submit", "claim", "release", "withdraw"]


# --------------------------------------------------------------------------- odd inputs
# Never a 500 (huge ids, huge cursor values, NUL characters) and error fields named as the
# request names them. Each of these once produced a 500 or a misnamed field.

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("method", "path", "body", "role"),
    [
        pytest.param("GET", f"/applications/{HUGE}", None, "owner"),
        pytest.param("POST", f"/applications/{HUGE}/claim", None, "reviewer"),
        pytest.param(
            "GET",
            # base64 of ["2020-01-01T00:00:00", 999999999999999999999]
            "/applications?cursor=WyIyMDIwLTAxLTAxVDAwOjAwOjAwIiwgOTk5OTk5OTk5OTk5OTk5OTk5OTk5OV0",
            None,
            "owner",
        ),
        pytest.param(
            "POST", "/applications", {"ipr_type": "trademark", "holder": {"name_en": "a\x00b"}},
            "owner",
        ),
        pytest.param(
            "POST", "/applications", {"ipr_type": "trademark", "goods": [{"name": "x\x00"}]},
            "owner",
        ),
    ],
)  # fmt: skip
def test_never_a_500(client, actors, method, path, body, role):
    response = client.open(API + path, method=method, json=body, headers=actors.headers(role))
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    check_response(response, response.status_code)


@pytest.mark.parametrize(
    "body",
    [{"outcome": "reject", "reason_codes": ["other"]}, {"outcome": "request_info"}],
)
def test_decision_errors_name_the_reason_field(client, actors, body):
    app_id = application_in(actors, "under_review")
    response = client.post(
        f"{API}/applications/{app_id}/decision", json=body, headers=actors.headers("claimant")
    )
    check_response(response, 422)
    assert set(response.get_json()["error"]["fields"]) == {"reason"}
