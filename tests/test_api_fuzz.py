"""Property-based fuzzing of the API against its own OpenAPI document (schemathesis).

Every operation of GET /api/v1/openapi.json is called with generated input (valid, invalid and
the document's own examples) without a token and as a holder, a reviewer, an admin and an
officer, against a database holding applications in several states and a recordation to screen
against. Every response must be documented (status, content type, body schema) and none may be
a server error. Bounded (a few derandomized examples per operation) so it runs in the normal
suite.

schemathesis's own pytest integration (`from_fixture(...).parametrize()`) renames pytest nodes
through a private attribute that pytest 9 no longer has, so the Hypothesis tests are built here
from `APIOperation.as_strategy()` and run inside an ordinary parametrized test.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ipr_apps.api.examples import SCREENING_EXAMPLE
from ipr_apps.db import db
from ipr_apps.models import Role, Status
from ipr_apps.services import filing, tokens
from tests import factories, files

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A few per operation in the normal suite; IPR_FUZZ_EXAMPLES=500 for a longer hunt.
EXAMPLES_PER_OPERATION = int(os.environ.get("IPR_FUZZ_EXAMPLES", "20"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(app) -> dict:
    """Users with tokens, applications in various states (mostly the holder's) and the
    recordation of an approved one (so that screening can find a hit)."""
    holder = factories.make_user(Role.HOLDER)
    other_holder = factories.make_user(Role.HOLDER)
    reviewer = factories.make_user(Role.REVIEWER)
    admin = factories.make_user(Role.ADMIN)
    officer = factories.make_user(Role.OFFICER)
    headers = {"anonymous": {}} | {
        name: {"Authorization": f"Bearer {tokens.create_token(user)[1]}"}
        for name, user in (
            ("holder", holder), ("reviewer", reviewer), ("admin", admin), ("officer", officer)
        )
    }  # fmt: skip
    ready = filing.create_draft(holder, "trademark", factories.complete_payload())
    factories.add_required_documents(ready)  # so that submit can succeed
    applications = [
        ready,
        factories.make_application(holder, Status.SUBMITTED),
        factories.make_application(holder, Status.UNDER_REVIEW, claimed_by=reviewer),
        factories.make_application(holder, Status.INFO_REQUESTED),
        factories.make_application(holder, Status.APPROVED),
        factories.make_application(holder, Status.WITHDRAWN, ipr_type="patent_invention"),
        factories.make_application(other_holder, Status.DRAFT, ipr_type="copyright"),
        factories.make_application(other_holder, Status.SUBMITTED),
    ]
    recordation = factories.recordation_row(applications[4])
    db.session.commit()
    return {"ids": [a.id for a in applications], "headers": headers, "users": (holder, reviewer),
            "recorded_mark": recordation.right_title}  # fmt: skip


def load_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def operations(app):
    found = [result.ok() for result in load_schema(app).get_all_operations()]
    # 12 on applications, stats, 2 on the public register, screening
    assert len(found) >= 16, "the document lost operations"
    return found


def strategy_for(operation):
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        *operation.get_strategies_from_examples(),
    )


def point_at_our_applications(case, ids: list[int]) -> None:
    """Mostly one of our applications (so real code runs), sometimes an id that does not exist."""
    generated = (case.path_parameters or {}).get("application_id")
    if isinstance(generated, int) and not isinstance(generated, bool):
        index = generated % (len(ids) + 1)
        if index < len(ids):
            case.path_parameters["application_id"] = ids[index]


@pytest.mark.parametrize("role", ["anonymous", "holder", "reviewer", "admin", "officer"])
def test_api_conforms_to_its_openapi_document(app, client, world, role):
    failures = []
    for operation in operations(app):

        @FUZZ_SETTINGS
        @given(case=strategy_for(operation))
        def fuzz(case):
            point_at_our_applications(case, world["ids"])
            response = case.call(session=client, headers=world["headers"][role])
            case.validate_response(response, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label} as {role}:\n{exc}")
    assert not failures, "\n\n".join(failures)


PNG = files.png()  # a real image: uploads are decoded whole


def test_the_happy_path_conforms_to_the_document(app, client, world):
    """The workflow end to end with explicit valid input: the 2xx answers random input rarely
    reaches (an upload needs a real image, a decision a claimed application) match too."""
    schema, headers = load_schema(app), world["headers"]
    draft = filing.create_draft(world["users"][0], "trademark", factories.complete_payload())
    recorded_mark = world["recorded_mark"]
    steps = [
        ("POST", "/applications", "holder", {}, {"ipr_type": "copyright"}, 201),
        ("GET", "/applications", "reviewer", {}, None, 200),
        ("GET", "/applications/{application_id}", "holder", {}, None, 200),
        ("PATCH", "/applications/{application_id}", "holder", {}, {"ports": []}, 200),
        *[
            ("POST", "/applications/{application_id}/documents", "holder", {},
             {"doc_type": doc_type, "file": PNG}, 201)
            for doc_type in ("ipr_certificate", "identity_proof")
        ],
        ("GET", "/applications/{application_id}/documents", "holder", {}, None, 200),
        ("POST", "/applications/{application_id}/submit", "holder", {}, None, 200),
        ("POST", "/applications/{application_id}/claim", "reviewer", {}, None, 200),
        ("POST", "/applications/{application_id}/release", "reviewer", {}, None, 200),
        ("POST", "/applications/{application_id}/claim", "reviewer", {}, None, 200),
        ("POST", "/applications/{application_id}/decision", "reviewer", {},
         {"outcome": "approve"}, 200),
        ("POST", "/applications/{application_id}/withdraw", "holder", {}, None, 409),
        ("GET", "/stats", "admin", {"by": "month", "from": "2020-01-01", "to": "2030-12-31"},
         None, 200),
        ("POST", "/screening", "officer", {}, SCREENING_EXAMPLE, 200),
        ("POST", "/screening", "officer", {}, {"lines": [{"declaration_number": "D1",
         "line_number": 1, "brand": recorded_mark}], "threshold": 0}, 200),
        ("POST", "/screening", "holder", {}, SCREENING_EXAMPLE, 403),
    ]  # fmt: skip
    for method, path, role, query, body, status in steps:
        operation = schema[f"/api/v1{path}"][method]
        case = operation.Case(
            path_parameters={"application_id": draft.id} if "{" in path else None,
            query=query or None,
            **({} if body is None else {"body": body}),
        )
        response = case.call(session=client, headers=headers[role])
        assert response.status_code == status, (method, path, response.text)
        case.validate_response(response, checks=CHECKS)
