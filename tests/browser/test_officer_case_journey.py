"""Issue 13's "done when", in Chromium, as new users would: an officer in Shenzhen (5301)
finds a recordation by the start of its mark text, reads its page, opens an ex officio case
on it (a first try with the items left out shows the error beside the field and keeps the
rest); the holder, signed in beside, confirms within the deadline and posts a bond on its
confirmation page; the officer records the outcome, and the case is closed with it and the
holder told. Another case on the same recordation, opened four working days ago and never
confirmed, is released by the nightly release; the holder sees both cases with their states,
another holder sees neither (its list is empty, the case pages are 404).

The recordation is made beforehand through the real services (file, submit, claim, approve)
by an app in this process on the live server's database, as the recordation journey does.
On every page visited axe-core finds no serious or critical violation and, at 390 px wide,
the page does not scroll sideways.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ipr_apps.db import db
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
)
from tests.browser.test_review_journey import flash, sign_in
from tests.live import DEMO_PASSWORD, LiveServer

DISTRICT = "5301"
OTHER_HOLDER = "holder2@example.com"


@pytest.fixture(scope="module")
def journey(data_app: Flask) -> dict:
    """A recordation in force with a unique mark, and an officer of Shenzhen customs."""
    token = secrets.token_hex(3).upper()
    with data_app.app_context():
        email = make_officer(f"officer-{token.lower()}@example.com", "Officer Journey")
        day = today()
        made: Made = _file_and_approve(
            f"Officer Journey {token} Co", f"OFF{token}", date(day.year - 1, day.month, 1),
            date(day.year + 8, 1, 1),
        )  # fmt: skip
        db.session.remove()
    return {"officer": email, "mark": f"JOURNEY OFF{token}", "recordation": made}


def make_officer(email: str, name: str) -> str:
    """An officer of Shenzhen customs (the district made if missing), inside an app context."""
    if db.session.get(CustomsDistrict, DISTRICT) is None:
        db.session.add(CustomsDistrict(code=DISTRICT, name_local="深圳海关",
                                       name_en="Shenzhen Customs"))  # fmt: skip
        db.session.commit()
    users.create_user(email, DEMO_PASSWORD, Role.OFFICER, name, None, DISTRICT)
    return email


def confirm_as_holder(holder: Page, base: str, case_id: int) -> None:
    """The holder, on its own pages: the case, its confirmation form, a bond."""
    holder.goto(f"{base}/cases/{case_id}")
    expect(holder.get_by_test_id("case-status")).to_have_attribute("data-status", "awaiting_holder")
    holder.get_by_test_id("confirm-link").click()
    check(holder)
    holder.get_by_label("Bond (yuan)").fill("15000")
    holder.get_by_role("button", name="Confirm the detention").click()
    expect(holder).to_have_url(f"{base}/cases/{case_id}")
    expect(holder.get_by_test_id("case-status")).to_have_attribute("data-status", "detained")
    check(holder)


def unconfirmed_case_released(data_app: Flask, recordation_id: int, officer: str) -> str:
    """A case opened four working days ago and never confirmed; then the nightly release
    (the same service as `ipr release-unconfirmed` and the periodic task). Its number."""
    from ipr_apps.models.base import clock_at
    from ipr_apps.services import case_release, cases
    from ipr_apps.workdays import add_working_days
    from tests.case_helpers import facts

    day = today()
    opened = day - timedelta(days=1)
    while add_working_days(opened, 3) >= day:
        opened -= timedelta(days=1)
    with data_app.app_context():
        with clock_at(datetime.combine(opened, time(9))):
            case = cases.open_ex_officio(users.get_by_email(officer), recordation_id, facts())
        number = case.case_number
        released = case_release.release_overdue(day)
        assert number in {r.case_number for r in released}
        db.session.remove()
    return number


def test_an_officer_finds_a_recordation_opens_a_case_and_records_the_outcome(
    live: LiveServer,
    data_app: Flask,
    journey: dict,
    new_page,
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
    number = page.get_by_test_id("case-number").inner_text()
    expect(flash(page, "success")).to_contain_text("The holder has until")
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "awaiting_holder")
    expect(page.get_by_test_id("outcome-link")).to_have_count(0)
    check(page)

    # The holder, signed in beside, confirms and posts a bond; the officer records the outcome.
    holder: Page = new_page()
    sign_in(holder, base, HOLDER, "/applications/")
    confirm_as_holder(holder, base, case_id)
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

    # A second case was never confirmed: the nightly release lets the goods go.
    released = unconfirmed_case_released(data_app, recordation.id, journey["officer"])
    holder.goto(f"{base}/cases/")
    for case_number, state in ((number, "closed"), (released, "released")):
        row = holder.locator(f'[data-testid=case-row][data-case="{case_number}"]')
        expect(row).to_have_count(1)
        expect(row).to_contain_text(state.capitalize())
    check(holder)

    # Another holder sees neither.
    other: Page = new_page()
    sign_in(other, base, OTHER_HOLDER, "/applications/")
    other.goto(f"{base}/cases/")
    expect(other.locator("[data-testid=case-row]").filter(has_text=number)).to_have_count(0)
    expect(other.locator("[data-testid=case-row]").filter(has_text=released)).to_have_count(0)
    assert other.goto(f"{base}/cases/{case_id}").status == 404
    check(other)

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
