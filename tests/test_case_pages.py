"""The officer's case pages: opening a case on a recordation (GET/POST /cases/new), recording
the outcome (GET/POST /cases/<id>/outcome), the outcome button on the case page, and the
recordation page read by an officer."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import (
    CaseOutcome,
    CaseStatus,
    DetentionCase,
    Mode,
    RecordationStatus,
    Role,
    Status,
    utcnow,
)
from ipr_apps.services import documents
from tests.case_helpers import back_date, detain, open_case, recordation_with_goods
from tests.conftest import make_app
from tests.factories import make_application, recordation_row
from tests.files import pdf, png

TODAY = date.today()
FORM = {
    "channel": "express", "direction": "import", "goods": "Fake LED torches",
    "goods_category": "Lighting", "hs_code": "8513.10", "items": "1200",
    "value_cny": "36000.50", "consignor": "Fake Lights Co", "consignee": "Importer Ltd",
    "country_of_origin": "VN",
}  # fmt: skip


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER)


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, district="5301")


@pytest.fixture
def recordation(holder):
    return recordation_with_goods(holder, "Brightlight", goods=[("LED torch", "851310")])


def case_count() -> int:
    return db.session.execute(select(func.count()).select_from(DetentionCase)).scalar_one()


def test_the_form_is_prefilled_from_the_recordation(client, login, officer, recordation):
    login(officer)
    response = client.get(f"/cases/new?recordation_id={recordation.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="recordation-summary"' in html and recordation.number in html
    assert "Brightlight" in html and recordation.holder_name in html
    assert re.search(r'id="hs_code"[^>]*value="851310"', html)
    assert re.search(r'id="goods"[^>]*>\s*LED torch</textarea>', html)
    for name in ("channel", "direction-0", "items", "value_cny", "consignor", "consignee",
                 "country_of_origin", "goods_category"):  # fmt: skip
        assert f'for="{name}"' in html


def test_a_recorded_heading_too_short_for_a_case_is_not_prefilled(client, login, officer, holder):
    """A 4-digit recorded code (a heading) would be refused by the form it was put in; the
    first code of 6 to 10 digits is offered instead, and submitting the form as offered works."""
    recorded = recordation_with_goods(
        holder, "Brightlight", goods=[("Lamps", "9405"), ("LED torch", "8513.10")]
    )
    login(officer)
    html = client.get(f"/cases/new?recordation_id={recorded.id}").get_data(as_text=True)
    assert re.search(r'id="hs_code"[^>]*value="851310"', html)


def test_opening_a_case(client, login, officer, recordation, holder):
    login(officer)
    response = client.post(f"/cases/new?recordation_id={recordation.id}", data=FORM)
    assert response.status_code == 302
    case = db.session.execute(select(DetentionCase)).scalar_one()
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert (case.mode, case.status, case.port_code) == (
        Mode.EX_OFFICIO, CaseStatus.AWAITING_HOLDER, "5301"
    )  # fmt: skip
    assert (case.recordation_id, case.holder_org_id) == (recordation.id, holder.organisation_id)
    assert (case.hs_code, case.items, case.value_cny) == ("851310", 1200, Decimal("36000.50"))
    assert (case.consignor, case.country_of_origin) == ("Fake Lights Co", "VN")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The holder has until {case.confirm_by:%-d %b %Y} to confirm" in page


def test_errors_are_shown_beside_the_fields_and_nothing_is_lost(
    client, login, officer, recordation
):
    login(officer)
    bad = FORM | {"goods": "", "hs_code": "85", "items": "-3", "value_cny": "1.234",
                  "consignor": "Keep me", "country_of_origin": "VN"}  # fmt: skip
    response = client.post(f"/cases/new?recordation_id={recordation.id}", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert case_count() == 0
    assert 'data-testid="error-summary"' in html
    assert "Describe the goods." in html
    assert re.search(r'id="consignor"[^>]*value="Keep me"', html)
    assert re.search(r'<option[^>]*selected[^>]*value="VN"|<option value="VN" selected', html)
    # the service's own rule (6 to 10 digits) shown beside the field once the form passes
    response = client.post(
        f"/cases/new?recordation_id={recordation.id}", data=FORM | {"hs_code": "85"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and case_count() == 0
    assert "An HS code is 6 to 10 digits." in html and 'value="85"' in html


def test_no_case_on_an_ended_or_unknown_recordation(client, login, officer, holder):
    ended = recordation_with_goods(holder, status=RecordationStatus.EXPIRED)
    login(officer)
    response = client.post(f"/cases/new?recordation_id={ended.id}", data=FORM)
    assert response.status_code == 302 and case_count() == 0
    assert response.headers["Location"].endswith(f"/recordations/{ended.id}")
    assert client.get("/cases/new?recordation_id=999999").status_code == 404
    assert client.get("/cases/new").status_code == 404
    assert client.get("/cases/new?recordation_id=x").status_code == 404


def test_a_closed_district_cannot_open_a_case(client, login, officer, recordation):
    officer.district.active = False
    db.session.commit()
    login(officer)
    response = client.post(f"/cases/new?recordation_id={recordation.id}", data=FORM)
    assert response.status_code == 422 and case_count() == 0
    assert "Your district is closed" in response.get_data(as_text=True)


@pytest.fixture
def detained(officer, recordation, holder):
    case = detain(open_case(officer, recordation), holder)
    back_date(case, TODAY - timedelta(days=5))
    return case


def test_the_case_page_offers_the_outcome_only_to_the_districts_officer(
    client, login, officer, holder, detained, recordation
):
    login(officer)
    assert 'data-testid="outcome-link"' in client.get(f"/cases/{detained.id}").get_data(True)
    awaiting = open_case(officer, recordation)
    assert 'data-testid="outcome-link"' not in client.get(f"/cases/{awaiting.id}").get_data(True)
    holder_client = client.application.test_client()
    login(holder, to=holder_client)
    html = holder_client.get(f"/cases/{detained.id}").get_data(True)
    assert 'data-testid="outcome-link"' not in html


def test_recording_the_outcome(client, login, officer, detained):
    login(officer)
    page = client.get(f"/cases/{detained.id}/outcome")
    assert page.status_code == 200 and 'data-testid="outcome-warning"' in page.get_data(True)
    assert f'value="{TODAY.isoformat()}"' in page.get_data(True)  # today, to start with
    day = (TODAY - timedelta(days=1)).isoformat()
    data = {"outcome": "transferred_to_police", "outcome_on": day, "note": "Handed over."}
    response = client.post(f"/cases/{detained.id}/outcome", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{detained.id}")
    db.session.expire_all()
    case = db.session.get(DetentionCase, detained.id)
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, CaseOutcome.TRANSFERRED_TO_POLICE)
    assert case.outcome_on == TODAY - timedelta(days=1)
    follow = client.get(f"/cases/{detained.id}").get_data(True)
    assert "is closed: transferred to police" in follow
    again = client.get(f"/cases/{detained.id}/outcome")  # closed: back to the case
    assert again.status_code == 302


def test_outcome_errors_keep_what_was_typed(client, login, officer, detained):
    login(officer)
    early = (TODAY - timedelta(days=6)).isoformat()
    data = {"outcome": "confiscated", "outcome_on": early, "note": "Keep this note"}
    response = client.post(f"/cases/{detained.id}/outcome", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot come before the case was opened" in html and "Keep this note" in html
    assert re.search(r'value="confiscated"[^>]*checked|checked[^>]*value="confiscated"', html)
    missing = client.post(f"/cases/{detained.id}/outcome", data={"outcome_on": ""})
    assert missing.status_code == 422
    assert "Choose what became of the goods." in missing.get_data(True)
    db.session.expire_all()
    assert db.session.get(DetentionCase, detained.id).status == CaseStatus.DETAINED


def test_another_districts_officer_and_other_holders_get_404(
    client, login, make_user, detained, recordation
):
    login(make_user(Role.OFFICER, district="5100"))
    assert client.get(f"/cases/{detained.id}/outcome").status_code == 404
    data = {"outcome": "released", "outcome_on": TODAY.isoformat()}
    assert client.post(f"/cases/{detained.id}/outcome", data=data).status_code == 404
    assert client.get(f"/cases/{detained.id}").status_code == 404
    stranger = client.application.test_client()
    login(make_user(Role.HOLDER), to=stranger)
    assert stranger.get(f"/cases/{detained.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(DetentionCase, detained.id).status == CaseStatus.DETAINED


def test_an_officer_reads_a_recordation_page_without_any_action(
    client, login, officer, holder, recordation
):
    draft = make_application(holder, Status.DRAFT)
    draft.recordation_id = recordation.id
    db.session.commit()
    login(officer)
    response = client.get(f"/recordations/{recordation.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="open-case-link"' in html
    for action in ("cancel-link", "revoke-link", "renew-button", "amend-button"):
        assert f'data-testid="{action}"' not in html
    assert "/review/" not in html and "/filing/" not in html  # applications are not linked
    assert draft.reference not in html  # a holder's unsent draft is not customs' to read
    assert client.get("/recordations/").status_code == 200


def test_no_open_case_link_on_an_ended_recordation(client, login, officer, holder):
    ended = recordation_with_goods(holder, status=RecordationStatus.LAPSED)
    login(officer)
    html = client.get(f"/recordations/{ended.id}").get_data(as_text=True)
    assert 'data-testid="open-case-link"' not in html


@pytest.fixture
def strict_app(app, config):
    strict = make_app({**config, "WTF_CSRF_ENABLED": True})
    yield strict
    with strict.app_context():
        db.engine.dispose()


def test_forms_need_the_csrf_token(strict_app, login, officer, recordation, detained):
    strict = strict_app.test_client()
    login(officer, to=strict)
    url = f"/cases/new?recordation_id={recordation.id}"
    before = case_count()
    assert strict.post(url, data=FORM).status_code == 400
    assert strict.post(f"/cases/{detained.id}/outcome", data={"outcome": "released",
                       "outcome_on": TODAY.isoformat()}).status_code == 400  # fmt: skip
    db.session.expire_all()
    assert case_count() == before
    assert db.session.get(DetentionCase, detained.id).status == CaseStatus.DETAINED
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', strict.get(url).get_data(True))
    assert strict.post(url, data=FORM | {"csrf_token": token.group(1)}).status_code == 302
    assert case_count() == before + 1


def test_an_officer_sees_a_recordations_mark_image_and_no_other_document(
    client, login, officer, holder
):
    def filed_with_mark():
        draft = make_application(holder, Status.DRAFT)
        mark = documents.set_mark_image(holder, draft.id, BytesIO(png()), "mark.png")
        cert = documents.attach(holder, draft.id, "ipr_certificate", BytesIO(pdf()), "c.pdf")
        return draft, mark.id, cert.id

    recorded, mark_id, cert_id = filed_with_mark()
    recorded.status = Status.APPROVED
    recorded.first_submitted_at = recorded.submitted_at = recorded.decided_at = utcnow()
    recordation_row(recorded)
    db.session.commit()
    _, draft_mark_id, _ = filed_with_mark()  # never recorded: not customs' to read
    login(officer)
    page = client.get(f"/recordations/{recorded.recordation_id}").get_data(as_text=True)
    assert f"/documents/{mark_id}" in page
    image = client.get(f"/documents/{mark_id}")
    image.close()  # a file is streamed from an open handle
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert client.get(f"/documents/{cert_id}").status_code == 404
    assert client.get(f"/documents/{draft_mark_id}").status_code == 404
