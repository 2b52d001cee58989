"""The application form's error summary and length counters in a real browser (issue 9,
defects 2 and 4): focus moves to the summary after a failed submit, each link moves focus to
its field, required fields are announced, and over-long text is counted, never cut."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_filing_journey import sign_in, start_trademark_draft, submit_application


def test_failed_submit_focuses_the_summary_and_links_focus_their_fields(
    page: Page, live_server: str
) -> None:
    sign_in(page, live_server, "holder@example.com")
    start_trademark_draft(page, live_server)
    page.locator("#goods-0-hs_code").fill("85AB")
    page.locator("#right-nice_classes").fill("99")
    page.locator("#holder-email").fill("not-an-email")
    submit_application(page)

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    targets = [
        href.removeprefix("#")
        for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    ]
    # formats and completeness in one pass, in page order
    for field in ("holder-email", "right-nice_classes", "goods-0-hs_code"):
        assert field in targets
    assert targets.index("holder-email") < targets.index("right-nice_classes")
    assert targets.index("right-nice_classes") < targets.index("goods-0-hs_code")
    assert targets[-1] == "documents"

    summary.locator('a[href="#goods-0-hs_code"]').click()
    expect(page.locator("#goods-0-hs_code")).to_be_focused()
    summary.locator('a[href="#documents"]').first.click()
    expect(page.locator("#documents")).to_be_focused()


def test_required_fields_and_length_counters(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "holder@example.com")
    start_trademark_draft(page, live_server)
    title = page.locator("#right-title")
    expect(title).to_have_attribute("aria-required", "true")
    expect(page.locator("#right-registration_date")).to_have_attribute("aria-required", "true")
    assert page.locator("#right-title").get_attribute("maxlength") is None

    features = page.locator("#goods-0-main_features")
    expect(page.locator("#goods-0-main_features-counter")).to_have_text("2000 character(s) left")
    features.fill("x" * 2010)  # pasted text is kept whole
    expect(features).to_have_value("x" * 2010)
    counter = page.locator("#goods-0-main_features-counter")
    expect(counter).to_have_text("10 character(s) too many (limit 2000)")
    expect(features).to_have_attribute("aria-describedby", "goods-0-main_features-counter")
