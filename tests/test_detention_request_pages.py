"""The request-for-detention pages: the recordation's "Request detention" button, the holder's
form with its evidence upload, the list, the request's page with its evidence, withdrawing,
and the officer's accept and refuse pages."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    DetentionCase,
    DetentionRequest,
    Mode,
    RecordationStatus,
    RequestDocument,
    RequestStatus,
    Role,
    Status,
)
from ipr_apps.services import detention_requests as requests_service
from tests import files
from tests.factories import make_district, recordation_row
from tests.test_detention_requests import fields, pdf

PDF = files.pdf()


def form_data(**changes) -> dict:
    data = {
        "port_code": "5301", "channel": "express", "direction": "import",
        "goods": "LED bulbs bearing the BRIGHTLIGHT mark", "consignor": "Fake Lights Co",
        "consignee": "", "hs_code": "853952", "items": "5000", "value_cny": "25000.00",
        "expected_from": "2026-11-10", "expected_until": "2026-11-30",
        "note": "A test purchase bought in October.",
    }  # fmt: skip
    return data | changes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def holder(make_user):
    make_district("5301")
    return make_user(Role.HOLDER)


@pytest.fixture
def recordation(make_application, holder):
    def build(status=RecordationStatus.ACTIVE, owner=None):
        row = recordation_row(make_application(owner or holder, Status.APPROVED), status=status)
        db.session.commit()
        return row

    return build


@pytest.fixture
def filed(holder, recordation):
    return requests_service.file(holder, recordation().id, fields(), [pdf()])


def test_the_recordation_page_offers_the_request_to_its_owner_in_force(
    client, login, holder, recordation, make_user
):
    active, expired = recordation(), recordation(RecordationStatus.EXPIRED)
    page = login(holder).get(f"/recordations/{active.id}").get_data(as_text=True)
    assert f'/detention-requests/new?recordation_id={active.id}"' in page
    page = client.get(f"/recordations/{expired.id}").get_data(as_text=True)
    assert "request-detention-link" not in page
    page = login(make_user(Role.ADMIN)).get(f"/recordations/{active.id}").get_data(as_text=True)
    assert "request-detention-link" not in page


def test_the_form_is_for_the_owner_of_a_recordation_in_force(
    client, login, holder, recordation, make_user
):
    active, expired = recordation(), recordation(RecordationStatus.EXPIRED)
    response = login(holder).get(f"/detention-requests/new?recordation_id={active.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="evidence"' in page
    assert '<option value="5301">5301 District 5301' in page  # then its other-script name, if any
    response = client.get(f"/detention-requests/new?recordation_id={expired.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/recordations/{expired.id}")
    assert client.get("/detention-requests/new").status_code == 404
    stranger = login(make_user(Role.HOLDER))
    assert stranger.get(f"/detention-requests/new?recordation_id={active.id}").status_code == 404


def test_the_holder_files_a_request_with_evidence(client, login, holder, recordation):
    target = recordation()
    data = form_data(evidence=[(BytesIO(PDF), "purchase.pdf"), (BytesIO(files.png()), "photo.png")])
    response = login(holder).post(
        f"/detention-requests/new?recordation_id={target.id}", data=data,
        content_type="multipart/form-data",
    )  # fmt: skip
    request = db.session.scalars(select(DetentionRequest)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/detention-requests/{request.id}")
    assert (request.recordation_id, request.status, request.items) == (
        target.id, RequestStatus.SUBMITTED, 5000
    )  # fmt: skip
    assert [d.original_name for d in request.evidence] == ["purchase.pdf", "photo.png"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert request.reference in page and "purchase.pdf" in page and "Withdraw the request" in page
    assert "customs 5301 · District 5301" in page


def test_a_bad_file_or_field_keeps_what_was_typed_and_stores_nothing(
    client, login, holder, recordation
):
    target = recordation()
    url = f"/detention-requests/new?recordation_id={target.id}"
    data = form_data(hs_code="85", evidence=[(BytesIO(files.HTML), "evidence.pdf")])
    response = login(holder).post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An HS code is 6 to 10 digits." in page
    assert "evidence.pdf: This file is not a PDF, JPEG or PNG file" in page
    assert "LED bulbs bearing the BRIGHTLIGHT mark" in page  # nothing lost
    assert "Choose the files again" in page
    assert count(DetentionRequest) == count(RequestDocument) == 0
    # No file at all, and a number the form cannot read: both named.
    response = client.post(url, data=form_data(items="many"), content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Attach at least one evidence file" in page and "Not a valid integer value." in page
    assert count(DetentionRequest) == 0


def test_the_request_page_and_its_evidence_for_those_who_may_see_it(
    client, login, filed, holder, make_user
):
    document = filed.evidence[0]
    url = f"/detention-requests/{filed.id}"
    download = f"{url}/evidence/{document.id}"
    for user in (holder, make_user(Role.OFFICER), make_user(Role.ADMIN)):
        login(user)
        assert client.get(url).status_code == 200
        response = client.get(download)
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()  # send_file streams from an open file
    for user in (make_user(Role.HOLDER), make_user(Role.OFFICER, district="2201")):
        login(user)
        assert client.get(url).status_code == 404
        assert client.get(download).status_code == 404
    login(holder)
    assert client.get(f"{url}/evidence/{document.id + 1000}").status_code == 404


def test_the_list_for_each_role_with_filters_and_empty_state(
    client, login, filed, holder, make_user
):
    officer = make_user(Role.OFFICER)
    for user in (holder, officer, make_user(Role.ADMIN)):
        page = login(user).get("/detention-requests/").get_data(as_text=True)
        assert f'data-reference="{filed.reference}"' in page
    page = client.get("/detention-requests/?status=refused").get_data(as_text=True)
    assert "No refused requests." in page and filed.reference not in page
    for user in (make_user(Role.HOLDER), make_user(Role.OFFICER, district="2201")):
        page = login(user).get("/detention-requests/").get_data(as_text=True)
        assert 'data-testid="empty-state"' in page and filed.reference not in page


def test_the_holder_withdraws(client, login, filed, holder, make_user):
    login(make_user(Role.HOLDER))
    assert client.post(f"/detention-requests/{filed.id}/withdraw").status_code == 404
    login(holder)
    page = client.get(f"/detention-requests/{filed.id}").get_data(as_text=True)
    assert "data-confirm=" in page  # the browser asks before withdrawing
    response = client.post(f"/detention-requests/{filed.id}/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DetentionRequest, filed.id).status == RequestStatus.WITHDRAWN
    response = client.post(f"/detention-requests/{filed.id}/withdraw", follow_redirects=True)
    assert "is withdrawn: it can no longer be withdrawn" in response.get_data(as_text=True)


def test_an_officer_accepts_it_into_a_case(client, login, filed, holder, make_user):
    officer = make_user(Role.OFFICER)
    login(officer)
    url = f"/detention-requests/{filed.id}/accept"
    page = client.get(url).get_data(as_text=True)
    assert "LED bulbs bearing the BRIGHTLIGHT mark" in page  # prefilled from the request
    assert 'value="853952"' in page and 'value="5000"' in page
    data = {
        "channel": "express", "direction": "import", "goods": "LED bulbs", "items": "4800",
        "value_cny": "24000.00", "hs_code": "853952", "consignor": "Fake Lights Co",
        "consignee": "", "goods_category": "lighting", "country_of_origin": "CN",
    }  # fmt: skip
    response = client.post(url, data=data)
    case = db.session.scalars(select(DetentionCase)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert (case.mode, case.request_id, case.holder_org_id) == (
        Mode.ON_APPLICATION, filed.id, holder.organisation_id
    )  # fmt: skip
    assert re.fullmatch(r"D\d{4}-5301-000001", case.case_number)
    # The request links its case; accepting again is told clearly, nothing more opens.
    page = client.get(f"/detention-requests/{filed.id}").get_data(as_text=True)
    assert f"/cases/{case.id}" in page and case.case_number in page
    response = client.post(url, data=data, follow_redirects=True)
    assert f"Request {filed.reference} is accepted: it can no longer be accepted." in (
        response.get_data(as_text=True)
    )
    assert count(DetentionCase) == 1


def test_bad_case_facts_come_back_with_the_fields_named(client, login, filed, make_user):
    login(make_user(Role.OFFICER))
    data = {"channel": "express", "direction": "import", "goods": "LED", "items": "1",
            "value_cny": "1.00", "hs_code": "12"}  # fmt: skip
    response = client.post(f"/detention-requests/{filed.id}/accept", data=data)
    assert response.status_code == 422
    assert "An HS code is 6 to 10 digits." in response.get_data(as_text=True)
    assert count(DetentionCase) == 0


def test_only_the_districts_officers_reach_the_decisions(client, login, filed, make_user):
    login(make_user(Role.OFFICER, district="2201"))
    for action in ("accept", "refuse"):
        assert client.get(f"/detention-requests/{filed.id}/{action}").status_code == 404
    login(make_user(Role.ADMIN))
    assert client.get(f"/detention-requests/{filed.id}/accept").status_code == 403


def test_an_officer_refuses_with_a_reason(client, login, filed, holder, make_user):
    login(make_user(Role.OFFICER))
    url = f"/detention-requests/{filed.id}/refuse"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 422
    assert "Give the reason." in response.get_data(as_text=True)
    response = client.post(url, data={"reason": "The evidence shows no infringement."})
    assert response.status_code == 302
    db.session.expire_all()
    request = db.session.get(DetentionRequest, filed.id)
    assert request.status == RequestStatus.REFUSED
    page = login(holder).get(f"/detention-requests/{filed.id}").get_data(as_text=True)
    assert "The evidence shows no infringement." in page
    assert "Withdraw the request" not in page
