"""The filing pages as a holder meets them: form, drafts, rows, submit, page, withdraw, 404s."""

from __future__ import annotations

import re

import pytest

from ipr_apps.db import db
from ipr_apps.models import Application, Role, Status
from ipr_apps.services import filing
from ipr_apps.services.content import holder_dict
from tests import files
from tests.factories import add_required_documents, complete_payload, grant_mandate
from tests.pages import invalid_fields


def _form_data(payload: dict | None = None, **extra) -> dict:
    """Flatten a service payload into the form's field names (goods-0-name, right-title...)."""
    data = {}
    for group, value in (payload or {}).items():
        if isinstance(value, dict):
            data.update({f"{group}-{k}": v for k, v in value.items() if v is not None})
        else:
            for i, row in enumerate(value):
                data.update({f"{group}-{i}-{k}": v for k, v in row.items() if v is not None})
    data = {k: ("y" if v is True else str(v)) for k, v in data.items() if v is not False}
    return {**data, **extra}


@pytest.fixture
def holder(make_user, login):
    user = make_user(Role.HOLDER)
    login(user)
    return user


@pytest.fixture
def draft(holder):
    return filing.create_draft(holder, "trademark")


def _reload(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_new_application_creates_a_draft_and_opens_the_form(client, holder):
    response = client.post("/applications/new", data={"ipr_type": "patent_design"})
    application = db.session.query(Application).one()
    assert response.headers["Location"] == f"/applications/{application.id}/edit"
    assert application.ipr_type.value == "patent_design" and application.filed_by_id == holder.id
    html = client.get(response.headers["Location"]).get_data(True)
    assert holder.organisation.name_local in html  # holder section pre-filled
    assert 'id="right-abstract"' in html and 'id="right-nice_classes"' not in html


def test_agent_chooses_one_of_its_holders(client, make_user, login):
    holder = make_user(Role.HOLDER)
    stranger = make_user(Role.HOLDER)
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, holder)
    login(agent)
    html = client.get("/applications/new").get_data(True)
    assert holder.organisation.display_name in html
    assert stranger.organisation.display_name not in html
    refused = client.post(
        "/applications/new",
        data={"ipr_type": "trademark", "holder_org_id": stranger.organisation_id},
    )
    assert refused.status_code == 200 and db.session.query(Application).count() == 0
    client.post(
        "/applications/new", data={"ipr_type": "trademark", "holder_org_id": holder.organisation_id}
    )
    assert db.session.query(Application).one().agency_id == agent.organisation_id


def test_fields_shown_per_type(client, holder):
    for ipr_type, shown, hidden in [
        ("trademark", "right-nice_classes", "right-work_type"),
        ("copyright", "right-first_publication_country", "right-abstract"),
        ("patent_invention", "right-filing_date", "right-goods_services"),
    ]:
        application = filing.create_draft(holder, ipr_type)
        html = client.get(f"/applications/{application.id}/edit").get_data(True)
        assert f'id="{shown}"' in html and f'id="{hidden}"' not in html


def test_save_draft_keeps_half_filled_content(client, holder, draft):
    data = _form_data({"right": {"title": "BRIGHT", "nice_classes": "99"},
                       "goods": [{"name": "Bulb", "hs_code": "12ab"}]}, action="save")  # fmt: skip
    response = client.post(f"/applications/{draft.id}/edit", data=data)
    assert response.status_code == 302
    saved = _reload(draft)
    assert (saved.right.title, saved.right.nice_classes) == ("BRIGHT", "99")
    assert saved.goods[0].hs_code == "12ab" and saved.status == Status.DRAFT
    html = client.get(f"/applications/{draft.id}/edit").get_data(True)
    assert 'value="BRIGHT"' in html and 'value="12ab"' in html


