"""An import started in the browser, as issue 10's "done when" tries it: the administrator
uploads a 100,000-row history file, watches the progress bar move, reloads the page while the
job runs, and sees the result; the Jobs page lists it.

The live server's worker (tests/live.py starts one beside gunicorn) runs the job. The rows
are decided in 2008–2011 with their own references and numbers, outside every period the other
browser tests read (the statistics journey reads 2015–2019; the demo starts in 2018).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from ipr_apps.services.import_rows import HEADER
from tests.browser.test_review_journey import sign_in
from tests.live import LiveServer

ADMIN = "admin@example.com"
ROWS = 100_000
JOB_TIMEOUT_MS = 240_000  # the import takes ~40-60 s on a busy 2-core machine
BAR_VALUE = "() => document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')"


def history_file(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(ROWS):
            decided = date(2008, 1, 2) + timedelta(days=n % 1450)
            approved = n % 5 != 0
            writer.writerow([
                f"BR-{n:06d}", "trademark", f"BR-TM-{n}", f"Journey mark {n}",
                f"Journey holder {n % 300}", "DE" if n % 2 else "CN",
                decided - timedelta(days=25), decided, "approved" if approved else "rejected",
                f"BR/{n:06d}" if approved else "",
                decided + timedelta(days=3650) if approved else "",
            ])  # fmt: skip
    return path


def bar_values(page: Page, stop: Callable[[list[int]], bool], timeout_s: float) -> list[int]:
    """The progress bar's aria-valuenow, read every 0.2 s until `stop(values)` (or the job
    page shows its result: the bar is gone)."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout_s
    while not stop(seen) and time.monotonic() < deadline:
        try:
            value = page.evaluate(BAR_VALUE)
        except PlaywrightError:  # the page's script reloaded it: the job has finished
            value = None
        if value is not None:
            seen.append(int(value))
        elif page.get_by_test_id("job-summary").count():
            break
        time.sleep(0.2)
    return seen


def test_an_admin_imports_a_big_file_and_watches_it(
    live: LiveServer, page: Page, tmp_path: Path, screenshot
) -> None:
    base = live.url
    source = history_file(tmp_path / "history-2008-2011.csv")
    sign_in(page, base, ADMIN, "/admin/")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Administration").click()
    nav.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jobs")
    page.get_by_role("link", name="Import recordations…").click()
    page.get_by_label("History file (CSV)").set_input_files(source)
    page.get_by_role("button", name="Upload and import").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/admin/jobs/\d+$"))
    job_url = page.url

    # The bar moves while the worker works; a reload shows the job where it is.
    moving = bar_values(page, lambda seen: any(0 < v < 100 for v in seen), 90)
    screenshot(page, "job-running")
    page.reload()
    expect(page).to_have_url(job_url)
    later = bar_values(page, lambda seen: False, JOB_TIMEOUT_MS / 1000)
    summary = page.get_by_test_id("job-summary")
    expect(summary).to_have_text(
        "Imported 100,000 recordations; skipped 0 already present.", timeout=JOB_TIMEOUT_MS
    )
    values = moving + later
    assert any(0 < v < 100 for v in values), values  # the bar showed progress in between
    assert values == sorted(values), values  # and never went back
    expect(page.get_by_test_id("job-status")).to_have_text("done")
    screenshot(page, "job-done")

    # The Jobs page lists it, done, with who started it.
    page.get_by_role("link", name="← Jobs").click()
    job_id = job_url.rsplit("/", 1)[1]
    row = page.locator(f"[data-testid=job-row][data-job-id='{job_id}']")
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("100,000 imported, 0 skipped")
