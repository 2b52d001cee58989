"""Issue 13's officer side in Chromium, as a new officer would: an officer in Shenzhen (5301)
finds a recordation by the start of its mark text, reads its page, opens an ex officio case
on it (a first try with the items left out shows the error beside the field and keeps the
rest), the holder confirms (a database step here: the holder's pages are another helper's),
and the officer records the outcome; the case is closed with it and the holder told.

The recordation is made beforehand through the real services (file, submit, claim, approve)
by an app in this process on the live server's database, as the recordation journey does.
On every page visited axe-core finds no serious or critical violation and, at 390 px wide,
the page does not scroll sideways.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ipr_apps import case_workflow
from ipr_apps.case_workflow import CaseAction
from ipr_apps.db import db, unit_of_work
from ipr_apps.models import (
    CaseOutcome,
    CaseStatus,
    CustomsDistrict,
    DetentionCase,
    Notification,
    Role,
    today,
)
from ipr_apps.services import users
from tests.browser.test_recordation_journey import (
    HOLDER,
    Made,
    _file_and_approve,
    check,
    new_page,  # noqa: F401  (fixture)
)
from tests.browser.test_review_journey import flash, sign_in
from tests.conftest import base_config, make_app
from tests.live import DEMO_PASSWORD, LiveServer

DISTRICT = "5301"


@pytest.fixture(scope="module")
def data_app(live: LiveServer, tmp_path_factory) -> Iterator[Flask]:
    """An app in this process on the live server's database and upload folder."""
    config = base_config(tmp_path_factory.mktemp("officer-journey-data"), live.database_url)
    application = make_app({**config, "UPLOAD_FOLDER": str(live.uploads)})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def journey(data_app: Flask) -> dict:
    """A recordation in force with a unique mark, and an officer of Shenzhen customs."""
    token = secrets.token_hex(3).upper()
    with data_app.app_context():
        if db.session.get(CustomsDistrict, DISTRICT) is None:
            db.session.add(CustomsDistrict(code=DISTRICT, name_local="深圳海关",
                                           name_en="Shenzhen Customs"))  # fmt: skip
            db.session.commit()
        email = f"officer-{token.lower()}@example.com"
        users.create_user(email, DEMO_PASSWORD, Role.OFFICER, "Officer Journey", None, DISTRICT)
        day = today()
        made: Made = _file_and_approve(
            f"Officer Journey {token} Co", f"OFF{token}", date(day.year - 1, day.month, 1),
            date(day.year + 8, 1, 1),
        )  # fmt: skip
        db.session.remove()
    return {"officer": email, "mark": f"JOURNEY OFF{token}", "recordation": made}


def confirm_as_holder(data_app: Flask, case_id: int) -> None:
    """The holder confirms the detention (committed), as its confirmation page will."""
    with data_app.app_context():
        with unit_of_work():
            case = db.session.get(DetentionCase, case_id)
            case_workflow.apply(case, CaseAction.CONFIRM, users.get_by_email(HOLDER))
        db.session.remove()


def test_an_officer_finds_a_recordation_opens_a_case_and_records_the_outcome(
    live: LiveServer,
    data_app: Flask,
    journey: dict,
    new_page,  # noqa: F811
):
    base, recordation = live.url, journey["recordation"]
    page: Page = new_page()
    sign_in(page, base, journey["officer"], "/cases/")
    check(page)

    # Find the recordation by the start of its mark text, typed in lower case.
    page.get_by_test_id("find-link").click()
    expect(page).to_have_url(f"{base}/cases/find")
    check(page)
    page.get_by_label("Number, mark or holder").fill(journey["mark"].lower())
    page.get_by_role("button", name="Search", exact=True).click()
    row = page.locator(f'[data-testid="find-row"][data-number="{recordation.number}"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("HS 853952")
    check(page)

    # Its page, read-only for an officer, offers to open a case.
    row.get_by_role("link", name=recordation.number, exact=True).click()
    expect(page.get_by_test_id("recordation-number")).to_have_text(recordation.number)
    expect(page.get_by_test_id("cancel-link")).to_have_count(0)
    expect(page.get_by_test_id("revoke-link")).to_have_count(0)
    check(page)
    page.get_by_test_id("open-case-link").click()
    expect(page).to_have_url(f"{base}/cases/new?recordation_id={recordation.id}")
    expect(page.get_by_test_id("recordation-summary")).to_contain_text(recordation.number)
    expect(page.get_by_label("HS code")).to_have_value("853952")
    check(page)

    # A first try without the items: the error beside the field, the rest kept.
    page.get_by_label("Channel").select_option("express")
    page.get_by_label("Import", exact=True).check()
    page.get_by_label("Goods", exact=True).fill("Counterfeit LED bulbs, JOURNEY logo on base")
    page.get_by_label("Declared value (yuan)").fill("18000.50")
    page.get_by_label("Consignor").fill("Fake Lights Co")
    page.get_by_role("button", name="Open the case and tell the holder").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Items")
    expect(page.get_by_label("Consignor")).to_have_value("Fake Lights Co")
    check(page)
    page.get_by_label("Items").fill("600")
    page.get_by_role("button", name="Open the case and tell the holder").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/cases/(\d+)$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(flash(page, "success")).to_contain_text("The holder has until")
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "awaiting_holder")
    expect(page.get_by_test_id("outcome-link")).to_have_count(0)
    check(page)

    # The holder confirms; the officer records the outcome.
    confirm_as_holder(data_app, case_id)
    page.reload()
    page.get_by_test_id("outcome-link").click()
    expect(page).to_have_url(f"{base}/cases/{case_id}/outcome")
    check(page)
    page.get_by_label("Confiscated").check()
    page.get_by_label("Date of the outcome").fill(today().isoformat())
    page.get_by_label("Note").fill("Goods destroyed under customs supervision.")
    page.get_by_role("button", name="Close the case with this outcome").click()
    expect(page).to_have_url(f"{base}/cases/{case_id}")
    expect(flash(page, "success")).to_contain_text("is closed: confiscated")
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "closed")
    check(page)

    # The case list shows it closed.
    page.goto(f"{base}/cases/?status=closed")
    expect(page.locator("[data-testid=case-row]").first).to_be_visible()
    check(page)

    with data_app.app_context():
        case = db.session.get(DetentionCase, case_id)
        assert (case.status, case.outcome, case.outcome_on) == (
            CaseStatus.CLOSED, CaseOutcome.CONFISCATED, today()
        )  # fmt: skip
        assert (case.port_code, case.items, case.recordation_id) == (DISTRICT, 600, recordation.id)
        notices = db.session.execute(
            select(Notification.subject).where(Notification.case_id == case_id)
        ).scalars().all()  # fmt: skip
        assert any("closed: confiscated" in s for s in notices)
        db.session.remove()
