"""Screenshots of each demo role's main pages at desktop and phone width, for the README.

    .venv/bin/python -m tests.browser.screenshots http://127.0.0.1:5000 docs/screenshots

(`make screenshots` runs this against the server of `make run`.) Signs in as each demo account,
opens its main pages and saves `<role>-<page>-<desktop|phone>.png`: 1280 px wide (at most
2,400 px of the page) and 390 px wide, laid out for a 390×844 phone (at most three screens).
Applications are found by following the links on the role's own list, so any demo data will do.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_ACCOUNTS
from tests.live import PROJECT_ROOT

# name: (viewport, the most of the page's height saved)
WIDTHS = {
    "desktop": ({"width": 1280, "height": 900}, 2400),
    "phone": ({"width": 390, "height": 844}, 844 * 3),
}
ACCOUNTS = DEMO_ACCOUNTS


def first_link(page: Page, pattern: str) -> str | None:
    """The first link on the page whose path matches `pattern` (a regular expression)."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)")
    return next((href for href in hrefs if re.fullmatch(pattern, href)), None)


def holder_pages(page: Page, base: str) -> dict[str, str]:
    page.goto(f"{base}/applications/")
    pages = {"applications": "/applications/", "new-application": "/applications/new"}
    shown = first_link(page, r"/applications/\d+")
    if shown:
        pages["application"] = shown
    edit = first_link(page, r"/applications/\d+/edit")
    if edit:
        pages["edit"] = edit
    pages["notifications"] = "/notifications/"
    return pages


def reviewer_pages(page: Page, base: str) -> dict[str, str]:
    pages = {"queue": "/review/"}
    for tab in ("mine", "in_review", "unclaimed"):
        page.goto(f"{base}/review/?tab={tab}")
        review = first_link(page, r"/review/\d+")
        if review:
            pages["review"] = review
            break
    pages["statistics"] = "/stats/"
    return pages


def admin_pages(page: Page, base: str) -> dict[str, str]:
    return {
        "overview": "/admin/",
        "accounts": "/admin/users",
        "holidays": "/admin/holidays",
        "statistics": "/stats/",
    }


def anonymous_pages(page: Page, base: str) -> dict[str, str]:
    return {"home": "/", "sign-in": "/auth/login", "api-reference": "/api/v1/docs/"}


PAGES: dict[str, Callable[[Page, str], dict[str, str]]] = {
    "anonymous": anonymous_pages,
    "holder": holder_pages,
    "agent": holder_pages,
    "reviewer": reviewer_pages,
    "admin": admin_pages,
}


def demo_password() -> str:
    """The password seed-demo gave the demo accounts of `make run`: IPR_DEMO_PASSWORD when
    set, else the random one it keeps in instance/demo_password."""
    configured = os.environ.get("IPR_DEMO_PASSWORD")
    if configured:
        return configured
    instance = Path(os.environ.get("IPR_INSTANCE_PATH") or PROJECT_ROOT / "instance")
    return (instance / "demo_password").read_text().strip()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_test_id("nav-user").wait_for()


def shoot(page: Page, url: str, path: Path, viewport: dict, max_height: int) -> None:
    page.set_viewport_size(viewport)
    page.goto(url)
    if "/api/v1/docs/" in url:
        page.locator(".swagger-ui .opblock").first.wait_for()
    # A window as tall as the page (up to max_height) rather than a full-page capture, which
    # would paint sticky bars (the form's save bar) halfway down the picture.
    height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    page.screenshot(path=str(path))


def take(base: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    password = demo_password()
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for role, email in ACCOUNTS.items():
                context = browser.new_context(viewport=WIDTHS["desktop"][0])
                page = context.new_page()
                if email:
                    sign_in(page, base, email, password)
                for name, path in PAGES[role](page, base).items():
                    for width, (viewport, max_height) in WIDTHS.items():
                        target = out / f"{role}-{name}-{width}.png"
                        shoot(page, base + path, target, viewport, max_height)
                        saved.append(target)
                context.close()
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base_url", help="the running app, e.g. http://127.0.0.1:5000")
    parser.add_argument("out_dir", type=Path, help="where the PNG files go")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 1
    for path in take(args.base_url.rstrip("/"), args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
