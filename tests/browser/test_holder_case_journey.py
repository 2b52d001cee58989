"""Issue 13's holder side, tried in Chromium: customs detain goods on the demo holder's
recordation; the holder opens the notice, reads the case page (deadline, facts), confirms the
detention with a bond (a wrong amount is refused first, with the amount kept), and the
district's officer finds the confirmation in its notifications. The withdraw page and the
officer's release page of another case are checked too, and the release goes through.

The recordation, the officer and the cases are made beforehand through the real services by
an app in this process on the live server's database, as seed-demo does; everything after
that goes through the pages. On every page visited axe-core finds no serious or critical
violation and, at 390 px wide, the page does not scroll sideways.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from playwright.sync_api import Page, expect

from ipr_apps.db import db
from ipr_apps.models import Role, today
from ipr_apps.services import cases, users
from ipr_apps.workdays import days_left
from tests.browser.test_recordation_journey import _file_and_approve, check
from tests.browser.test_review_journey import flash
from tests.factories import make_district
from tests.formats import en_day
from tests.holder_case_helpers import facts
from tests.live import DEMO_PASSWORD, LiveServer

HOLDER = "holder@example.com"
PORT = "5301"


@dataclass(frozen=True)
class Made:
    officer_email: str
    recordation_number: str
    case_id: int
    case_number: str
    confirm_by: date
    days_left: int
    other_id: int
    other_number: str


@pytest.fixture(scope="module")
def made(data_app: Flask) -> Made:
    """A recordation of the demo holder, an officer at Shenzhen and two cases on it today."""
    token = secrets.token_hex(3).upper()
    day = today()
    with data_app.app_context():
        recordation = _file_and_approve(
            f"Case Journey {token} Co", f"CASE-{token}", day - relativedelta(months=2),
            day + relativedelta(years=5),
        )  # fmt: skip
        make_district(PORT, "Shenzhen")
        email = f"officer-{token.lower()}@example.com"
        officer = users.create_user(
            email, DEMO_PASSWORD, Role.OFFICER, "Officer Journey", district_code=PORT
        )
        case = cases.open_ex_officio(officer, recordation.id, facts(goods=f"Torches {token}"))
        other = cases.open_ex_officio(officer, recordation.id, facts(goods=f"Lamps {token}"))
        made = Made(
            email, recordation.number, case.id, case.case_number, case.confirm_by,
            days_left(day, case.confirm_by),
            other.id, other.case_number,
        )  # fmt: skip
        db.session.remove()
    return made


def sign_in(page: Page, base: str, email: str, home: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{base}{home}")


def test_the_holder_confirms_with_a_bond(live: LiveServer, made: Made, new_page) -> None:
    base, page = live.url, new_page()
    sign_in(page, base, HOLDER, "/applications/")
    page.get_by_test_id("nav-notifications").click()
    check(page)
    notice = page.get_by_test_id("notification").filter(has_text=made.case_number)
    expect(notice).to_have_count(1)
    notice.get_by_test_id("notification-case-link").click()
    expect(page).to_have_url(f"{base}/cases/{made.case_id}")

    # The case page: the status, the deadline with the working days left, the facts.
    expect(page.get_by_test_id("case-number")).to_have_text(made.case_number)
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "awaiting_holder")
    left = str(made.days_left)
    expect(page.get_by_test_id("confirm-by")).to_have_attribute("data-days", left)
    expect(page.get_by_test_id("confirm-by")).to_contain_text(en_day(made.confirm_by))
    expect(page.get_by_test_id("case-consignment")).to_contain_text("Bright Export Co")
    recordation = page.get_by_test_id("case-recordation")
    expect(recordation.get_by_role("link", name=made.recordation_number)).to_be_visible()
    check(page)

    page.get_by_test_id("confirm-link").click()
    expect(page).to_have_url(f"{base}/cases/{made.case_id}/confirm")
    check(page)
    page.get_by_label("Bond (yuan)").fill("99999999")  # above the goods' value
    page.get_by_role("button", name="Confirm the detention").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("declared value")
    expect(page.get_by_label("Bond (yuan)")).to_have_value("99999999")
    check(page)
    page.get_by_label("Bond (yuan)").fill("20000.50")
    page.get_by_role("button", name="Confirm the detention").click()

    expect(page).to_have_url(f"{base}/cases/{made.case_id}")
    expect(flash(page, "success")).to_contain_text(
        f"You confirmed the detention of case {made.case_number}"
    )
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "detained")
    expect(page.get_by_test_id("security")).to_have_text("Bond of ¥20,000.50")
    expect(page.get_by_test_id("confirm-link")).to_have_count(0)
    expect(page.locator('[data-testid="case-event"][data-action="confirm"]')).to_contain_text(
        "You confirmed the request for detention."
    )
    check(page)

    # The withdraw page of the same case (asked, not done).
    page.get_by_test_id("withdraw-link").click()
    expect(page).to_have_url(f"{base}/cases/{made.case_id}/withdraw")
    check(page)

    # The officer is told, and sees the holder's confirmation on the case page.
    officer = new_page()
    sign_in(officer, base, made.officer_email, "/cases/")
    officer.get_by_test_id("nav-notifications").click()
    notice = officer.get_by_test_id("notification").filter(has_text=made.case_number)
    expect(notice).to_contain_text("Detention confirmed by the holder")
    notice.get_by_test_id("notification-case-link").click()
    expect(officer.get_by_test_id("case-status")).to_have_attribute("data-status", "detained")
    check(officer)


def test_the_officer_releases_another_case(live: LiveServer, made: Made, new_page) -> None:
    base, page = live.url, new_page()
    sign_in(page, base, made.officer_email, "/cases/")
    page.goto(f"{base}/cases/{made.other_id}")
    check(page)
    page.get_by_test_id("release-link").click()
    expect(page).to_have_url(f"{base}/cases/{made.other_id}/release")
    check(page)
    page.get_by_role("button", name="Release the goods").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Give the reason")
    page.get_by_label("Reason").fill("The holder's agent says the goods are genuine.")
    page.get_by_role("button", name="Release the goods").click()
    expect(page).to_have_url(f"{base}/cases/{made.other_id}")
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "released")
    expect(page.get_by_test_id("case-outcome")).to_have_attribute("data-outcome", "released")
    check(page)
