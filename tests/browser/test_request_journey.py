"""Detention on the holder's application, tried in Chromium as new users would: the holder
opens its recordation in force, presses "Request detention", sends the form without evidence
(told what is missing, nothing typed lost), then files it with a PDF; an officer of the likely
port's district finds it in the list (waiting first), reads it, downloads the evidence and
accepts it into a case on application; the holder sees the request accepted, linked to the
case.

The recordation and the officer are made beforehand through the real services, by an app in
this process on the live server's database (as tests/browser/test_recordation_journey does).
On every page visited axe-core finds no serious or critical violation and, at 390 px wide, the
page does not scroll sideways.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import (
    CaseStatus,
    CustomsDistrict,
    DetentionCase,
    DetentionRequest,
    Mode,
    RequestStatus,
    Role,
    today,
)
from ipr_apps.services import detention_requests, users
from ipr_apps.services.detention_requests import Evidence
from ipr_apps.services.request_fields import RequestFields
from tests.browser.test_filing_journey import minimal_pdf
from tests.browser.test_recordation_journey import _file_and_approve, check
from tests.browser.test_review_journey import flash, sign_in
from tests.live import DEMO_PASSWORD, LiveServer

HOLDER = "holder@example.com"
PORT = "5399"
GOODS = "LED bulbs bearing the JOURNEY mark, about 5,000 pieces"


@pytest.fixture(scope="module")
def made(data_app: Flask) -> dict:
    """A recordation in force of the demo holder, and an officer of customs 5399."""
    token = secrets.token_hex(3).upper()
    day = today()
    with data_app.app_context():
        if db.session.get(CustomsDistrict, PORT) is None:
            db.session.add(CustomsDistrict(code=PORT, name_local="旅程海关", name_en="Journey"))
            db.session.commit()
        officer_email = f"officer-{token.lower()}@example.com"
        users.create_user(
            officer_email, DEMO_PASSWORD, Role.OFFICER, "Officer Journey", district_code=PORT
        )
        recordation = _file_and_approve(
            f"Journey Requests {token} Co", f"REQ-{token}", day - relativedelta(years=1),
            day + relativedelta(years=5),
        )  # fmt: skip
        holder = users.get_by_email(HOLDER)
        evidence = [Evidence(BytesIO(minimal_pdf()), "photos.pdf")]
        to_refuse = detention_requests.file(
            holder, recordation.id, RequestFields(PORT, "post", "export", "Fake lamps",
                                                  consignee="Someone"), evidence,
        )  # fmt: skip
        refuse = (to_refuse.id, to_refuse.reference)
        db.session.remove()
    return {"officer": officer_email, "recordation": recordation, "refuse": refuse}


def test_the_holder_requests_detention_and_an_officer_accepts_it(
    live: LiveServer, new_page, made, data_app: Flask, screenshot
) -> None:
    base, recordation = live.url, made["recordation"]
    holder = new_page()
    sign_in(holder, base, HOLDER, "/applications/")

    # 1. The recordation in force offers "Request detention" to its holder.
    holder.goto(f"{base}/recordations/{recordation.id}")
    check(holder)
    holder.get_by_test_id("request-detention-link").click()
    expect(holder).to_have_url(f"{base}/detention-requests/new?recordation_id={recordation.id}")
    expect(holder.get_by_test_id("request-recordation")).to_have_text(recordation.number)
    check(holder)
    holder.get_by_label("Likely port (customs district)").select_option(PORT)
    holder.get_by_label("Direction").select_option("import")
    holder.get_by_label("Channel").select_option("express")
    holder.get_by_label("Expected from").fill(str(date.today() + relativedelta(days=7)))
    holder.get_by_label("Expected until").fill(str(date.today() + relativedelta(days=30)))
    holder.get_by_label("Consignor").fill("Fake Lights Co, Guangzhou")
    holder.get_by_label("Consignee").fill("Cheap Imports Ltd, Hamburg")
    holder.get_by_label("Goods", exact=True).fill(GOODS)
    holder.get_by_label("HS code").fill("853952")
    holder.get_by_label("Items").fill("5000")
    holder.get_by_label("Grounds for detention").fill(
        "A test purchase in October showed counterfeit bulbs."
    )
    submit = holder.get_by_role("button", name="File the request")

    # Without evidence: told so beside the field; what was typed is still there.
    submit.click()
    expect(holder.get_by_test_id("error-summary")).to_contain_text("Attach at least one")
    expect(holder.get_by_test_id("evidence-error")).to_contain_text("Attach at least one")
    expect(holder.get_by_label("Goods", exact=True)).to_have_value(GOODS)
    check(holder)
    with data_app.app_context():
        stmt = select(DetentionRequest).where(DetentionRequest.goods == GOODS)
        assert db.session.scalars(stmt).all() == []
        db.session.remove()

    # With a PDF: filed, on its own page.
    evidence = {"name": "test-purchase.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}
    holder.get_by_label("Evidence files").set_input_files(files=[evidence])
    submit.click()
    expect(holder).to_have_url(re.compile(rf"^{re.escape(base)}/detention-requests/\d+$"))
    expect(flash(holder, "success")).to_contain_text("filed")
    expect(holder.get_by_test_id("request-status")).to_have_attribute("data-status", "submitted")
    expect(holder.get_by_test_id("evidence-item")).to_have_text(re.compile("test-purchase.pdf"))
    request_url = holder.url
    reference = holder.get_by_test_id("request-reference").inner_text()
    check(holder)
    screenshot(holder, "request-filed")

    # 2. The officer of customs 5399 finds it, waiting, in the list.
    officer = new_page()
    sign_in(officer, base, made["officer"], "/cases/")
    officer.goto(f"{base}/detention-requests/")
    row = officer.locator(f'[data-testid="request-row"][data-reference="{reference}"]')
    expect(row).to_have_attribute("data-status", "submitted")
    check(officer)
    row.get_by_role("link", name=reference).click()
    expect(officer).to_have_url(request_url)
    check(officer)
    with officer.expect_download() as download:
        officer.get_by_test_id("evidence-item").get_by_role("link").click()
    assert download.value.suggested_filename == "test-purchase.pdf"
    assert Path(download.value.path()).read_bytes() == minimal_pdf()

    # The case form starts from the request; the officer records what was found.
    officer.get_by_test_id("accept-link").click()
    expect(officer).to_have_url(f"{request_url}/accept")
    expect(officer.get_by_label("Goods", exact=True)).to_have_value(GOODS)
    expect(officer.get_by_label("HS code")).to_have_value("853952")
    expect(officer.get_by_label("Items")).to_have_value("5000")
    check(officer)
    officer.get_by_label("Items").fill("4800")
    officer.get_by_label("Declared value (yuan)").fill("24000.00")
    officer.get_by_label("Country of origin").select_option("CN")
    officer.get_by_role("button", name="Open the case").click()
    expect(officer).to_have_url(re.compile(rf"^{re.escape(base)}/cases/\d+$"))
    expect(flash(officer, "success")).to_contain_text(f"Request {reference} accepted")
    case_number = officer.get_by_test_id("case-number").inner_text()
    assert re.fullmatch(rf"D\d{{4}}-{PORT}-\d{{6}}", case_number)
    check(officer)
    screenshot(officer, "request-accepted-case")

    # Another request is refused: the reason is required.
    refuse_id, refuse_reference = made["refuse"]
    officer.goto(f"{base}/detention-requests/{refuse_id}")
    officer.get_by_test_id("refuse-link").click()
    expect(officer).to_have_url(f"{base}/detention-requests/{refuse_id}/refuse")
    check(officer)
    officer.get_by_role("button", name="Refuse the request").click()
    expect(officer.get_by_test_id("refuse-form").locator(".invalid-feedback")).to_have_text(
        "Give the reason."
    )
    check(officer)
    officer.get_by_label("Reason").fill("The photos do not show the recorded mark.")
    officer.get_by_role("button", name="Refuse the request").click()
    expect(flash(officer, "success")).to_contain_text(f"Request {refuse_reference} refused")
    expect(officer.get_by_test_id("request-refusal")).to_contain_text("do not show")
    check(officer)
    officer.goto(f"{base}/detention-requests/?status=withdrawn")
    expect(officer.get_by_test_id("empty-state")).to_be_visible()
    check(officer)

    # 3. The holder sees the request accepted, linked to the case.
    holder.goto(f"{base}/detention-requests/")
    for ref, status in ((reference, "accepted"), (refuse_reference, "refused")):
        row = holder.locator(f'[data-testid="request-row"][data-reference="{ref}"]')
        expect(row).to_have_attribute("data-status", status)
    check(holder)
    holder.goto(request_url)
    expect(holder.get_by_test_id("request-status")).to_have_attribute("data-status", "accepted")
    holder.get_by_test_id("request-case").get_by_role("link", name=case_number).click()
    expect(holder.get_by_test_id("case-number")).to_have_text(case_number)
    check(holder)
    with data_app.app_context():
        request = db.session.scalars(
            select(DetentionRequest).where(DetentionRequest.reference == reference)
        ).one()
        case = db.session.scalars(
            select(DetentionCase).where(DetentionCase.case_number == case_number)
        ).one()
        assert request.status == RequestStatus.ACCEPTED
        assert (case.mode, case.status, case.request_id) == (
            Mode.ON_APPLICATION, CaseStatus.AWAITING_HOLDER, request.id
        )  # fmt: skip
        assert (case.items, case.recordation_id) == (4800, recordation.id)
        db.session.remove()
