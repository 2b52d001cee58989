"""Filing rules at the service layer: drafts, completeness per type, duplicates, clock, withdraw."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import (
    Application,
    Holiday,
    InformationRequest,
    IprType,
    Role,
    Status,
    StatusEvent,
    today,
)
from ipr_apps.services import filing
from ipr_apps.workdays import working_days_between
from tests.factories import add_document, add_required_documents, complete_payload, grant_mandate


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


def _events(application) -> list[tuple[str, str | None, str]]:
    rows = db.session.scalars(
        select(StatusEvent)
        .where(StatusEvent.application_id == application.id)
        .order_by(StatusEvent.id)
    )
    return [(e.action, e.from_status, e.to_status) for e in rows]


def _ready(holder, ipr_type=IprType.TRADEMARK, number="TM-1000001") -> Application:
    application = filing.create_draft(holder, ipr_type, complete_payload(ipr_type, number))
    add_required_documents(application)
    return application


def test_create_draft_prefills_holder_and_logs_creation(holder):
    application = filing.create_draft(holder, "trademark")
    org = holder.organisation
    assert application.status == Status.DRAFT and application.reference.startswith("IPR-")
    assert (application.holder_name_local, application.holder_country) == (
        org.name_local,
        org.country,
    )
    assert application.filed_by_id == holder.id and application.agency_id is None
    assert _events(application) == [("create", None, "draft")]


def test_references_are_unique_and_sequential(holder):
    refs = [filing.create_draft(holder, "copyright").reference for _ in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_reviewer_cannot_file(make_user):
    with pytest.raises(PermissionDenied):
        filing.create_draft(make_user(Role.REVIEWER), "trademark")


def test_agent_files_only_for_represented_holders(make_user, holder):
    agent = make_user(Role.HOLDER, agency=True)
    with pytest.raises(ValidationError):
        filing.create_draft(agent, "trademark", holder_org_id=holder.organisation_id)
    grant_mandate(agent, holder)
    application = filing.create_draft(agent, "trademark", holder_org_id=holder.organisation_id)
    assert application.holder_org_id == holder.organisation_id
    assert application.agency_id == agent.organisation_id
    assert application.holder_name_local == holder.organisation.name_local


def test_draft_keeps_invalid_content(holder):
    application = filing.create_draft(holder, "trademark")
    payload = {"right": {"nice_classes": "99, abc", "expiry_date": date(2001, 1, 1)},
               "goods": [{"name": "Half typed", "hs_code": "12ab"}]}  # fmt: skip
    filing.update_draft(holder, application.id, payload)
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.right.nice_classes == "99, abc" and saved.goods[0].hs_code == "12ab"


def test_update_replaces_repeating_groups_and_ignores_blank_rows(holder):
    application = filing.create_draft(holder, "trademark", complete_payload())
    filing.update_draft(holder, application.id, {"goods": [{"name": "Only one"}, {"name": ""}]})
    db.session.expire_all()
    assert [g.name for g in db.session.get(Application, application.id).goods] == ["Only one"]


@pytest.mark.parametrize("ipr_type", list(IprType))
def test_complete_application_of_each_type_submits(holder, ipr_type):
    application = _ready(holder, ipr_type)
    result = filing.submit(holder, application.id)
    assert result.application.status == Status.SUBMITTED and result.duplicates == []
    assert _events(application)[-1] == ("submit", "draft", "submitted")


@pytest.mark.parametrize(
    ("ipr_type", "field"),
    [
        (IprType.TRADEMARK, "nice_classes"),
        (IprType.TRADEMARK, "registration_number"),
        (IprType.TRADEMARK, "goods_services"),
        (IprType.COPYRIGHT, "work_type"),
        (IprType.COPYRIGHT, "first_publication_country"),
        (IprType.PATENT_INVENTION, "abstract"),
        (IprType.PATENT_DESIGN, "filing_date"),
        (IprType.PATENT_UTILITY_MODEL, "registration_number"),
    ],
)
def test_missing_right_field_blocks_submission(holder, ipr_type, field):
    payload = complete_payload(ipr_type)
    payload["right"][field] = None
    application = filing.create_draft(holder, ipr_type, payload)
    add_required_documents(application)
    with pytest.raises(ValidationError) as caught:
        filing.submit(holder, application.id)
    assert f"right-{field}" in caught.value.fields
    assert db.session.get(Application, application.id).status == Status.DRAFT


def test_copyright_needs_no_registration_number(holder):
    application = _ready(holder, IprType.COPYRIGHT)
    assert application.right.registration_number is None
    assert filing.submit(holder, application.id).application.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"goods": []}, "goods"),
        ({"goods": [{"name": "x", "hs_code": "12345", "place_of_manufacture": "y",
                     "main_features": "z"}]}, "goods-0-hs_code"),
        ({"goods": [{"name": "x", "hs_code": "12345678901", "place_of_manufacture": "y",
                     "main_features": "z"}]}, "goods-0-hs_code"),
        ({"goods": [{"name": "x", "hs_code": "123456", "place_of_manufacture": "y",
                     "main_features": "z", "price_min": "5"}]}, "goods-0-currency"),
        ({"goods": [{"name": "x", "hs_code": "123456", "place_of_manufacture": "y",
                     "main_features": "z", "price_min": "9", "price_max": "1",
                     "currency": "EUR"}]}, "goods-0-price_max"),
        ({"licensees": [{"name": "L"}]}, "licensees-0-country"),
        ({"infringers": [{"country": "CN"}]}, "infringers-0-name"),
        ({"traders": [{"role": "importer", "name": "T", "country": "ZZ"}]}, "traders-0-country"),
        ({"holder": {"phone": ""}}, "holder-phone"),
        ({"holder": {"country": "XX"}}, "holder-country"),
        ({"right": {"nice_classes": "9, 46"}}, "right-nice_classes"),
        ({"right": {"expiry_date": date.today() - timedelta(days=1)}}, "right-expiry_date"),
    ],
)  # fmt: skip
def test_submission_rules(holder, change, key):
    payload = complete_payload()
    for group, value in change.items():
        payload[group] = {**payload.get(group, {}), **value} if isinstance(value, dict) else value
    application = filing.create_draft(holder, "trademark", payload)
    add_required_documents(application)
    with pytest.raises(ValidationError) as caught:
        filing.submit(holder, application.id)
    assert key in caught.value.fields


def test_required_documents(holder, make_user):
    application = filing.create_draft(holder, "trademark", complete_payload())
    add_document(application, "ipr_certificate")
    with pytest.raises(ValidationError) as caught:
        filing.submit(holder, application.id)
    assert caught.value.fields == {"documents": ["Attach the identity proof."]}
    add_document(application, "identity_proof")
    assert filing.submit(holder, application.id).application.status == Status.SUBMITTED


def test_agent_filing_needs_power_of_attorney(make_user, holder):
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, holder)
    payload = complete_payload()
    application = filing.create_draft(agent, "trademark", payload, holder.organisation_id)
    add_document(application, "ipr_certificate")
    add_document(application, "identity_proof")
    with pytest.raises(ValidationError) as caught:
        filing.submit(agent, application.id)
    assert caught.value.fields == {"documents": ["Attach the power of attorney."]}
    add_document(application, "power_of_attorney")
    assert filing.submit(agent, application.id).application.status == Status.SUBMITTED


def test_duplicate_right_is_flagged_not_refused(holder, make_user):
    first = _ready(holder, number="TM-555")
    filing.submit(holder, first.id)
    other = make_user(Role.HOLDER)
    second = _ready(other, number="TM-555")
    result = filing.submit(other, second.id)
    assert [d.id for d in result.duplicates] == [first.id]
    assert result.application.duplicate_flag is True
    assert "TM-555" not in (_events(second)[-1][0])
    different_type = _ready(other, IprType.PATENT_DESIGN, number="TM-555")
    assert filing.submit(other, different_type.id).duplicates == []


def test_drafts_and_withdrawn_applications_are_not_duplicates(holder):
    _ready(holder, number="TM-9")  # a draft
    withdrawn = _ready(holder, number="TM-9")
    filing.withdraw(holder, withdrawn.id)
    application = _ready(holder, number="TM-9")
    assert filing.submit(holder, application.id).duplicates == []


def test_submission_starts_the_30_working_day_clock(holder):
    holiday = today() + timedelta(days=3)
    db.session.add(Holiday(day=holiday, name="Test holiday"))
    db.session.commit()
    application = filing.submit(holder, _ready(holder).id).application
    assert application.first_submitted_at is not None
    assert working_days_between(today(), application.due_on, frozenset({holiday})) == 30
    assert application.due_on.weekday() < 5 and application.due_on != holiday


def test_submitted_application_is_read_only(holder):
    application = filing.submit(holder, _ready(holder).id).application
    with pytest.raises(TransitionError):
        filing.update_draft(holder, application.id, {"right": {"title": "changed"}})
    with pytest.raises(TransitionError):
        filing.submit(holder, application.id)


def test_other_holder_cannot_touch_an_application(holder, make_user):
    from ipr_apps.errors import NotFound

    application = _ready(holder)
    intruder = make_user(Role.HOLDER)
    for call in (
        lambda: filing.update_draft(intruder, application.id, {}),
        lambda: filing.submit(intruder, application.id),
        lambda: filing.withdraw(intruder, application.id),
    ):
        with pytest.raises(NotFound):
            call()


@pytest.mark.parametrize("status", ["draft", "submitted", "under_review", "info_requested"])
def test_withdraw_while_undecided(holder, make_user, make_application, status):
    reviewer = make_user(Role.REVIEWER)
    application = make_application(holder, status, claimed_by=reviewer)
    filing.withdraw(holder, application.id, "No longer needed")
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.status == Status.WITHDRAWN and saved.claimed_by_id is None
    assert _events(saved)[-1] == ("withdraw", status, "withdrawn")


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn"])
def test_cannot_withdraw_after_decision(holder, make_application, status):
    application = make_application(holder, status)
    with pytest.raises(TransitionError):
        filing.withdraw(holder, application.id)


def test_resubmission_answers_the_request_and_resumes_the_clock(holder, make_user):
    reviewer = make_user(Role.REVIEWER)
    application = filing.submit(holder, _ready(holder).id).application
    # What the review issue's request_info will do: pause with 12 working days used.
    application.status = Status.INFO_REQUESTED
    application.clock_days_used = 12
    db.session.add(InformationRequest(application_id=application.id, requested_by_id=reviewer.id,
                                      message="Send the licence.", reply_by=today()))  # fmt: skip
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        filing.submit(holder, application.id)
    assert "response" in caught.value.fields
    result = filing.submit(holder, application.id, response="Licence attached.")
    saved = result.application
    assert saved.status == Status.SUBMITTED and saved.clock_days_used == 12
    assert working_days_between(today(), saved.due_on) == 18
    assert saved.information_requests[0].response == "Licence attached."
    assert _events(saved)[-1] == ("submit", "info_requested", "submitted")
