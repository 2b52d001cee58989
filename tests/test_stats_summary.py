"""The monthly statistics summary equals a fresh count of the facts after every writing path."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import insert, select, update

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    DetentionCase,
    MonthlyApplications,
    Recordation,
    RecordationStatus,
    Role,
    Status,
)
from ipr_apps.services import case_imports, expiry, filing, imports, review, stats_summary
from ipr_apps.services.case_rows import HEADER as CASE_HEADER
from ipr_apps.services.import_rows import HEADER
from tests.case_helpers import open_case, recordation_with_goods
from tests.factories import add_required_documents, complete_payload, make_application
from tests.sql_count import statements
from tests.stats_summary_check import drift

IMPORTED = [
    "S-1,trademark,T1,Mark one,Summary holder,CN,2019-02-01,2019-03-01,approved,OLD-1,2029-03-01",
    "S-2,trademark,T2,Mark two,Summary holder,DE,2019-02-01,2019-03-04,approved,OLD-2,2020-03-04",
    "S-3,copyright,,Work,Summary holder,US,2018-02-01,2018-03-02,rejected,,",
]


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.REVIEWER)


def _submitted(holder, ipr_type="trademark", number="N-1") -> Application:
    application = filing.create_draft(holder, ipr_type, complete_payload(ipr_type, number))
    add_required_documents(application)
    return filing.submit(holder, application.id).application


def _in_step() -> None:
    db.session.commit()
    assert drift(db.session) == {}


def test_submit_approve_reject_keep_the_summary(holder, reviewer):
    first = _submitted(holder, number="N-1")
    second = _submitted(holder, "copyright", number="N-2")
    _in_step()
    received = db.session.scalar(select(MonthlyApplications.received).limit(1))
    assert received is not None  # counted, not merely zero on both sides
    review.claim(reviewer, first.id)
    review.approve(reviewer, first.id)
    _in_step()
    review.claim(reviewer, second.id)
    review.reject(reviewer, second.id, ["incomplete_or_invalid"], "Missing the certificate.")
    _in_step()


def test_a_holder_country_changed_on_resubmission_moves_the_receipt(holder, reviewer):
    application = _submitted(holder)
    review.claim(reviewer, application.id)
    review.request_info(reviewer, application.id, "Which country?")
    _in_step()
    filing.update_draft(holder, application.id, {"holder": {"country": "FR"}})
    _in_step()
    filing.submit(holder, application.id, response="France.")
    _in_step()
    assert db.session.get(Application, application.id).holder_country == "FR"


def test_withdrawal_and_expiry_keep_the_summary(holder):
    application = _submitted(holder)
    filing.withdraw(holder, application.id)
    _in_step()
    row = recordation_with_goods(holder)
    db.session.execute(
        update(Recordation).where(Recordation.id == row.id).values(valid_until=date(2020, 5, 31))
    )
    _in_step()
    expiry.expire(date(2021, 1, 1))
    _in_step()
    assert db.session.get(Recordation, row.id).status != RecordationStatus.ACTIVE


def test_recordation_import_adds_to_the_summary(holder):
    _submitted(holder)  # rows already counted stay counted once
    text = "\n".join([",".join(HEADER), *IMPORTED])
    imports.import_recordations(lambda: io.StringIO(text))
    _in_step()


def test_cases_opened_and_imported_keep_the_summary(holder, make_user):
    row = recordation_with_goods(holder)
    open_case(make_user(Role.OFFICER), row)
    _in_step()
    line = ["D-1", "2019-03-04", "5301", "express", "import", "ex_officio", "trademark",
            row.number, "Shoes", "6404.11", "1200", "35600.50", "confiscated"]  # fmt: skip
    text = "\n".join([",".join(CASE_HEADER), ",".join(line)])
    case_imports.import_cases(lambda: io.StringIO(text))
    _in_step()
    db.session.execute(insert(DetentionCase), [_bulk_case(row)])  # bulk, past the flush
    _in_step()


def _bulk_case(row) -> dict:
    return {
        "case_number": "B-1", "opened_on": date(2020, 1, 2), "port_code": "2201",
        "channel": "post", "direction": "export", "mode": "on_application",
        "ipr_type": "patent", "status": "detained", "items": 3, "value_cny": "9.99",
        "recordation_id": row.id,
    }  # fmt: skip


def test_factories_writing_rows_directly_keep_the_summary(holder):
    for status in (Status.SUBMITTED, Status.APPROVED, Status.REJECTED):
        make_application(holder, status)
    _in_step()


def test_a_changed_summary_is_seen_and_rebuilt(holder):
    _submitted(holder)
    db.session.commit()
    db.session.execute(
        update(MonthlyApplications).values(received=MonthlyApplications.received + 1)
    )
    assert drift(db.session)
    stats_summary.rebuild(db.session)
    _in_step()


# -- Statements per request (issue 16: a fixed number, whatever the data) --------------------


@pytest.mark.parametrize(
    "query", ["", "?by=month&group_by=country&enforcement_group_by=port", "?group_by=ipr_type"]
)
def test_the_statistics_page_sends_few_statements(client, login, make_user, holder, query):
    for status in (Status.SUBMITTED, Status.APPROVED, Status.REJECTED):
        make_application(holder, status)
    login(make_user(Role.ADMIN))
    with statements(db.engine) as sent:
        assert client.get(f"/stats/{query}").status_code == 200
    # the statistics: one read per summary table (two for recordations, two for the cases
    # when grouped), never the facts; the rest is the session and the backlog (one statement)
    figures = [sql for sql in sent if "stats_monthly_" in sql]
    assert len(figures) <= 6, sent.listing()
    facts = ("FROM decisions", "FROM recordations", "FROM detention_cases")
    assert not [sql for sql in sent if any(table in sql for table in facts)], sent.listing()
    assert len(sent) <= 10, sent.listing()


@pytest.mark.parametrize("name", ["approvals", "types"])
def test_a_chart_sends_few_statements(client, login, make_user, name):
    login(make_user(Role.REVIEWER))
    with statements(db.engine) as sent:
        assert client.get(f"/stats/chart/{name}.svg").status_code == 200
    assert len(sent) <= 3, sent.listing()  # the session, one read of the summary
