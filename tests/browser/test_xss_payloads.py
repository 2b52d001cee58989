"""Stored XSS payloads in a real browser: no dialog, no request to the attacker, no handler.

A sample of tests/data/xss_payloads.txt is stored in every text field (as in
tests/test_figures_xss.py) on a server of its own; Chromium opens the holder's application
page, the reviewer's page and the reviewer's list of decided applications. No payload opens a
dialog, logs its marker, loads anything from evil.example, or leaves an event-handler attribute
or an inline script in the DOM.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from ipr_apps.db import db
from tests.conftest import base_config, make_app
from tests.factories import PASSWORD, make_user
from tests.live import LiveServer, live_server, temporary_database
from tests.test_figures_xss import PAYLOADS, marked, store_everywhere

SAMPLE = range(0, len(PAYLOADS), 4)  # every fourth payload: ~36, every family of the corpus
MARKER = re.compile(r"xss\d{3}m")
LIVE_DOM = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
      const url = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(attr.name);
      if (url && /^\\s*javascript:/i.test(attr.value)) found.push(el.tagName + ' ' + attr.name);
    }
    if (el.tagName === 'SCRIPT' && !el.src) found.push('inline script');
  }
  return found;
}"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Iterator[tuple[LiveServer, dict]]:
    """A server of its own (the demo site of the other browser tests stays as it is)."""
    tmp = tmp_path_factory.mktemp("xss-browser")
    env = {"IPR_SECRET_KEY": secrets.token_hex(16), "IPR_LOGIN_RATE_LIMIT": "1000 per minute"}
    with (
        temporary_database("xss_browser", tmp) as url,
        live_server(url, tmp / "instance", env=env, with_worker=False) as server,
    ):
        data = make_app(base_config(tmp / "data", url))
        with data.app_context():
            reviewer = make_user("reviewer")
            ids = {n: store_everywhere(marked(n), n, reviewer) for n in SAMPLE}
            accounts = {"reviewer": reviewer.email, "ids": ids}
            db.session.remove()
            db.engine.dispose()
        yield server, accounts


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _watch(page: Page, fired: list[str]) -> None:
    page.on("dialog", lambda dialog: (fired.append(f"dialog {dialog.message!r}"), dialog.dismiss()))
    page.on("console", lambda m: MARKER.search(m.text) and fired.append(f"console {m.text!r}"))

    def refuse(route) -> None:
        fired.append(f"request to {route.request.url}")
        route.abort()

    page.route(re.compile(r"https?://([^/]*\.)?evil\.example"), refuse)


def _visit(page: Page, url: str, fired: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    fired += [f"{url}: {problem}" for problem in page.evaluate(LIVE_DOM)]


def test_sampled_payloads_fire_nothing_in_chromium(browser, stored, capsys) -> None:
    server, accounts = stored
    fired: list[str] = []
    visits = 0
    reviewer = browser.new_context()
    try:
        page = reviewer.new_page()
        _watch(page, fired)
        _sign_in(page, server.url, accounts["reviewer"])
        _visit(page, f"{server.url}/review/?tab=decided", fired)
        for application_id in accounts["ids"].values():
            _visit(page, f"{server.url}/review/{application_id}", fired)
        visits += 1 + len(accounts["ids"])
    finally:
        reviewer.close()
    for n, application_id in accounts["ids"].items():
        holder = browser.new_context()
        try:
            page = holder.new_page()
            _watch(page, fired)
            _sign_in(page, server.url, f"xss{n}@example.com")
            for path in (f"/applications/{application_id}", "/auth/organisation", "/auth/tokens"):
                _visit(page, server.url + path, fired)
                visits += 1
        finally:
            holder.close()
    with capsys.disabled():
        print(f"\n[figure] stored XSS in Chromium: {len(accounts['ids'])} payloads, {visits} "
              f"pages, fired: {len(fired)}")  # fmt: skip
    assert fired == []
    assert server.tracebacks() == []
