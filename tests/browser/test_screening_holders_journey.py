"""Issue 14's holders' side, tried in Chromium as a holder would: the navbar's "Screening"
shows how often each of its recordations was hit and what came of the cases (another holder's
recordation, hit in the same runs, is not there); the recordation with thin facts warns what is
missing and its "Add the missing facts" starts the amendment.

The data is made beforehand by an app in this process on the live server's database: a new
holder with two recordations (one without HS code, trader or goods photo) and another holder
with one, all three hit by the demo officer's screening runs, and a case opened from a hit.
On every page visited axe-core finds no serious or critical violation and, at 390 px wide,
the page does not scroll sideways.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import insert, select

from ipr_apps.db import db
from ipr_apps.models import DetentionCase, OrgKind, ScreeningHit, Status
from ipr_apps.screening.engine import DeclarationLine
from ipr_apps.services import screening, users
from ipr_apps.services.users import OrganisationDetails
from tests.browser.conftest import DESKTOP
from tests.browser.test_recordation_journey import check
from tests.browser.test_review_journey import flash, sign_in
from tests.factories import make_application, recordation_row
from tests.live import DEMO_PASSWORD, LiveServer

OFFICER = "officer@example.com"


def _holder(tag: str):
    email = f"hits-{tag.lower()}@example.com"
    details = OrganisationDetails(
        kind=OrgKind.HOLDER, name_local=f"Hits {tag} Co", name_en=f"Hits {tag} Co., Ltd.",
        country="CN", registration_number=f"HITS-{tag}", address="1 Journey Road",
        legal_representative="Legal Rep", contact_person="Contact", email=email, phone="+86 1",
    )  # fmt: skip
    return users.register_holder(email, DEMO_PASSWORD, f"Hits {tag}", details)


def _recorded(owner, title: str):
    application = make_application(owner, Status.APPROVED)
    application.right.title = title
    # A sequence of its own, far from the demo's numbers (and another run's, very likely).
    row = recordation_row(application, sequence=secrets.randbelow(10**5) + 9 * 10**5)
    db.session.commit()
    return row


@pytest.fixture(scope="module")
def made(data_app: Flask) -> dict:
    token = secrets.token_hex(3).upper()
    marks = {key: f"HITS{key.upper()}{token}" for key in ("thin", "quiet", "other")}
    with data_app.app_context():
        holder, other = _holder(token), _holder(f"{token}B")
        thin, quiet = _recorded(holder, marks["thin"]), _recorded(holder, marks["quiet"])
        others = _recorded(other, marks["other"])
        officer = users.get_by_email(OFFICER)
        for n in range(2):  # two runs: the thin recordation hit in both, the other's too
            lines = [
                DeclarationLine(f"53162026{token}{n}", i, description=f"{mark} goods")
                for i, mark in enumerate((marks["thin"], marks["other"]), start=1)
            ]
            screening.screen_lines(officer, lines)
        hit_id = db.session.scalar(
            select(ScreeningHit.id).where(ScreeningHit.recordation_id == thin.id).limit(1)
        )
        db.session.execute(insert(DetentionCase), [{
            "case_number": f"D-HITS-{token}", "opened_on": date.today(), "port_code": "5301",
            "channel": "freight", "direction": "import", "mode": "ex_officio",
            "ipr_type": "trademark", "status": "detained", "items": 10,
            "value_cny": Decimal("100.00"), "recordation_id": thin.id,
            "recordation_number": thin.number, "holder_org_id": thin.holder_org_id,
            "screening_hit_id": hit_id,
        }])  # fmt: skip
        db.session.commit()
        found = {"email": holder.email, "thin": (thin.id, thin.number),
                 "quiet": quiet.number, "other": others.number}  # fmt: skip
        db.session.remove()
    return found


def test_a_holder_sees_its_hits_and_fixes_thin_facts(
    live: LiveServer, new_page, made, screenshot
) -> None:
    base = live.url
    page = new_page()
    sign_in(page, base, made["email"], "/applications/")

    # 1. The navbar's "Screening": the holder's two recordations, counted; not the other's.
    page.get_by_role("navigation").get_by_role("link", name="Screening", exact=True).click()
    expect(page).to_have_url(f"{base}/screening/hits")
    thin_id, thin_number = made["thin"]
    rows = page.get_by_test_id("hits-row")
    expect(rows).to_have_count(2)
    thin_row = page.locator(f'[data-testid="hits-row"][data-number="{thin_number}"]')
    expect(thin_row).to_have_attribute("data-hits", "2")
    expect(thin_row).to_have_attribute("data-runs", "2")
    expect(thin_row).to_have_attribute("data-cases-from-hits", "1")
    expect(thin_row.get_by_test_id("fates")).to_have_text("Detained: 1")
    expect(thin_row.get_by_test_id("facts")).to_contain_text("3 facts missing")
    quiet_row = page.locator(f'[data-testid="hits-row"][data-number="{made["quiet"]}"]')
    expect(quiet_row).to_have_attribute("data-hits", "0")
    expect(page.get_by_text(made["other"])).to_have_count(0)
    check(page)
    screenshot(page, "screening-hits-holder")
    # The holder's bar (six places, notifications, the account) never widens the page: below
    # 1200 px it folds into the menu button.
    for width in (800, 1024, 1199, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
    page.set_viewport_size(DESKTOP)

    # 2. Its recordation warns that the facts are thin, and says what is missing.
    thin_row.get_by_role("link", name="3 facts missing").click()
    expect(page).to_have_url(f"{base}/recordations/{thin_id}#thin-facts")
    warning = page.get_by_test_id("thin-facts")
    expect(warning.locator("li[data-missing]")).to_have_count(3)
    expect(warning).to_contain_text("An HS code for the genuine goods")
    check(page)
    screenshot(page, "thin-facts-warning")

    # 3. The warning's button starts the amendment that adds them.
    warning.get_by_role("button", name="Add the missing facts").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/applications/\d+/edit$"))
    expect(flash(page, "info")).to_contain_text("Amendment draft created")
    page.goto(f"{base}/recordations/{thin_id}")
    expect(page.get_by_test_id("thin-facts-open-change")).to_be_visible()
    check(page)
