"""Languages in a real browser: a Chinese browser gets Chinese pages, the navbar switch changes
the language (a cookie for a visitor, the saved choice for a signed-in user, which follows the
user to another browser), the switch works from the phone menu, and the profile's "follow my
browser" forgets the choice. Screenshots in Chinese go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
import secrets

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import User
from ipr_apps.services import users
from ipr_apps.services.passwords import generate_password
from ipr_apps.services.users import OrganisationDetails
from tests.browser.test_recordation_journey import PHONE, check

# A reference in a narrow Chinese sentence: the .ref class keeps it on one line.
REF_JS = """() => {
  const box = document.createElement('p');
  box.style.width = '6em';
  box.innerHTML = '备案号为<span class="ref">T2019-000001</span>的备案已核准';
  document.querySelector('main').append(box);
  const lines = box.querySelector('.ref').getClientRects().length;
  const broke = box.getClientRects()[0].height > 1.5 * parseFloat(getComputedStyle(box).lineHeight);
  box.remove();
  return {lines, broke};
}"""


@pytest.fixture
def account(data_app: Flask) -> tuple[str, str]:
    """A holder of its own (the demo accounts' language must not change for other journeys)."""
    email = f"language-{secrets.token_hex(4)}@example.com"
    with data_app.app_context():
        password = generate_password()
        details = OrganisationDetails(
            name_local="光明照明有限公司", name_en="BrightStar Lighting Co., Ltd.", country="CN"
        )
        users.register_holder(email, password, "李娜", details)
    return email, password


def saved_locale(data_app: Flask, email: str) -> str | None:
    with data_app.app_context():
        return db.session.execute(select(User.locale).where(User.email == email)).scalar()


def html(page: Page):
    return page.locator("html")


def switch(page: Page, to: str):
    """The navbar's language button (it names the other language in that language)."""
    return page.get_by_test_id("locale-switch").get_by_role("button", name=to, exact=True)


def sign_in_to_profile(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/login?next=/auth/profile")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form #submit").click()
    expect(page).to_have_url(f"{base}/auth/profile")


def test_language_journey(new_page, live_server, data_app, account, screenshot) -> None:
    email, password = account
    base = live_server

    # A visitor with a Chinese browser: the landing page in Chinese.
    page = new_page(locale="zh-CN")
    page.goto(f"{base}/")
    expect(html(page)).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("向海关备案您的知识产权")
    expect(page.get_by_role("link", name="以权利人或代理人身份注册")).to_be_visible()
    check(page)
    screenshot(page, "language-landing-zh")
    assert page.evaluate(REF_JS) == {"lines": 1, "broke": True}  # the box wraps, the ref not

    # The navbar switch: English for this browser (a cookie; nobody is signed in).
    switch(page, "English").click()
    expect(html(page)).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Record your intellectual-property rights with customs"
    )
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("locale") == "en"
    check(page)

    # Signing in keeps English; switching back to 中文 saves the choice with the account.
    sign_in_to_profile(page, base, email, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    assert saved_locale(data_app, email) is None
    switch(page, "中文").click()
    expect(html(page)).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("个人资料")
    expect(page.get_by_test_id("nav-user")).to_contain_text("权利人")
    assert saved_locale(data_app, email) == "zh_Hans"
    check(page)
    screenshot(page, "language-profile-zh")

    # Another browser, set to English: its sign-in page is English, the account's pages Chinese.
    other = new_page(locale="en-US")
    other.goto(f"{base}/auth/login")
    expect(html(other)).to_have_attribute("lang", "en")
    sign_in_to_profile(other, base, email, password)
    expect(html(other)).to_have_attribute("lang", "zh-Hans")
    expect(other.get_by_role("heading", level=1)).to_have_text("个人资料")
    check(other)

    # At phone width the switch sits in the menu: it opens, and the switch works from there.
    other.set_viewport_size(PHONE)
    expect(switch(other, "English")).to_be_hidden()
    other.get_by_role("button", name="展开或收起导航").click()
    expect(switch(other, "English")).to_be_visible()
    expect(other.locator("#nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # opened
    screenshot(other, "language-menu-zh-phone")
    switch(other, "English").click()
    expect(html(other)).to_have_attribute("lang", "en")
    expect(other.get_by_role("heading", level=1)).to_have_text("Your profile")
    assert saved_locale(data_app, email) == "en"

    # The profile's choice "follow my browser": nothing saved, the cookie gone, the browser's
    # English decides (and this Chinese browser gets Chinese again).
    other.get_by_label("Follow my browser").check()
    other.get_by_role("button", name="Save language").click()
    expect(other).to_have_url(f"{base}/auth/profile#language")
    expect(other.locator("main > .alert-success")).to_have_text("Your language has been saved.")
    assert saved_locale(data_app, email) is None
    assert "locale" not in {c["name"] for c in other.context.cookies()}
    page.goto(f"{base}/auth/profile")  # the first browser: its own cookie still says 中文
    expect(html(page)).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_label("跟随浏览器设置")).to_be_checked()
