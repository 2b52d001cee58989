"""Sign-in journeys in a real browser: each role reaches its home, bad passwords, `next`."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.live import DEMO_PASSWORD as PASSWORD

ROLES = [
    # email, role, home path, home heading
    ("holder@example.com", "holder", "/applications/", "My applications"),
    ("reviewer@example.com", "reviewer", "/review/", "Review queue"),
    ("admin@example.com", "admin", "/admin/", "Administration"),
]


# The navbar's role badge (models.users.ROLE_LABELS, in English).
BADGES = {"holder": "Rights holder", "reviewer": "Reviewer", "admin": "Administrator"}


def fill_login_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def navbar(page: Page):
    return page.get_by_role("navigation", name="Main navigation")


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.parametrize(
    ("email", "role", "home", "heading"), ROLES, ids=[role for _, role, _, _ in ROLES]
)
def test_sign_in_reaches_role_home_then_sign_out(
    page: Page, live_server: str, screenshot, email: str, role: str, home: str, heading: str
) -> None:
    page.goto(f"{live_server}/auth/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    fill_login_form(page, email, PASSWORD)

    expect(page).to_have_url(f"{live_server}{home}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text(f"Signed in as {email}.")).to_be_visible()
    nav_user = page.get_by_test_id("nav-user")
    expect(nav_user.locator(".badge")).to_have_text(BADGES[role])
    screenshot(page, f"login-{role}")

    navbar(page).get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(navbar(page).get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_test_id("nav-user")).to_have_count(0)
    # The session really is gone: the role home now asks for a sign-in again.
    page.goto(f"{live_server}{home}")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))


def test_wrong_password_shows_error_and_stays_on_login(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/auth/login")

    fill_login_form(page, "holder@example.com", "not-the-password")

    error = page.get_by_role("alert").filter(has_text="Email or password is not correct.")
    expect(error).to_be_visible()
    assert path_of(page.url) == "/auth/login"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_test_id("nav-user")).to_have_count(0)
    expect(page.get_by_label("Email")).to_have_value("holder@example.com")
    expect(page.get_by_label("Password")).to_have_value("")  # never echoed back


def test_anonymous_admin_goes_to_login_with_next_then_back(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/admin/")

    expect(page).to_have_url(re.compile(r"/auth/login\?"))
    parts = urlsplit(page.url)
    assert parts.path == "/auth/login"
    assert parse_qs(parts.query).get("next") == ["/admin/"]
    expect(page.get_by_text("Please sign in to continue.")).to_be_visible()

    fill_login_form(page, "admin@example.com", PASSWORD)

    expect(page).to_have_url(f"{live_server}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    expect(page.get_by_test_id("nav-user")).to_contain_text(BADGES["admin"])
