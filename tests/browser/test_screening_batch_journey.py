"""A batch file in Chromium: an officer uploads 30,000 declaration lines on the screening
page; the run page shows the progress bar while the worker screens them (and still shows it
after a reload), then reloads itself when the batch is done and offers the hits as CSV and
XLSX. The downloaded CSV has one row per hit. Every state is checked with axe-core and at
390 px wide.

It needs the officers' screening page (screenings.index, screenings.run) beside the batch
work; until both are in the same tree, it is skipped.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from ipr_apps.db import db
from ipr_apps.models import today
from tests.browser.test_officer_case_journey import make_officer
from tests.browser.test_recordation_journey import _file_and_approve, check
from tests.browser.test_review_journey import flash, sign_in
from tests.live import LiveServer

LINES = 30_000
HEADER = ["declaration_number", "line_number", "port", "hs_code", "description", "consignee"]


@pytest.fixture(scope="module")
def batch(data_app: Flask) -> dict:
    """A recordation in force with a unique mark, an officer, and a file where every tenth
    line bears the mark."""
    token = secrets.token_hex(3).upper()
    with data_app.app_context():
        email = make_officer(f"batcher-{token.lower()}@example.com", "Officer Batch")
        day = today()
        start, end = date(day.year - 1, day.month, 1), date(day.year + 8, 1, 1)
        _file_and_approve(f"Batch Journey {token} Co", f"BAT{token}", start, end)
        db.session.remove()
    mark = f"JOURNEY BAT{token}"  # the title _file_and_approve records
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(1, LINES + 1):
        goods = f"{mark} desk lamps" if n % 10 == 0 else f"Porcelain cups, model {n}"
        writer.writerow([f"5316{token}{n // 20:08d}", n % 20 + 1, "Shenzhen Bay", "691200",
                         goods, "Retail Shop Ltd"])  # fmt: skip
    return {"officer": email, "csv": buffer.getvalue().encode(), "hits": LINES // 10}


def test_an_officer_screens_a_batch_file_and_downloads_the_hits(
    live: LiveServer, batch: dict, new_page
):
    base = live.url
    page: Page = new_page()
    sign_in(page, base, batch["officer"], "/cases/")
    page.goto(f"{base}/screening/")
    page.get_by_label("Or upload a file").set_input_files(
        {"name": "week-12.csv", "mimeType": "text/csv", "buffer": batch["csv"]}
    )
    page.get_by_role("button", name="Screen the lines").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/screening/runs/\d+$"))
    expect(flash(page, "info")).to_contain_text("is screened in the background")

    # While the worker screens it: the bar (it may be done already on a fast machine).
    bar, downloads = page.get_by_role("progressbar"), page.get_by_test_id("run-downloads")
    expect(bar.or_(downloads)).to_be_visible()
    if bar.is_visible():
        check(page)
        page.reload()  # everything is in the database: the page is the same after a reload
        expect(bar.or_(downloads)).to_be_visible()

    # Done: the page has reloaded itself, with the downloads.
    expect(downloads).to_be_visible(timeout=120_000)
    expect(bar).to_have_count(0)
    check(page)
    with page.expect_download() as info:
        page.get_by_test_id("download-csv").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + batch["hits"]
    assert rows[0][:2] == ["declaration_number", "line_number"]
    with page.expect_download() as info:
        page.get_by_test_id("download-xlsx").click()
    assert info.value.suggested_filename.endswith("-hits.xlsx")
