"""Issue 14's "done when", in Chromium, as a new user would: an officer of Shenzhen customs
(5301), signed in through the form, follows the navbar's "Screening" link and uploads a CSV
file of four declaration lines — two bearing a recorded mark (one in the description, one in
the brand only), one genuine consignment to the recorded legitimate importer, one unrelated —
and sees the two likely infringing lines with their reasons, the genuine and the unrelated ones
absent. One click on "Open a case" gives the case form filled in from the declared line; saved,
the case page shows those values and the case keeps the screening hit it came from.

The recordation (its mark, HS codes, legitimate importer) is filed and approved beforehand
through the real services, as the other journeys do. Every page visited is checked with
axe-core and at 390 px wide.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from ipr_apps.db import db
from ipr_apps.models import DetentionCase, ScreeningHit, today
from tests.browser.test_officer_case_journey import make_officer
from tests.browser.test_recordation_journey import Made, _file_and_approve, check
from tests.browser.test_review_journey import flash, sign_in
from tests.live import LiveServer

HEADER = (
    "declaration_number,line_number,port,direction,hs_code,description,brand,consignor,"
    "consignee,country_of_origin,quantity,declared_value"
)


@pytest.fixture(scope="module")
def journey(data_app: Flask) -> dict:
    """A recordation in force with a unique mark and a recorded legitimate importer, and an
    officer of Shenzhen customs."""
    token = secrets.token_hex(3).upper()
    importer = f"Genuine Imports {token} Ltd"
    with data_app.app_context():
        email = make_officer(f"screener-{token.lower()}@example.com", "Officer Screening")
        day = today()
        extra = {"traders": [{"role": "importer", "name": importer, "country": "CN"}]}
        made: Made = _file_and_approve(
            f"Screening Journey {token} Co", f"SCR{token}", date(day.year - 1, day.month, 1),
            date(day.year + 8, 1, 1), extra,
        )  # fmt: skip
        db.session.remove()
    mark = f"JOURNEY SCR{token}"
    lines = [
        f"5316{token},1,Shenzhen Bay,import,9405.21.00,{mark} desk lamps,,Shady Trading Co,"
        "Retail Shop Ltd,VN,600,18000.50",
        f"5316{token},2,Shenzhen Bay,import,6912.00,Cups,{mark.lower()},Shady Trading Co,"
        "Retail Shop Ltd,VN,2000,4000",
        f"5316{token},3,Shenzhen Bay,import,853952,{mark} LED bulbs,,{mark} Factory,{importer},"
        "CN,5000,50000",
        f"5316{token},4,Shenzhen Bay,import,6912.00,Ceramic cups,,Cup Makers Co,Cafe Ltd,CN,50,300",
    ]
    csv = "\n".join([HEADER, *lines]) + "\n"
    return {"officer": email, "mark": mark, "recordation": made, "csv": csv.encode()}


def test_an_officer_uploads_declarations_and_opens_a_case_from_a_hit(
    live: LiveServer, data_app: Flask, journey: dict, new_page
):
    base, recordation = live.url, journey["recordation"]
    page: Page = new_page()
    sign_in(page, base, journey["officer"], "/cases/")

    # The screening page, from the navbar: the form, its help and an empty list.
    page.get_by_test_id("nav-places").get_by_role("link", name="Screening").click()
    expect(page).to_have_url(f"{base}/screening/")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    check(page)

    # Upload the file of four lines.
    page.get_by_label("Or upload a file").set_input_files(
        {"name": "declarations.csv", "mimeType": "text/csv", "buffer": journey["csv"]}
    )
    page.get_by_role("button", name="Screen the lines").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/screening/runs/\d+$"))
    expect(page.get_by_test_id("run-summary")).to_contain_text("declarations.csv")
    expect(page.get_by_test_id("run-lines")).to_have_text("4")
    check(page)

    # The two lines bearing the mark, with their reasons; not the genuine nor the unrelated.
    hits = page.get_by_test_id("hit")
    expect(hits).to_have_count(2)
    expect(hits.first).to_have_attribute("data-line", "1")  # mark + HS code of the genuine goods
    first = hits.first
    expect(first.get_by_test_id("hit-recordation")).to_have_text(recordation.number)
    reasons = first.get_by_test_id("hit-reasons")
    expect(reasons).to_contain_text(
        f"The description contains the recorded mark “{journey['mark']}”."
    )
    expect(reasons).to_contain_text(
        "The HS code 9405.21.00 falls under the code 94052100 recorded for the genuine goods."
    )
    expect(reasons).to_contain_text("Neither party is among the recorded legitimate traders")
    expect(hits.nth(1)).to_have_attribute("data-line", "2")  # the mark (in the brand) alone
    expect(hits.nth(1).get_by_test_id("hit-score")).to_have_text("Score 65")
    expect(hits.nth(1).get_by_test_id("hit-reasons")).to_contain_text("The brand contains")
    expect(page.locator('[data-testid=hit][data-line="3"]')).to_have_count(0)
    expect(page.locator('[data-testid=hit][data-line="4"]')).to_have_count(0)

    # One click: the case form filled in from the declared line.
    first.get_by_test_id("open-case-link").click()
    expect(page).to_have_url(
        re.compile(rf"/cases/new\?recordation_id={recordation.id}&hit_id=\d+$")
    )
    expect(page.get_by_test_id("from-hit")).to_contain_text("line 1")
    expect(page.get_by_label("Goods", exact=True)).to_have_value(f"{journey['mark']} desk lamps")
    expect(page.get_by_label("HS code")).to_have_value("94052100")
    expect(page.get_by_label("Consignor")).to_have_value("Shady Trading Co")
    expect(page.get_by_label("Consignee")).to_have_value("Retail Shop Ltd")
    expect(page.get_by_label("Items")).to_have_value("600")
    expect(page.get_by_label("Declared value (yuan)")).to_have_value("18000.50")
    expect(page.get_by_label("Import", exact=True)).to_be_checked()
    expect(page.get_by_label("Country of origin")).to_have_value("VN")
    check(page)
    page.get_by_label("Channel").select_option("freight")
    page.get_by_role("button", name="Open the case and tell the holder").click()

    # The case page shows the declared values; the case keeps its hit.
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/cases/(\d+)$"))
    expect(flash(page, "success")).to_contain_text("The holder has until")
    main = page.locator("main")
    for text in (f"{journey['mark']} desk lamps", "94052100", "Shady Trading Co",
                 "Retail Shop Ltd", "600"):  # fmt: skip
        expect(main).to_contain_text(text)
    check(page)
    case_id = int(page.url.rsplit("/", 1)[1])
    with data_app.app_context():
        case = db.session.get(DetentionCase, case_id)
        hit = db.session.get(ScreeningHit, case.screening_hit_id)
        assert (hit.line_number, hit.recordation_id) == (1, recordation.id)
        assert (case.items, case.value_cny, case.country_of_origin) == (
            600, Decimal("18000.50"), "VN"
        )  # fmt: skip
        db.session.remove()

    # Back on the screening page, the run is listed.
    page.get_by_test_id("nav-places").get_by_role("link", name="Screening").click()
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-row")).to_contain_text("declarations.csv")
    check(page)
