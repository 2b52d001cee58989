"""Detention on the holder's application (services): filing a request with evidence on a
recordation in force, who sees it, an officer of the district accepting it into a case on
application (or refusing it), the holder withdrawing it, and the state errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from ipr_apps.db import db
from ipr_apps.errors import NotFound, PermissionDenied, TransitionError, ValidationError
from ipr_apps.models import (
    CaseStatus,
    Channel,
    CustomsDistrict,
    DetentionCase,
    DetentionRequest,
    Direction,
    Mode,
    Notification,
    OutboxMessage,
    RecordationStatus,
    RequestDocument,
    RequestStatus,
    Role,
    Status,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import detention_requests as requests_service
from ipr_apps.services import maintenance, request_access
from ipr_apps.services.cases import CaseFacts
from ipr_apps.services.detention_requests import Evidence
from ipr_apps.services.request_fields import RequestFields
from tests import files
from tests.factories import make_district, recordation_row

MONDAY = datetime(2026, 11, 2, 9, 0)
PDF = files.pdf()


def fields(**changes) -> RequestFields:
    values = {
        "port_code": "5301", "channel": "express", "direction": "import",
        "goods": "LED bulbs bearing the BRIGHTLIGHT mark", "consignor": "Fake Lights Co",
        "consignee": "Cheap Imports Ltd", "hs_code": "853952", "items": 5000,
        "value_cny": Decimal("25000.00"), "expected_from": date(2026, 11, 10),
        "expected_until": date(2026, 11, 30), "note": "A test purchase bought in October.",
    }  # fmt: skip
    return RequestFields(**(values | changes))


def pdf(name: str = "test-purchase.pdf", data: bytes = PDF) -> Evidence:
    return Evidence(BytesIO(data), name)


def facts(**changes) -> CaseFacts:
    values = {
        "channel": Channel.EXPRESS, "direction": Direction.IMPORT, "goods": "LED bulbs",
        "items": 4800, "value_cny": Decimal("24000.00"), "hs_code": "853952",
    }  # fmt: skip
    return CaseFacts(**(values | changes))


def stored_files(app) -> set[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def recordation(make_user, make_application):
    def build(holder=None, status=RecordationStatus.ACTIVE):
        application = make_application(holder or make_user(), Status.APPROVED)
        row = recordation_row(application, status=status)
        db.session.commit()
        return row

    return build


@pytest.fixture
def holder(make_user):
    make_district("5301")
    return make_user(Role.HOLDER)


@pytest.fixture
def filed(holder, recordation):
    """A submitted request of `holder` on a recordation in force, at customs 5301."""
    target = recordation(holder)
    with clock_at(MONDAY):
        return requests_service.file(holder, target.id, fields(), [pdf()])


def test_the_owner_files_a_request_with_evidence(app, holder, make_user, recordation):
    officer, elsewhere = make_user(Role.OFFICER), make_user(Role.OFFICER, district="2201")
    target = recordation(holder)
    with clock_at(MONDAY):
        request = requests_service.file(
            holder, target.id, fields(hs_code="8539.52"), [pdf(), pdf("photo.pdf")]
        )
    db.session.expire_all()
    stored = db.session.get(DetentionRequest, request.id)
    assert stored.reference == "R2026-000001"
    assert (stored.status, stored.port_code, stored.ipr_type.value) == (
        RequestStatus.SUBMITTED, "5301", "trademark"
    )  # fmt: skip
    assert (stored.recordation_id, stored.holder_org_id, stored.filed_by_id) == (
        target.id, holder.organisation_id, holder.id
    )  # fmt: skip
    assert stored.hs_code == "853952"
    assert (stored.decided_by_id, stored.decided_at) == (None, None)
    assert [(d.original_name, d.content_type) for d in stored.evidence] == [
        ("test-purchase.pdf", "application/pdf"),
        ("photo.pdf", "application/pdf"),
    ]
    for document in stored.evidence:
        assert request_access.evidence_path(document).read_bytes() == PDF
    # The district's officers are told (in-app and by e-mail); other districts are not.
    notices = db.session.scalars(select(Notification.user_id)).all()
    assert notices == [officer.id]
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == officer.email
    assert "R2026-000001" in mail.subject and "/detention-requests/" in mail.body
    assert elsewhere.id not in notices


def test_references_run_per_year(holder, recordation):
    target = recordation(holder)
    with clock_at(MONDAY):
        first = requests_service.file(holder, target.id, fields(), [pdf()]).reference
        second = requests_service.file(holder, target.id, fields(), [pdf()]).reference
    assert (first, second) == ("R2026-000001", "R2026-000002")


def test_the_agency_of_the_recordation_files_for_the_holder(holder, make_user, recordation):
    agent = make_user(Role.HOLDER, agency=True)
    target = recordation(holder)
    target.agency_id = agent.organisation_id
    db.session.commit()
    request = requests_service.file(agent, target.id, fields(), [pdf()])
    assert request.holder_org_id == holder.organisation_id
    assert request_access.get_request(holder, request.id).id == request.id


def test_every_bad_field_is_named_and_nothing_is_stored(app, holder, recordation):
    make_district("2201").active = False
    db.session.commit()
    target = recordation(holder)
    before = stored_files(app)
    bad = fields(
        port_code="2201", channel="ship", direction="", goods=" ", consignor="", consignee=None,
        hs_code="85", items=-1, value_cny=Decimal("1.005"),
        expected_from=date(2026, 12, 1), expected_until=date(2026, 11, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        requests_service.file(holder, target.id, bad, [pdf()])
    assert set(error.value.fields) == {
        "port_code", "channel", "direction", "goods", "consignor", "hs_code", "items",
        "value_cny", "expected_until",
    }  # fmt: skip
    assert count(DetentionRequest) == count(RequestDocument) == 0
    assert stored_files(app) == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Evidence(BytesIO(files.HTML), "evidence.pdf"), "not a PDF, JPEG or PNG"),
        (Evidence(BytesIO(b""), "empty.pdf"), "empty"),
    ],
)
def test_a_bad_evidence_file_is_refused_and_nothing_is_stored(
    app, holder, recordation, upload, message
):
    target = recordation(holder)
    before = stored_files(app)
    with pytest.raises(ValidationError) as error:
        # The good file is written first, then removed again with the rest.
        requests_service.file(holder, target.id, fields(), [pdf(), upload])
    assert list(error.value.fields) == ["evidence"]
    assert upload.filename in error.value.fields["evidence"][0]
    assert message in error.value.fields["evidence"][0]
    assert count(DetentionRequest) == count(RequestDocument) == 0
    assert stored_files(app) == before


def test_an_evidence_file_over_the_size_limit_is_refused(app, holder, recordation, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", len(PDF) - 1)
    target = recordation(holder)
    before = stored_files(app)
    with pytest.raises(ValidationError) as error:
        requests_service.file(holder, target.id, fields(), [pdf("big.pdf")])
    assert "larger than" in error.value.fields["evidence"][0]
    assert count(DetentionRequest) == 0
    assert stored_files(app) == before


def test_evidence_is_required_and_limited(holder, recordation):
    target = recordation(holder)
    with pytest.raises(ValidationError) as error:
        requests_service.file(holder, target.id, fields(), [Evidence(BytesIO(b""), "")])
    assert "at least one" in error.value.fields["evidence"][0]
    many = [pdf(f"{n}.pdf") for n in range(requests_service.EVIDENCE_MAX + 1)]
    with pytest.raises(ValidationError) as error:
        requests_service.file(holder, target.id, fields(), many)
    assert "at most" in error.value.fields["evidence"][0]
    assert count(DetentionRequest) == 0


def test_only_the_owner_files_and_only_while_in_force(make_user, holder, recordation):
    target = recordation(holder)
    for other in (make_user(Role.HOLDER), make_user(Role.OFFICER), make_user(Role.ADMIN)):
        with pytest.raises(NotFound):
            requests_service.file(other, target.id, fields(), [pdf()])
    expired = recordation(holder, status=RecordationStatus.EXPIRED)
    with pytest.raises(TransitionError, match="in force"):
        requests_service.file(holder, expired.id, fields(), [pdf()])
    assert count(DetentionRequest) == 0


def test_who_sees_a_request(make_user, filed, holder):
    stranger, reviewer = make_user(Role.HOLDER), make_user(Role.REVIEWER)
    officer, elsewhere = make_user(Role.OFFICER), make_user(Role.OFFICER, district="2201")
    admin = make_user(Role.ADMIN)
    for user in (holder, officer, admin):
        assert request_access.get_request(user, filed.id).id == filed.id
        assert [r.id for r in request_access.requests_of(user, None, None, 10).items] == [filed.id]
    for user in (stranger, elsewhere, reviewer):
        with pytest.raises(NotFound):
            request_access.get_request(user, filed.id)
        assert request_access.requests_of(user, None, None, 10).items == []
        with pytest.raises(NotFound):
            request_access.get_evidence(user, filed.id, filed.evidence[0].id)


def test_evidence_of_another_request_is_not_found(holder, recordation, filed):
    other = requests_service.file(holder, recordation(holder).id, fields(), [pdf()])
    with pytest.raises(NotFound):
        request_access.get_evidence(holder, filed.id, other.evidence[0].id)
    _document, path = request_access.get_evidence(holder, other.id, other.evidence[0].id)
    assert path.read_bytes() == PDF


def test_an_officer_of_the_district_accepts_it_into_a_case(make_user, filed, holder):
    officer = make_user(Role.OFFICER)
    with clock_at(MONDAY):
        case = requests_service.accept(officer, filed.id, facts())
    db.session.expire_all()
    stored_case = db.session.get(DetentionCase, case.id)
    request = db.session.get(DetentionRequest, filed.id)
    assert stored_case.case_number == "D2026-5301-000001"
    assert (stored_case.mode, stored_case.status) == (
        Mode.ON_APPLICATION,
        CaseStatus.AWAITING_HOLDER,
    )
    assert (stored_case.request_id, stored_case.recordation_id) == (filed.id, filed.recordation_id)
    assert stored_case.holder_org_id == holder.organisation_id
    assert (stored_case.items, stored_case.value_cny) == (4800, Decimal("24000.00"))
    assert (request.status, request.decided_by_id) == (RequestStatus.ACCEPTED, officer.id)
    assert request.decided_at is not None
    assert request_access.case_of(request).id == case.id
    subjects = db.session.scalars(
        select(Notification.subject).where(Notification.user_id == holder.id)
    ).all()
    assert any("accepted" in s and case.case_number in s for s in subjects)
    about_case = select(Notification).where(
        Notification.user_id == holder.id, Notification.case_id == case.id
    )
    assert len(db.session.scalars(about_case).all()) == 1  # one notice, not two


def test_accepting_twice_is_a_clear_error(make_user, filed):
    officer = make_user(Role.OFFICER)
    requests_service.accept(officer, filed.id, facts())
    with pytest.raises(TransitionError, match=f"{filed.reference} is accepted"):
        requests_service.accept(officer, filed.id, facts())
    assert count(DetentionCase) == 1


def test_bad_case_facts_leave_the_request_submitted(make_user, filed):
    with pytest.raises(ValidationError) as error:
        requests_service.accept(make_user(Role.OFFICER), filed.id, facts(goods="", items=-1))
    assert {"goods", "items"} <= set(error.value.fields)
    db.session.expire_all()
    assert db.session.get(DetentionRequest, filed.id).status == RequestStatus.SUBMITTED
    assert count(DetentionCase) == 0


def test_only_the_districts_officers_decide(make_user, filed, holder):
    elsewhere = make_user(Role.OFFICER, district="2201")
    with pytest.raises(NotFound):
        requests_service.accept(elsewhere, filed.id, facts())
    with pytest.raises(NotFound):
        requests_service.refuse(elsewhere, filed.id, "Not ours.")
    with pytest.raises(PermissionDenied):
        requests_service.accept(make_user(Role.ADMIN), filed.id, facts())
    with pytest.raises(PermissionDenied):
        requests_service.accept(holder, filed.id, facts())
    assert count(DetentionCase) == 0


def test_a_closed_district_cannot_open_the_case(make_user, filed):
    officer = make_user(Role.OFFICER)
    db.session.get(CustomsDistrict, "5301").active = False
    db.session.commit()
    with pytest.raises(PermissionDenied):
        requests_service.accept(officer, filed.id, facts())
    db.session.expire_all()
    assert db.session.get(DetentionRequest, filed.id).status == RequestStatus.SUBMITTED


def test_an_officer_refuses_with_a_reason(make_user, filed, holder):
    officer = make_user(Role.OFFICER)
    with pytest.raises(ValidationError) as error:
        requests_service.refuse(officer, filed.id, "  ")
    assert list(error.value.fields) == ["reason"]
    requests_service.refuse(officer, filed.id, "The evidence shows no infringement.")
    db.session.expire_all()
    request = db.session.get(DetentionRequest, filed.id)
    assert (request.status, request.decided_by_id, request.decision_note) == (
        RequestStatus.REFUSED, officer.id, "The evidence shows no infringement."
    )  # fmt: skip
    notice = db.session.scalars(select(Notification).where(Notification.user_id == holder.id)).one()
    assert "refused" in notice.subject and "no infringement" in notice.body
    with pytest.raises(TransitionError):
        requests_service.accept(officer, filed.id, facts())


def test_the_owner_withdraws_while_submitted(make_user, filed, holder):
    with pytest.raises(NotFound):
        requests_service.withdraw(make_user(Role.HOLDER), filed.id)
    with pytest.raises(PermissionDenied):
        requests_service.withdraw(make_user(Role.OFFICER), filed.id)
    officer = make_user(Role.OFFICER)
    requests_service.withdraw(holder, filed.id)
    db.session.expire_all()
    request = db.session.get(DetentionRequest, filed.id)
    assert (request.status, request.decided_by_id) == (RequestStatus.WITHDRAWN, holder.id)
    notice = db.session.scalars(
        select(Notification).where(Notification.user_id == officer.id)
    ).one()
    assert "withdrawn" in notice.subject and filed.reference in notice.subject
    with pytest.raises(TransitionError, match="withdrawn"):
        requests_service.withdraw(holder, filed.id)
    with pytest.raises(TransitionError):
        requests_service.accept(officer, filed.id, facts())


def test_a_lost_race_is_told(make_user, filed, monkeypatch):
    """Two officers at the same moment: the conditional update lets only one win."""
    officer = make_user(Role.OFFICER)
    db.session.execute(
        DetentionRequest.__table__.update()
        .where(DetentionRequest.id == filed.id)
        .values(status=RequestStatus.REFUSED.value)
    )
    db.session.commit()
    request = db.session.get(DetentionRequest, filed.id)
    set_committed_value(request, "status", RequestStatus.SUBMITTED)  # what the loser read
    monkeypatch.setattr(request_access, "get_request", lambda *_a, **_k: request)
    monkeypatch.setattr(requests_service, "get_request", lambda *_a, **_k: request)
    with pytest.raises(TransitionError, match="someone else"):
        requests_service.refuse(officer, filed.id, "Too late.")
    assert count(DetentionCase) == 0


def test_the_list_shows_waiting_requests_first(make_user, holder, recordation):
    officer = make_user(Role.OFFICER)
    target = recordation(holder)
    made = [requests_service.file(holder, target.id, fields(), [pdf()]) for _ in range(5)]
    requests_service.refuse(officer, made[3].id, "No.")
    requests_service.withdraw(holder, made[1].id)
    waiting = [made[4].id, made[2].id, made[0].id]
    done = [made[3].id, made[1].id]
    for size in (1, 2, 3, 10):
        seen, cursor = [], None
        while True:
            page = request_access.requests_of(officer, None, cursor, size)
            seen += [r.id for r in page.items]
            assert len(page.items) <= size
            if not page.has_next:
                break
            cursor = page.next_cursor
        assert seen == waiting + done, size
    refused = request_access.requests_of(officer, RequestStatus.REFUSED, None, 10)
    assert [r.id for r in refused.items] == [made[3].id]


def test_the_orphan_sweep_keeps_evidence_files(app, filed):
    path = request_access.evidence_path(filed.evidence[0])
    later = datetime(2099, 1, 1)
    assert maintenance.purge_orphan_uploads(later) >= 0
    assert path.is_file()
