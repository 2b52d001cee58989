"""Revise and file again in a real browser: the holder of a rejected application clicks
"Revise and file again", lands on the new draft's form with customs' grounds beside it on a
desktop and above it on a phone, and both applications link to each other.

The rejected application is filed and decided beforehand through the services, by an app in
this process on the live server's database and upload folder (like the review journey).
"""

from __future__ import annotations

import re
import secrets
from io import BytesIO

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from ipr_apps.db import db
from ipr_apps.services import documents, filing, review, users
from tests.browser.test_filing_journey import minimal_pdf, png_1x1
from tests.browser.test_review_journey import (
    DESKTOP,
    PHONE,
    fits_width,
    flash,
    serious_axe_violations,
    sign_in,
)
from tests.factories import complete_payload
from tests.live import LiveServer

HOLDER = "holder@example.com"
REVIEWER = "reviewer@example.com"
GROUNDS = ["incomplete_or_invalid", "not_right_holder"]
MESSAGE = "The licence is unsigned.\nAttach the signed licence and file again."


@pytest.fixture
def rejected(data_app: Flask) -> tuple[int, str]:
    """A complete trademark application of the demo holder, rejected: id and reference."""
    number = f"TM-REVISE-{secrets.token_hex(4).upper()}"
    with data_app.app_context():
        holder, reviewer = users.get_by_email(HOLDER), users.get_by_email(REVIEWER)
        draft = filing.create_draft(holder, "trademark", complete_payload("trademark", number))
        documents.attach(holder, draft.id, "ipr_certificate", BytesIO(minimal_pdf()), "cert.pdf")
        documents.attach(holder, draft.id, "identity_proof", BytesIO(png_1x1()), "licence.png")
        filing.submit(holder, draft.id)
        review.claim(reviewer, draft.id)
        application = review.reject(reviewer, draft.id, GROUNDS, MESSAGE)
        found = application.id, application.reference
        db.session.remove()
    return found


def _accessible(page: Page) -> None:
    assert serious_axe_violations(page) == []
    assert fits_width(page)


def test_revise_and_file_again_shows_the_grounds_beside_the_form(
    live: LiveServer, new_page, rejected, screenshot
) -> None:
    base = live.url
    source_id, reference = rejected
    page = new_page(viewport=DESKTOP)
    sign_in(page, base, HOLDER, "/applications/")

    page.goto(f"{base}/applications/{source_id}")
    section = page.get_by_test_id("revise")
    expect(section).to_contain_text("documents included")
    _accessible(page)
    section.get_by_role("button", name="Revise and file again").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/applications/(\d+)/edit$"))
    draft_id = int(page.url.rsplit("/", 2)[-2])
    expect(flash(page, "success")).to_contain_text(reference)
    refusal = page.get_by_test_id("refusal")
    expect(refusal.get_by_role("heading", level=2)).to_contain_text(reference)
    expect(refusal.get_by_test_id("refusal-grounds").get_by_role("listitem")).to_have_count(2)
    expect(refusal.get_by_test_id("refusal-message")).to_contain_text("The licence is unsigned.")
    expect(page.locator("#right-title")).not_to_have_value("")  # the content was copied
    aside, form = refusal.bounding_box(), page.locator("#application-form").bounding_box()
    assert aside["x"] >= form["x"] + form["width"]  # beside the form
    _accessible(page)
    screenshot(page, "revise-desktop")

    # Back on the old application: it links to its revision.
    page.goto(f"{base}/applications/{source_id}")
    link = page.get_by_test_id("revisions").get_by_role("link")
    expect(link).to_have_attribute("href", f"/applications/{draft_id}")

    # On a phone the grounds come first, above the form, and nothing scrolls sideways.
    phone = new_page(viewport=PHONE)
    sign_in(phone, base, HOLDER, "/applications/")
    phone.goto(f"{base}/applications/{draft_id}/edit")
    aside = phone.get_by_test_id("refusal").bounding_box()
    form = phone.locator("#application-form").bounding_box()
    assert aside["y"] + aside["height"] <= form["y"]
    _accessible(phone)
    screenshot(phone, "revise-phone")
