"""What filing through the API costs the database (issue 16): statements per create, upload
and submit, the duplicate check's plan, and responses that match the stored rows."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import event

from ipr_apps.db import db
from ipr_apps.models import Role
from tests.api_helpers import API, PDF_BYTES, PNG_BYTES, bearer, token_for
from tests.factories import complete_payload, make_application
from tests.sql_count import statements

# Statements per call with the token's look-up and last use (3), for complete_payload (two
# goods, a licensee, an infringer: one INSERT each). Before issue 16: 28, 7 and 27. Submit's
# include the statistics summary's three (the application's figures read before and after the
# flush, one upsert: services/stats_summary.py); the right and the decision are read with the
# locked row (filing.SUBMIT_LOADS).
CREATE_LIMIT, UPLOAD_LIMIT, SUBMIT_LIMIT = 10, 4, 17


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def headers(holder):
    return bearer(token_for(holder))


def _json(payload: dict) -> dict:
    return json.loads(json.dumps(payload, default=str))  # dates as ISO text, as a client sends


def _create(client, headers, number: str = "TM-1000001") -> dict:
    body = {"ipr_type": "trademark", **_json(complete_payload(number=number))}
    answer = client.post(f"{API}/applications", json=body, headers=headers)
    assert answer.status_code == 201, answer.json
    return answer.json


def _upload(client, headers, application_id: int) -> None:
    for doc_type, name, content in (
        ("ipr_certificate", "c.pdf", PDF_BYTES),
        ("identity_proof", "i.png", PNG_BYTES),
    ):
        data = {"doc_type": doc_type, "file": (io.BytesIO(content), name)}
        answer = client.post(
            f"{API}/applications/{application_id}/documents", data=data, headers=headers
        )
        assert answer.status_code == 201, answer.json


def _submit(client, headers, application_id: int) -> dict:
    answer = client.post(f"{API}/applications/{application_id}/submit", json={}, headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def _get(client, headers, application_id: int) -> dict:
    answer = client.get(f"{API}/applications/{application_id}", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_filing_through_the_api_sends_a_fixed_number_of_statements(client, headers, holder):
    make_application(holder, "submitted", registration_number="TM-1000001")  # a duplicate
    _create(client, headers, "TM-2000001")  # the year's reference counter exists from here
    with statements(db.engine) as sent:
        created = _create(client, headers)
    assert len(sent) <= CREATE_LIMIT, sent.listing()
    # a draft counts in no statistic and is not in the reviewers' queue: neither is touched
    assert not [s for s in sent if "sum(anon_1" in s or "counters (scope" in s], sent.listing()
    with statements(db.engine) as sent:
        _upload(client, headers, created["id"])
    assert len(sent) <= 2 * UPLOAD_LIMIT, sent.listing()
    with statements(db.engine) as sent:
        submitted = _submit(client, headers, created["id"])
    assert len(sent) <= SUBMIT_LIMIT, sent.listing()
    updates = [s for s in sent if s.lstrip().upper().startswith("UPDATE APPLICATIONS")]
    assert len(updates) == 1, sent.listing()  # the clock and the status in one UPDATE
    assert submitted["status"] == "submitted" and submitted["duplicate_flag"] is True


def test_create_and_submit_answer_what_is_stored(client, headers):
    created = _create(client, headers)
    assert created == _get(client, headers, created["id"])
    assert created["goods"][0]["name"] == "LED bulb" and created["traders"] == []
    assert created["holder"]["name_local"] and created["status"] == "draft"
    _upload(client, headers, created["id"])
    submitted = _submit(client, headers, created["id"])
    stored = _get(client, headers, created["id"])
    assert submitted == stored
    assert stored["status"] == "submitted" and stored["due_on"] and stored["first_submitted_at"]


def _duplicate_queries(client, headers, holder) -> list[tuple[str, tuple]]:
    """The duplicate check's statements and parameters, as submit sends them."""
    make_application(holder, "submitted", registration_number="TM-1000001")
    created = _create(client, headers)
    _upload(client, headers, created["id"])
    seen: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith("SELECT") and (
            "ip_rights.registration_number = " in statement
            or "WHERE applications.id IN" in statement
        ):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert _submit(client, headers, created["id"])["duplicate_flag"] is True
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 2, seen
    return seen


def test_duplicate_check_starts_from_the_registration_number(client, headers, holder):
    """Without statistics (SQLite never analyzed; PostgreSQL before autovacuum's first
    analyze), a join let the planners read every application of the type through
    ix_applications_ipr_type (80-460 ms at a million): the rights' number index must drive
    the look-up and applications be read by id."""
    queries = _duplicate_queries(client, headers, holder)
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite; on PostgreSQL the queries are the same")
    with db.engine.connect() as connection:
        plans = [
            [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
            for sql, params in queries
        ]
    rights, applications = plans
    assert any("ix_ip_rights_registration_number" in step for step in rights), rights
    assert all("ix_applications_ipr_type (ipr_type=?)" not in step for step in applications)
    assert any("rowid=?" in step or "PRIMARY KEY" in step for step in applications), applications


def test_a_new_number_costs_one_look_up(client, headers, holder):
    created = _create(client, headers, "TM-3000001")
    _upload(client, headers, created["id"])
    with statements(db.engine) as sent:
        assert _submit(client, headers, created["id"])["duplicate_flag"] is False
    assert len([s for s in sent if "registration_number = " in s]) == 1, sent.listing()
    assert not [s for s in sent if "WHERE applications.id IN" in s], sent.listing()
