"""The officer role's set-up, tried in Chromium as an admin would: add a customs district
(a wrong code first), create a port officer in it, see the district on the accounts list and
its officer count; the officer signs in and lands on the cases; the admin records the demo
holder's general guarantee. On every page visited axe-core finds no serious or critical
violation and, at 390 px wide, the page does not scroll sideways."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from tests.browser.test_recordation_journey import check
from tests.browser.test_review_journey import flash, sign_in

ADMIN = "admin@example.com"
OFFICER_PASSWORD = "Harbour-Lantern-Quay-2026"


def _admin_menu(page: Page, label: str) -> None:
    page.get_by_test_id("nav-administration").click()
    page.get_by_role("link", name=label, exact=True).click()


def test_admin_adds_a_district_and_an_officer_in_it(live_server, new_page):
    base, code = live_server, f"61{secrets.randbelow(100):02d}"
    admin = new_page()
    sign_in(admin, base, ADMIN, "/admin/")

    _admin_menu(admin, "Customs districts")
    expect(admin).to_have_url(f"{base}/admin/districts")
    expect(admin.locator('[data-testid="district-row"][data-code="5301"]')).to_contain_text(
        "Shenzhen Huanggang Customs"
    )
    check(admin)
    admin.get_by_test_id("add-district").click()
    admin.get_by_label("District code").fill("61x")
    admin.get_by_label("Name (Chinese)").fill("旅程海关")
    admin.get_by_label("Name (English)").fill("Journey Customs")
    admin.get_by_role("button", name="Add district").click()
    expect(admin.get_by_test_id("error-summary")).to_contain_text("exactly 4 digits")
    expect(admin.get_by_label("Name (Chinese)")).to_have_value("旅程海关")  # nothing lost
    check(admin)
    admin.get_by_label("District code").fill(code)
    admin.get_by_role("button", name="Add district").click()
    expect(flash(admin, "success")).to_contain_text(f"Customs district {code} Journey Customs")
    row = admin.locator(f'[data-testid="district-row"][data-code="{code}"]')
    expect(row.get_by_test_id("officer-count")).to_have_text("0")

    _admin_menu(admin, "Accounts")
    admin.get_by_role("link", name="Create a staff account").click()
    email = f"port.{code}@customs.example"
    admin.get_by_label("Email").fill(email)
    admin.get_by_label("Full name").fill("Officer Journey")
    admin.get_by_label("Role").select_option("officer")
    admin.get_by_label("Customs district").select_option(code)
    admin.get_by_label("Initial password").fill(OFFICER_PASSWORD)
    admin.get_by_label("Repeat password").fill(OFFICER_PASSWORD)
    check(admin)
    admin.get_by_role("button", name="Create account").click()
    expect(flash(admin, "success")).to_contain_text(f"Account {email} (Port officer) created.")
    user_row = admin.locator(f'[data-testid="user-row"][data-email="{email}"]')
    expect(user_row.get_by_test_id("user-district")).to_contain_text(f"{code} Journey Customs")
    check(admin)

    _admin_menu(admin, "Customs districts")
    expect(row.get_by_test_id("officer-count")).to_have_text("1")
    row.get_by_role("link", name=f"Deactivate… {code}").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(
        f"Deactivate customs district {code}"
    )
    check(admin)
    admin.get_by_role("link", name="Cancel").click()

    officer = new_page()
    officer.goto(f"{base}/auth/login")
    officer.get_by_label("Email").fill(email)
    officer.get_by_label("Password").fill(OFFICER_PASSWORD)
    officer.get_by_role("button", name="Sign in", exact=True).click()
    expect(officer).to_have_url(f"{base}/cases/")
    nav = officer.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Cases", exact=True)).to_be_visible()
    check(officer)
    officer.get_by_test_id("nav-user").click()
    expect(officer.get_by_test_id("profile-district")).to_have_text(
        f"{code} Journey Customs (旅程海关)"
    )
    check(officer)


def test_admin_records_a_holders_general_guarantee(live_server, new_page):
    base = live_server
    admin = new_page()
    sign_in(admin, base, ADMIN, "/admin/")
    _admin_menu(admin, "General guarantees")
    admin.get_by_label("Search holders").fill("Aurora")
    admin.get_by_label("Search holders").press("Enter")
    row = admin.get_by_test_id("guarantee-row")
    expect(row).to_have_count(1)
    check(admin)
    row.get_by_role("link").click()
    admin.get_by_label("Amount (CNY)").fill("12.345")
    admin.get_by_label("Valid until").fill("2099-12-31")
    admin.get_by_role("button", name="Save guarantee").click()
    expect(admin.get_by_test_id("error-summary")).to_contain_text("at most two decimals")
    check(admin)
    admin.get_by_label("Amount (CNY)").fill("250000")
    admin.get_by_role("button", name="Save guarantee").click()
    expect(flash(admin, "success")).to_contain_text("General guarantee of Aurora Sportswear")
    expect(admin.get_by_test_id("guarantee-row")).to_contain_text("250,000.00")
    check(admin)
