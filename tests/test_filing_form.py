"""The application form as a new holder meets it (issue 9, defects 1–4): the answer to an
information request is kept, the error summary lists every problem in page order, formats and
completeness are checked in one pass, required fields and length limits are shown."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from ipr_apps.db import db
from ipr_apps.i18n import format_day
from ipr_apps.models import Application, InformationRequest, Role, Status
from ipr_apps.services import filing, review
from ipr_apps.services.completeness import required_fields
from ipr_apps.services.content import holder_dict
from tests.factories import add_required_documents, complete_payload
from tests.pages import input_tags, invalid_fields, summary_links
from tests.test_filing_pages import _form_data


@pytest.fixture
def holder(make_user, login):
    user = make_user(Role.HOLDER)
    login(user)
    return user


def _reload(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def _full_form(application, **extra) -> dict:
    payload = {"holder": holder_dict(application), **complete_payload(application.ipr_type)}
    return _form_data(payload, **extra)


@pytest.fixture
def info_requested(holder, make_user):
    application = filing.create_draft(holder, "trademark", complete_payload())
    add_required_documents(application)
    filing.submit(holder, application.id)
    reviewer = make_user(Role.REVIEWER, name="Officer Zhao")
    review.claim(reviewer, application.id)
    review.request_info(reviewer, application.id, "Send the licence contract.")
    return _reload(application)


# --- 1. the answer to an information request ----------------------------------------------


@pytest.mark.parametrize("action", ["save", "upload_document"])
def test_the_typed_answer_is_kept_with_the_draft(client, info_requested, action):
    data = _full_form(info_requested, action=action, response="Contract attached.")
    response = client.post(f"/applications/{info_requested.id}/edit", data=data)
    assert response.status_code == 302
    request = db.session.query(InformationRequest).one()
    assert request.draft_response == "Contract attached." and request.answered_at is None
    html = client.get(f"/applications/{info_requested.id}/edit").get_data(True)
    assert re.search(r'<textarea[^>]*id="response"[^>]*>\s*Contract attached.</textarea>', html)


def test_the_answer_box_is_next_to_the_request_at_the_top(client, info_requested):
    html = client.get(f"/applications/{info_requested.id}/edit").get_data(True)
    request_at = html.index("Send the licence contract.")
    assert request_at < html.index('id="response"') < html.index('id="holder"')


def test_resubmitting_sends_the_saved_answer(client, info_requested):
    client.post(
        f"/applications/{info_requested.id}/edit",
        data=_full_form(info_requested, action="save", response="Contract attached."),
    )
    data = _full_form(info_requested, action="submit", response="Contract attached.")
    response = client.post(f"/applications/{info_requested.id}/edit", data=data)
    assert response.status_code == 302
    request = db.session.query(InformationRequest).one()
    assert request.response == "Contract attached." and request.answered_at is not None
    assert request.draft_response is None
    assert _reload(info_requested).status == Status.SUBMITTED


def test_a_draft_answer_is_not_shown_to_customs(client, info_requested, make_user, login):
    client.post(
        f"/applications/{info_requested.id}/edit",
        data=_full_form(info_requested, action="save", response="Half-written thoughts"),
    )
    login(make_user(Role.REVIEWER))
    html = client.get(f"/review/{info_requested.id}").get_data(True)
    assert "Half-written thoughts" not in html


def test_resubmitting_without_an_answer_is_listed_with_the_other_problems(client, info_requested):
    data = _full_form(info_requested, action="submit", response="")
    data["goods-0-hs_code"] = "85AB"
    html = client.post(f"/applications/{info_requested.id}/edit", data=data).get_data(True)
    assert summary_links(html) == ["response", "goods-0-hs_code"]


# --- 2. the error summary ----------------------------------------------------------------


def test_summary_lists_row_problems_of_a_copyright_application(client, holder):
    """Only problems inside repeating rows (no general ones): the summary used to be empty."""
    application = filing.create_draft(holder, "copyright")
    add_required_documents(application)
    data = _full_form(application, action="submit")
    for field in ("place_of_manufacture", "main_features"):
        del data[f"goods-0-{field}"]
    data["goods-1-hs_code"] = "12"
    response = client.post(f"/applications/{application.id}/edit", data=data)
    html = response.get_data(True)
    assert response.status_code == 422
    expected = ["goods-0-place_of_manufacture", "goods-0-main_features", "goods-1-hs_code"]
    assert summary_links(html) == expected
    assert "3 problems" in html
    assert 'tabindex="-1"' in html[html.index('data-testid="error-summary"') - 200 :][:400]


def test_summary_is_in_page_order(client, holder):
    application = filing.create_draft(holder, "trademark")
    data = _full_form(application, action="submit")
    data["holder-phone"] = ""
    data["right-expiry_date"] = ""
    data["right-nice_classes"] = "99"
    data["infringers-0-address"] = "Somewhere"
    data["infringers-0-name"] = ""
    links = summary_links(client.post(f"/applications/{application.id}/edit", data=data).text)
    assert links == [
        "holder-phone", "right-nice_classes", "right-expiry_date", "infringers-0-name",
        "documents", "documents",
    ]  # fmt: skip


# --- 3. formats and completeness in one pass ----------------------------------------------


def test_format_and_completeness_errors_come_in_one_pass(client, holder):
    application = filing.create_draft(holder, "trademark")
    add_required_documents(application)
    data = _full_form(application, action="submit")
    data.update({"holder-email": "not-an-email", "goods-0-hs_code": "85AB"})
    data["right-nice_classes"] = "99"
    html = client.post(f"/applications/{application.id}/edit", data=data).get_data(True)
    assert {"holder-email", "goods-0-hs_code", "right-nice_classes"} <= invalid_fields(html)
    assert summary_links(html) == ["holder-email", "right-nice_classes", "goods-0-hs_code"]


def test_unreadable_values_are_reported_with_completeness_problems(client, holder):
    """A date that cannot be read is a form error; the rest is still checked, nothing saved."""
    application = filing.create_draft(holder, "trademark")
    data = _full_form(application, action="submit")
    data.update({"right-registration_date": "31/02/2020", "goods-0-hs_code": "85AB"})
    response = client.post(f"/applications/{application.id}/edit", data=data)
    links = summary_links(response.get_data(True))
    assert response.status_code == 422
    assert links == ["right-registration_date", "goods-0-hs_code", "documents", "documents"]
    saved = _reload(application)
    assert saved.status == Status.DRAFT and saved.goods == []


def test_a_draft_with_a_half_typed_email_is_saved(client, holder):
    application = filing.create_draft(holder, "trademark")
    data = _full_form(application, action="save")
    data["holder-email"] = "someone@"
    assert client.post(f"/applications/{application.id}/edit", data=data).status_code == 302
    assert _reload(application).holder_email == "someone@"


def test_negative_prices_are_refused_at_submission(holder):
    payload = complete_payload()
    payload["goods"][0]["price_min"] = "-5"
    application = filing.create_draft(holder, "trademark", payload)
    add_required_documents(application)
    problems = filing.check(holder, application.id, {})
    assert problems == {"goods-0-price_min": ["A price cannot be negative."]}


# --- 4. required fields and length limits -------------------------------------------------


@pytest.mark.parametrize("ipr_type", ["trademark", "copyright", "patent_invention"])
def test_required_fields_are_marked(client, holder, ipr_type):
    application = filing.create_draft(holder, ipr_type)
    html = client.get(f"/applications/{application.id}/edit").get_data(True)
    required = required_fields(application.ipr_type)
    expected = {f"holder-{name}" for name in required["holder"]}
    expected |= {f"right-{name}" for name in required["right"]}
    expected |= {f"goods-0-{name}" for name in required["goods"]}
    tags = input_tags(html)
    marked = {i for i, tag in tags.items() if 'aria-required="true"' in tag and "__" not in i}
    assert marked == expected
    assert 'aria-required="true"' in tags["goods-__INDEX__-name"]  # rows added in the page
    # the label's wrapper carries the "required" class that app.css marks with *
    for field_id in expected:
        assert re.search(rf'class="[^"]*required[^"]*">\s*<label[^>]*for="{field_id}"', html)


def test_length_limits_show_a_counter_instead_of_cutting_text(client, holder):
    application = filing.create_draft(holder, "trademark")
    html = client.get(f"/applications/{application.id}/edit").get_data(True)
    tags = input_tags(html)
    assert "maxlength" not in html.replace("data-maxlength", "")
    assert 'data-maxlength="300"' in tags["holder-name_local"]
    assert 'data-maxlength="5000"' in tags["right-goods_services"]


def test_too_long_text_is_refused_not_cut(client, holder):
    application = filing.create_draft(holder, "trademark")
    data = _full_form(application, action="save")
    data["holder-phone"] = "1" * 51
    response = client.post(f"/applications/{application.id}/edit", data=data)
    assert response.status_code == 422 and "holder-phone" in invalid_fields(response.text)
    assert _reload(application).holder_phone != "1" * 51


def test_reply_by_date_and_days_left_are_shown(client, info_requested):
    html = client.get(f"/applications/{info_requested.id}/edit").get_data(True)
    request = db.session.query(InformationRequest).one()
    day = request.reply_by
    assert format_day(day) in html and re.search(r"working days? left", html)
    assert request.reply_by > date.today() - timedelta(days=1)
