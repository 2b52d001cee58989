"""Browser-test harness: a live gunicorn server on its own database, Chromium via Playwright.

The server (tests/live.py) runs the real app (real config, CSRF and rate limiting on) as a
subprocess, on a temporary instance folder and either a temporary SQLite file or, when
IPR_TEST_DATABASE_URL is set, a separate PostgreSQL database ``<dbname>_browser`` on the same
server, so browser tests never touch the unit tests' database. `live` yields the whole
`LiveServer` (URL, instance folder, outbox); `live_server` just its URL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.live import PROJECT_ROOT, LiveServer, temporary_database
from tests.live import live_server as serve_live

HERE = Path(__file__).resolve().parent
SCREENSHOT_DIR = PROJECT_ROOT / "test-artifacts" / "screenshots"

# The demo accounts seed-demo creates, one per role ("anonymous": not signed in).
DEMO_ACCOUNTS = {
    "anonymous": None,
    "holder": "holder@example.com",
    "agent": "agent@example.com",
    "reviewer": "reviewer@example.com",
    "admin": "admin@example.com",
    "officer": "officer@example.com",
}

# CI runs these beside a second test process on two cores, with the live server, its worker
# and Chromium sharing them: a 250 ms submit has been seen to take over Playwright's default
# 5 s for an assertion. Assertions still fail, only later, if the page never gets there.
expect.set_options(timeout=15_000)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_MISSING = (
    f"Chromium not found at {CHROMIUM}; install it with "
    "`apt-get install chromium fonts-wqy-zenhei` to run browser tests (CI requires them)"
)


def _browser_required() -> bool:
    return os.environ.get("IPR_REQUIRE_BROWSER") == "1"


# --------------------------------------------------------------------------- collection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser`; skip them early when Chromium is missing.

    The early skip keeps the live server from starting for nothing; when IPR_REQUIRE_BROWSER=1
    the tests are left to run so the `browser` fixture fails them with a clear message.
    """
    skip = None
    if not CHROMIUM.exists() and not _browser_required():
        skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


# --------------------------------------------------------------------------- live server


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory) -> Iterator[str]:
    """SQLite file by default; with IPR_TEST_DATABASE_URL a fresh sibling `<db>_browser`."""
    with temporary_database("browser", tmp_path_factory.mktemp("browser-db")) as url:
        yield url


@pytest.fixture(scope="session")
def live(tmp_path_factory, browser_database_url) -> Iterator[LiveServer]:
    """The schema built, the demo data seeded and the app served by gunicorn (2 workers)."""
    env = {
        "IPR_SECRET_KEY": f"browser-tests-{secrets.token_hex(16)}",
        # Real configuration otherwise; only the login limit is raised for repeated sign-ins.
        "IPR_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    instance = tmp_path_factory.mktemp("browser-instance")
    with serve_live(browser_database_url, instance, workers=2, seed_demo=True, env=env) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live: LiveServer) -> str:
    """The live server's base URL, e.g. http://127.0.0.1:40123."""
    return live.url


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, never a downloaded one) for the whole session."""
    if not CHROMIUM.exists():
        if _browser_required():
            pytest.fail(f"IPR_REQUIRE_BROWSER=1 but {CHROMIUM_MISSING}", pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh context (no cookies, no storage) and page for every test."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def save_screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name.removesuffix('.png')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, "login-holder")` → test-artifacts/screenshots/login-holder.png."""
    return save_screenshot


DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def data_app(live: LiveServer, tmp_path_factory) -> Iterator[Flask]:
    """An app in this process on the live server's database and upload folder: journeys make
    their starting data through the real services with it, as seed-demo does."""
    from ipr_apps.db import db
    from tests.conftest import base_config, make_app

    config = base_config(tmp_path_factory.mktemp("journey-data"), live.database_url)
    application = make_app({**config, "UPLOAD_FOLDER": str(live.uploads)})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def new_page(browser: Browser):
    """`new_page(**context_options)` → a page in a fresh context of its own (own cookies;
    desktop size unless a viewport is given), axe-core loaded into every document, closed
    afterwards."""
    from axe_playwright_python.base import AXE_SCRIPT

    contexts = []

    def _new_page(**options) -> Page:
        context = browser.new_context(**({"viewport": DESKTOP} | options))
        context.add_init_script(script=AXE_SCRIPT)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()