def test_shape_error_rerenders_everything_typed(client, holder, draft):
    data = _form_data({"right": {"title": "KEEP ME", "expiry_date": "31/02/2030"}}, action="save")
    response = client.post(f"/applications/{draft.id}/edit", data=data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert 'value="KEEP ME"' in html and 'value="31/02/2030"' in html
    assert 'data-testid="error-summary"' in html and 'href="#right-expiry_date"' in html


def test_add_and_remove_rows_without_javascript(client, holder, draft):
    data = _form_data({"goods": [{"name": "First"}]}, add="licensees")
    html = client.post(f"/applications/{draft.id}/edit", data=data).get_data(True)
    assert 'id="licensees-0-name"' in html and 'value="First"' in html
    assert _reload(draft).goods[0].name == "First"  # adding a row saved the draft
    data = _form_data({"goods": [{"name": "First"}, {"name": "Second"}]}, remove="goods-0")
    client.post(f"/applications/{draft.id}/edit", data=data)
    assert [g.name for g in _reload(draft).goods] == ["Second"]


def test_submit_incomplete_shows_errors_beside_fields_and_keeps_data(client, holder, draft):
    payload = complete_payload()
    payload["goods"][0]["hs_code"] = "12345"
    data = _form_data(payload, action="submit")
    response = client.post(f"/applications/{draft.id}/edit", data=data)
    html = response.get_data(True)
    assert response.status_code == 422
    assert 'href="#goods-0-hs_code"' in html and "Attach the IPR certificate." in html
    assert "goods-0-hs_code" in invalid_fields(html)
    saved = _reload(draft)
    assert saved.status == Status.DRAFT and saved.goods[0].hs_code == "12345"
    assert saved.right.title == "BRIGHTLIGHT"


def test_submit_complete_application(client, holder, draft):
    add_required_documents(draft)
    data = _form_data({"holder": holder_dict(draft), **complete_payload()}, action="submit")
    response = client.post(f"/applications/{draft.id}/edit", data=data)
    assert response.headers["Location"] == f"/applications/{draft.id}"
    saved = _reload(draft)
    assert saved.status == Status.SUBMITTED and len(saved.goods) == 2
    page = client.get(f"/applications/{draft.id}").get_data(True)
    assert 'data-testid="timeline"' in page and "submit" in page
    assert re.search(r"working days? left", page)
    edit = client.get(f"/applications/{draft.id}/edit")
    assert edit.status_code == 302 and edit.headers["Location"] == f"/applications/{draft.id}"


def test_duplicate_warning_on_submit(client, holder, make_user):
    first = filing.create_draft(holder, "trademark", complete_payload(number="TM-42"))
    add_required_documents(first)
    filing.submit(holder, first.id)
    second = filing.create_draft(holder, "trademark")
    add_required_documents(second)
    payload = {"holder": holder_dict(second), **complete_payload(number="TM-42")}
    response = client.post(
        f"/applications/{second.id}/edit", data=_form_data(payload, action="submit")
    )
    page = client.get(response.headers["Location"]).get_data(True)
    assert first.reference in page  # the flashed warning names the other application
    assert 'data-testid="duplicate-flag"' in page
    assert _reload(second).duplicate_flag is True


def test_other_holder_gets_404_everywhere(client, make_user, login, holder, draft):
    login(make_user(Role.HOLDER))
    for url in (f"/applications/{draft.id}", f"/applications/{draft.id}/edit",
                f"/applications/{draft.id}/withdraw"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/applications/{draft.id}/edit", data={"action": "save"}).status_code == 404
    assert client.post(f"/applications/{draft.id}/withdraw").status_code == 404
    assert _reload(draft).status == Status.DRAFT


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_staff_can_read_the_application_page(client, make_user, login, holder, draft, role):
    login(make_user(role))
    assert client.get(f"/applications/{draft.id}").status_code == 200
    assert client.get(f"/applications/{draft.id}/edit").status_code == 403


def test_withdraw_asks_first_then_withdraws(client, holder, draft):
    confirm = client.get(f"/applications/{draft.id}/withdraw")
    assert confirm.status_code == 200 and _reload(draft).status == Status.DRAFT
    response = client.post(f"/applications/{draft.id}/withdraw", data={"reason": "Sold the mark"})
    assert response.status_code == 302
    saved = _reload(draft)
    assert saved.status == Status.WITHDRAWN and saved.events[-1].note == "Sold the mark"
    assert client.get(f"/applications/{draft.id}/withdraw").status_code == 409


def test_my_applications_lists_days_left_and_what_waits(client, holder, draft, make_application):
    submitted = make_application(holder, "submitted")
    waiting = make_application(holder, "info_requested")
    html = client.get("/applications/").get_data(True)
    for application in (draft, submitted, waiting):
        assert application.reference in html
    assert "Complete and submit" in html and "Answer the information request" in html
    filtered = client.get("/applications/?status=info_requested").get_data(True)
    assert waiting.reference in filtered and draft.reference not in filtered


def test_upload_from_the_form_saves_what_was_typed_first(client, holder, draft, app):
    import io

    data = _form_data({"right": {"title": "TYPED BUT NOT SAVED"}}, action="upload_document")
    data.update(doc_type="ipr_certificate", file=(io.BytesIO(files.pdf()), "cert.pdf"))
    response = client.post(
        f"/applications/{draft.id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    saved = _reload(draft)
    assert saved.right.title == "TYPED BUT NOT SAVED"
    assert [(d.doc_type.value, d.original_name) for d in saved.documents] == [
        ("ipr_certificate", "cert.pdf")
    ]


def test_refused_upload_from_the_form_still_saves_the_draft(client, holder, draft):
    import io

    data = _form_data({"right": {"title": "KEPT"}}, action="upload_document")
    data.update(doc_type="ipr_certificate", file=(io.BytesIO(b"<html>"), "cert.pdf"))
    client.post(f"/applications/{draft.id}/edit", data=data, content_type="multipart/form-data")
    saved = _reload(draft)
    assert saved.right.title == "KEPT" and saved.documents == []


def test_agent_reads_but_cannot_change_what_its_principal_filed(
    client, make_user, login, make_application
):
    principal = make_user(Role.HOLDER)
    agent = make_user(Role.HOLDER, agency=True)
    grant_mandate(agent, principal)
    own = make_application(principal, "draft")
    login(agent)
    assert own.reference not in client.get("/applications/").get_data(True)  # filed by us
    listing = client.get("/applications/?scope=holders").get_data(True)
    assert own.reference in listing and principal.organisation.name_en in listing
    assert f"/applications/{own.id}/edit" not in listing  # no link that would be a 404
    assert client.get(f"/applications/{own.id}").status_code == 200
    assert client.get(f"/applications/{own.id}/edit").status_code == 404
    client.post(f"/applications/{own.id}/withdraw")
    assert _reload(own).status == Status.DRAFT
