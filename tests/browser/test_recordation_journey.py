"""Issue 12's "Done when", tried in Chromium as new users would: a holder renews a recordation
that expires in five months and the reviewer approves it (the validity moves on by ten years,
same number); an amendment shows its diff (the added port) to the reviewer; an admin revokes a
recordation (a reason is required) and the holder is notified; `flask ipr expire` run twice
against the live server's database changes records once; an anonymous visitor finds every one
of them in the public register, by number and by holder name, with the right status.

The recordations are made beforehand through the real services (file, submit, claim, approve)
at their own past moments (`clock_at`), by an app in this process on the live server's
database and upload folder, as seed-demo does; everything after that goes through the pages.
On every page visited axe-core finds no serious or critical violation and, at 390 px wide,
the page does not scroll sideways.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import (
    Application,
    Kind,
    Notification,
    Recordation,
    RecordationEvent,
    RecordationStatus,
    today,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import documents, filing, review, users
from tests.browser.test_filing_journey import minimal_pdf, png_1x1
from tests.browser.test_review_journey import (
    DESKTOP,
    PHONE,
    approve_through_the_dialog,
    emails_to,
    flash,
    sign_in,
)
from tests.browser.untranslated import untranslated_on
from tests.factories import complete_payload
from tests.formats import en_day
from tests.live import LiveServer, run_cli

HOLDER = "holder@example.com"
REVIEWER = "reviewer@example.com"
ADMIN = "admin@example.com"
TEN = relativedelta(years=10)
REASON = "The registration certificate filed was forged (journey test)."
PORT = {"name": "Yantian Journey Port", "code": "5316", "direction": "exit"}
FAILING_IMPACTS = ("serious", "critical")
ALSO_FAILING_RULES = ("heading-order", "empty-table-header")  # as tests/browser/test_every_page


@dataclass(frozen=True)
class Made:
    """A recordation made for the journey: its id, number, original application and right."""

    id: int
    number: str
    application_id: int
    valid_until: date
    right_expiry: date


def _file_and_approve(
    holder_name: str, tag: str, approved_on: date, right_expiry: date, extra: dict | None = None
) -> Made:
    """File, submit, claim and approve a trademark application at 09:00 on `approved_on`,
    through the real services (inside an app context); `extra` adds to the filed payload."""
    holder, reviewer = users.get_by_email(HOLDER), users.get_by_email(REVIEWER)
    payload = complete_payload("trademark", f"TM-JOURNEY-{tag}") | (extra or {})
    payload["holder"] = {"name_local": holder_name}
    payload["right"].update(
        title=f"JOURNEY {tag}",
        registration_date=approved_on - relativedelta(years=1),
        expiry_date=right_expiry,
    )
    with clock_at(datetime.combine(approved_on, time(9))):
        draft = filing.create_draft(holder, "trademark", payload)
        documents.attach(holder, draft.id, "ipr_certificate", BytesIO(minimal_pdf()), "cert.pdf")
        documents.attach(holder, draft.id, "identity_proof", BytesIO(png_1x1()), "licence.png")
        filing.submit(holder, draft.id)
        review.claim(reviewer, draft.id)
        approved = review.approve(reviewer, draft.id)
    recordation = approved.recordation
    return Made(
        recordation.id, recordation.number, approved.id, recordation.valid_until, right_expiry
    )


@pytest.fixture(scope="module")
def made(data_app: Flask) -> dict[str, Made]:
    """Five recordations of one (unique) holder name: to renew, to amend, to revoke, one past
    its end (to expire) and one whose right has ended (to lapse)."""
    day = today()
    token = secrets.token_hex(3).upper()
    with data_app.app_context():
        name = f"Journey Lamps {token} Co"
        plan = {
            # Expires in about five months; the right ends three years after that.
            "renew": (day - TEN + relativedelta(months=5), day + relativedelta(months=5, years=3)),
            "amend": (day - relativedelta(years=2), day + relativedelta(years=6)),
            "revoke": (day - relativedelta(years=3), day + relativedelta(years=6)),
            # Its ten years ended two months ago, unrenewed.
            "expire": (day - TEN - relativedelta(months=2), day + relativedelta(years=3)),
            # The trademark registration ended last month, before the ten years.
            "lapse": (day - relativedelta(years=3), day - relativedelta(months=1)),
        }
        found = {
            key: _file_and_approve(name, f"{token}-{i}", approved_on, right_expiry)
            for i, (key, (approved_on, right_expiry)) in enumerate(plan.items())
        }
        db.session.remove()
    assert found["renew"].valid_until == plan["renew"][0] + TEN
    assert found["lapse"].valid_until == plan["lapse"][1]  # capped by the right at approval
    return {"holder_name": name, **found}


def check(page: Page) -> None:
    """No serious/critical axe violation (nor the rules issue 9 names) on the page as it is,
    and no sideways scroll at 390 px wide; the viewport is restored afterwards. Waits for the
    page's load event first: on a loaded machine a stylesheet still arriving left the navbar
    without its dark background, and axe read its white text as unreadable. A page in Chinese
    shows no English message of the catalogue (tests/browser/untranslated.py)."""
    page.wait_for_load_state("load")
    assert untranslated_on(page) == [], f"English left on a Chinese page: {page.url}"
    found = page.evaluate("axe.run(document, {resultTypes: ['violations'], iframes: false})")
    failing = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in found["violations"]
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING_RULES
    ]
    assert failing == [], page.url
    page.set_viewport_size(PHONE)
    try:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (page.url, width)
    finally:
        page.set_viewport_size(DESKTOP)


def dd_after(page: Page, testid: str, term: str):
    """The <dd> after the <dt> `term` in the description list `testid`."""
    return page.get_by_test_id(testid).locator(f"dt:text-is('{term}') + dd")


def recordation_status(page: Page):
    return page.get_by_test_id("recordation-status")


def open_from_list(page: Page, base: str, number: str) -> None:
    """The navbar's "Recordations", the list searched for `number`, its row's link."""
    page.get_by_role("navigation").get_by_role("link", name="Recordations", exact=True).click()
    expect(page).to_have_url(f"{base}/recordations/")
    check(page)
    page.get_by_label("Search").fill(number)
    page.get_by_label("Search").press("Enter")
    row = page.locator(f'[data-testid="recordation-row"][data-number="{number}"]')
    expect(row).to_have_count(1)
    check(page)
    row.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_test_id("recordation-number")).to_have_text(number)


def claim_from_queue(page: Page, base: str, reference: str, application_id: int) -> None:
    page.goto(f"{base}/review/?tab=unclaimed&q={reference}")
    row = page.locator(f'[data-testid="queue-row"][data-reference="{reference}"]')
    expect(row).to_have_count(1)
    check(page)
    row.get_by_role("button", name="Claim", exact=True).click()
    expect(page).to_have_url(f"{base}/review/{application_id}")
    expect(flash(page, "success")).to_contain_text(f"You claimed {reference}.")


def _new_application_id(page: Page, base: str) -> int:
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/applications/(\d+)/edit$"))
    return int(page.url.rsplit("/", 2)[-2])


def test_renew_amend_revoke_expire_and_find_them_in_the_register(
    live: LiveServer, new_page, made, data_app: Flask, screenshot
) -> None:
    base = live.url
    renewing, amending, revoking = made["renew"], made["amend"], made["revoke"]
    holder = new_page()
    sign_in(holder, base, HOLDER, "/applications/")

    # 1. Renewal. The holder finds the recordation through the navbar: the window is open.
    open_from_list(holder, base, renewing.number)
    recordation_url = holder.url
    window = holder.locator('[data-testid="renewal-window"][data-window]')
    expect(window).to_have_attribute("data-window", "open")
    expect(dd_after(holder, "validity", "Valid until")).to_have_text(en_day(renewing.valid_until))
    check(holder)
    holder.get_by_role("button", name="Renew this recordation").click()
    renewal_id = _new_application_id(holder, base)
    expect(flash(holder, "info")).to_contain_text("Renewal draft created")
    expect(holder.get_by_test_id("change-notice")).to_contain_text(renewing.number)
    expiry_field = holder.locator("#right-expiry_date")
    expect(expiry_field).to_have_value(str(renewing.right_expiry))  # pre-filled
    check(holder)
    # As it stands the right caps the renewal at its own expiry, three years on.
    holder.goto(f"{base}/applications/{renewal_id}")
    expect(holder.get_by_test_id("renewal-outcome")).to_contain_text(
        f"valid until {en_day(renewing.right_expiry)} instead of {en_day(renewing.valid_until)}"
    )
    check(holder)
    # The trademark registration was renewed: its new expiry is entered, then submitted.
    right_renewed_until = renewing.valid_until + relativedelta(years=15)
    holder.goto(f"{base}/applications/{renewal_id}/edit")
    expiry_field.fill(str(right_renewed_until))
    holder.get_by_role("button", name="Submit application", exact=True).click()
    expect(holder).to_have_url(f"{base}/applications/{renewal_id}")
    expect(flash(holder, "success")).to_contain_text("submitted")
    renewed_until = renewing.valid_until + TEN  # ten years from the day after the old end
    assert renewed_until < right_renewed_until  # ten years, not capped now
    expect(holder.get_by_test_id("renewal-outcome")).to_contain_text(
        f"valid until {en_day(renewed_until)} instead of {en_day(renewing.valid_until)}"
    )
    check(holder)
    with data_app.app_context():
        renewal = db.session.get(Application, renewal_id)
        assert (renewal.kind, renewal.recordation_id) == (Kind.RENEWAL, renewing.id)
        renewal_reference = renewal.reference
        db.session.remove()

    # The reviewer claims it from the queue and approves it.
    reviewer = new_page()
    sign_in(reviewer, base, REVIEWER, "/review/")
    claim_from_queue(reviewer, base, renewal_reference, renewal_id)
    expect(reviewer.get_by_test_id("renewal-outcome")).to_contain_text(en_day(renewed_until))
    # Its own recordation's original is the right being renewed, not the same right elsewhere.
    expect(reviewer.get_by_test_id("conflicts").get_by_role("listitem")).to_have_count(0)
    check(reviewer)
    reviewer.wait_for_load_state("load")
    approve_through_the_dialog(
        reviewer,
        reviewer.get_by_test_id("decision-forms").get_by_role("button", name="Approve", exact=True),
    )
    expect(flash(reviewer, "success")).to_have_text(
        f"{renewal_reference} approved: recordation {renewing.number}."
    )
    check(reviewer)

    # The holder's recordation page: same number, valid ten years from the day after the end.
    holder.goto(recordation_url)
    expect(holder.get_by_test_id("recordation-number")).to_have_text(renewing.number)
    expect(recordation_status(holder)).to_have_attribute("data-status", "active")
    expect(dd_after(holder, "validity", "Valid until")).to_have_text(en_day(renewed_until))
    history = holder.locator(f'[data-testid="history-row"][data-reference="{renewal_reference}"]')
    expect(history).to_have_attribute("data-kind", "renewal")
    check(holder)
    screenshot(holder, "recordation-renewed")
    with data_app.app_context():
        recordation = db.session.get(Recordation, renewing.id)
        assert (recordation.number, recordation.valid_until) == (renewing.number, renewed_until)
        assert recordation.right_expiry == right_renewed_until
        assert recordation.facts_application_id == renewal_id
        db.session.remove()

    # 2. Amendment: the holder adds a port to another recordation and submits it.
    holder.goto(f"{base}/recordations/{amending.id}")
    expect(holder.get_by_test_id("recordation-number")).to_have_text(amending.number)
    holder.get_by_role("button", name="Apply for an amendment").click()
    amendment_id = _new_application_id(holder, base)
    holder.get_by_role("button", name="+ Add a port").click()
    port_row = holder.locator('[data-rows="ports"] [data-row]')
    expect(port_row).to_have_count(1)
    port_row.get_by_label("Customs port").fill(PORT["name"])
    port_row.get_by_label("Port code").fill(PORT["code"])
    port_row.get_by_label("Direction").select_option(PORT["direction"])
    check(holder)
    holder.get_by_role("button", name="Submit application", exact=True).click()
    expect(holder).to_have_url(f"{base}/applications/{amendment_id}")
    expect(flash(holder, "success")).to_contain_text("submitted")
    check(holder)

    # The reviewer's page shows the diff against the recorded facts: the one added port.
    reviewer.goto(f"{base}/review/{amendment_id}")
    diff = reviewer.get_by_test_id("fact-diff")
    expect(diff).to_contain_text(amending.number)
    expect(diff.get_by_test_id("diff-group")).to_have_count(1)
    ports = diff.locator('[data-testid="diff-group"][data-group="ports"] + ul')
    expect(ports.get_by_test_id("row-change")).to_have_count(1)
    added = ports.get_by_test_id("row-change")
    expect(added).to_have_attribute("data-change", "added")
    expect(added).to_contain_text(PORT["name"])
    expect(added).to_contain_text(f"Port code: {PORT['code']}")
    expect(diff.get_by_test_id("diff-holder")).to_have_count(0)
    expect(diff.get_by_test_id("diff-right")).to_have_count(0)
    expect(reviewer.get_by_test_id("conflicts").get_by_role("listitem")).to_have_count(0)
    check(reviewer)
    screenshot(reviewer, "amendment-diff")

    # 3. Revocation: the admin must give a reason; the holder is notified.
    admin = new_page()
    sign_in(admin, base, ADMIN, "/admin/")
    admin.goto(f"{base}/recordations/{revoking.id}")
    check(admin)
    admin.get_by_test_id("revoke-link").click()
    revoke_url = f"{base}/recordations/{revoking.id}/revoke"
    expect(admin).to_have_url(revoke_url)
    check(admin)
    submit = admin.get_by_role("button", name="Revoke the recordation", exact=True)
    submit.click()
    expect(admin).to_have_url(revoke_url)
    expect(admin.get_by_test_id("end-form").locator(".invalid-feedback")).to_have_text(
        "Give the reason."
    )
    check(admin)
    with data_app.app_context():
        assert db.session.get(Recordation, revoking.id).status == RecordationStatus.ACTIVE
        db.session.remove()
    admin.get_by_label("Reason").fill(REASON)
    submit.click()
    expect(admin).to_have_url(f"{base}/recordations/{revoking.id}")
    expect(flash(admin, "success")).to_contain_text(f"Recordation {revoking.number} is revoked.")
    expect(recordation_status(admin)).to_have_attribute("data-status", "revoked")
    expect(admin.get_by_test_id("ended-on")).to_have_text(en_day(today()))
    check(admin)
    with data_app.app_context():
        revoked = db.session.get(Recordation, revoking.id)
        assert (revoked.status, revoked.ended_on) == (RecordationStatus.REVOKED, today())
        event = db.session.scalars(
            select(RecordationEvent)
            .where(RecordationEvent.recordation_id == revoking.id)
            .order_by(RecordationEvent.id.desc())
        ).first()
        assert event.to_status == RecordationStatus.REVOKED
        assert REASON in (event.note or "")
        assert db.session.scalar(
            select(Notification.id).where(Notification.recordation_id == revoking.id)
        )
        db.session.remove()
    holder.goto(f"{base}/notifications/")
    note = holder.get_by_test_id("notification").filter(has_text=revoking.number)
    expect(note.first).to_be_visible()
    check(holder)
    note.first.get_by_test_id("notification-recordation-link").click()
    expect(holder).to_have_url(f"{base}/recordations/{revoking.id}")
    expect(recordation_status(holder)).to_have_attribute("data-status", "revoked")
    mails = emails_to(live.outbox, HOLDER, revoking.number, expected=1)
    assert len(mails) == 1 and REASON in mails[0].get_content()

    # 4. `flask ipr expire` twice on the live server's database: it changes records once.
    expiring, lapsing = made["expire"], made["lapse"]
    first = run_cli(["ipr", "expire"], live.env).stdout.splitlines()
    assert (
        f"{expiring.number}: active → expired, ended on {expiring.valid_until + timedelta(days=1)}"
        in first
    ), first
    assert (
        f"{lapsing.number}: active → lapsed, ended on {lapsing.right_expiry + timedelta(days=1)}"
        in first
    ), first
    changed = [line for line in first if " → " in line]
    expired = sum(" → expired," in line for line in changed)
    assert first[-1] == f"{expired:,} expired, {len(changed) - expired:,} lapsed.", first
    second = run_cli(["ipr", "expire"], live.env).stdout.splitlines()
    assert second == ["Nothing to change."]
    with data_app.app_context():
        statuses = {
            key: db.session.get(Recordation, made[key].id).status
            for key in ("renew", "amend", "revoke", "expire", "lapse")
        }
        db.session.remove()
    expected = {
        "renew": RecordationStatus.ACTIVE,
        "amend": RecordationStatus.ACTIVE,
        "revoke": RecordationStatus.REVOKED,
        "expire": RecordationStatus.EXPIRED,
        "lapse": RecordationStatus.LAPSED,
    }
    assert statuses == expected

    # 5. An anonymous visitor finds each of them in the public register.
    visitor = new_page()
    visitor.goto(f"{base}/")
    visitor.get_by_role("navigation").get_by_role("link", name="Public register").click()
    expect(visitor).to_have_url(f"{base}/register/")
    check(visitor)
    search = visitor.get_by_label("Recordation number, right number, mark or title, or holder name")
    search.fill(made["holder_name"])
    search.press("Enter")
    rows = visitor.get_by_test_id("register-row")
    expect(rows).to_have_count(len(expected))
    for key, status in expected.items():
        row = visitor.locator(f'[data-testid="register-row"][data-number="{made[key].number}"]')
        expect(row.get_by_test_id("register-status")).to_have_attribute("data-status", status)
        expect(row).to_contain_text(made["holder_name"])
    check(visitor)
    screenshot(visitor, "register-holder-search")
    for key, status in expected.items():
        number = made[key].number
        search = visitor.get_by_label(
            "Recordation number, right number, mark or title, or holder name"
        )
        search.fill(number)
        search.press("Enter")
        row = visitor.locator(f'[data-testid="register-row"][data-number="{number}"]')
        expect(row).to_have_count(1)
        expect(row.get_by_test_id("register-status")).to_have_attribute("data-status", status)
        check(visitor)
        row.get_by_role("link", name=number, exact=True).click()
        expect(visitor).to_have_url(f"{base}/register/{number}")
        expect(visitor.get_by_test_id("register-number")).to_have_text(number)
        expect(visitor.get_by_test_id("register-status")).to_have_attribute("data-status", status)
        details = visitor.get_by_test_id("register-details")
        expect(details).to_contain_text(made["holder_name"])
        valid_until = renewed_until if key == "renew" else made[key].valid_until
        expect(dd_after(visitor, "register-details", "Valid until")).to_have_text(
            en_day(valid_until)
        )
        expect(details).not_to_contain_text(PORT["name"])  # the recorded facts stay private
        check(visitor)
