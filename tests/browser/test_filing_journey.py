"""The holder filing journey in a real browser, as a new user meets it.

Register → new trademark draft (holder section pre-filled) → save half → come back → complete
→ submit refused without documents → attach them → submit → read-only application page.
Then a second holder files the same right (duplicate warning) and cannot see the first one's
application, its edit page or its documents.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.live import DEMO_PASSWORD, LiveServer

SECOND_HOLDER = "holder2@example.com"

NEW_HOLDER = {
    "name": "Mei Chen",
    "password": "Lantern-Harbour-83",
    "name_local": "杭州明灯照明有限公司",
    "name_en": "Hangzhou Bright Lantern Lighting Co., Ltd.",
    "country": "CN",
    "registration_number": "91330100MA2BROWSER",
    "address": "18 Wensan Road, Xihu, Hangzhou",
    "legal_representative": "Chen Hao",
    "contact_person": "Mei Chen",
    "org_email": "ip@lantern.example",
    "phone": "+86 571 0000 0003",
}
# The organisation fields as the application form's holder section calls them.
HOLDER_PREFILL = {
    **{k: NEW_HOLDER[k] for k in ("name_local", "name_en", "registration_number", "address")},
    **{k: NEW_HOLDER[k] for k in ("legal_representative", "contact_person", "phone")},
    "email": NEW_HOLDER["org_email"],
}

RIGHT_REST = {
    "nice_classes": "9, 11",
    "goods_services": "Class 9: LED drivers. Class 11: LED lamps and lighting fixtures.",
    "registration_date": "2019-05-14",
    "expiry_date": "2039-05-13",
}
GOODS_0_START = {"name": "LED desk lamp", "hs_code": "9405210000"}
GOODS_0_REST = {
    "place_of_manufacture": "Hangzhou, China",
    "main_features": "Hologram sticker under the base; serial number laser-etched on the arm.",
}
GOODS_1 = {
    "name": "LED bulb E27",
    "hs_code": "853952",
    "place_of_manufacture": "Ningbo, China",
    "main_features": "Embossed logo on the cap.",
}
LICENSEE_0 = {"name": "Lantern Europe B.V."}
LICENSEE_0_COUNTRY = "NL"
INFRINGER_0 = {"name": "Shady Lamps Trading Co."}


# --------------------------------------------------------------------------- files


def minimal_pdf() -> bytes:
    """A valid one-page PDF (correct xref offsets), a few hundred bytes."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_1x1() -> bytes:
    """A valid 1×1 RGB PNG (one white pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def documents(tmp_path: Path) -> dict[str, Path]:
    """The two required documents: doc type → a small real file."""
    pdf = tmp_path / "trademark-certificate.pdf"
    pdf.write_bytes(minimal_pdf())
    png = tmp_path / "business-licence.png"
    png.write_bytes(png_1x1())
    return {"ipr_certificate": pdf, "identity_proof": png}


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Draft:
    id: int
    reference: str
    edit_url: str
    show_url: str


def sign_in(page: Page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{base}/applications/")


def sign_out(page: Page, base: str) -> None:
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def flash(page: Page, category: str):
    return page.locator(f"main > .alert.alert-{category}[role=alert]")


def status_badge(page: Page):
    """The application's status badge, under the page's heading."""
    return page.locator("main h1 + p .badge").first


def fill(page: Page, prefix: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.locator(f"#{prefix}-{name}").fill(value)


def expect_values(page: Page, prefix: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        expect(page.locator(f"#{prefix}-{name}")).to_have_value(value)


def save_draft(page: Page) -> None:
    # The form's first submit button is a visually hidden, aria-hidden "Save draft" for the
    # Enter key; the role query skips it, so this is the visible one in the sticky bar.
    button = page.get_by_role("button", name="Save draft", exact=True)
    expect(button).to_have_count(1)
    expect(button).to_be_visible()
    button.click()
    expect(flash(page, "success")).to_contain_text("Draft saved.")


def add_row(page: Page, label: str, new_field: str) -> None:
    """`+ Add …` saves the draft and re-renders with an extra empty row."""
    page.get_by_role("button", name=f"+ {label}", exact=True).click()
    expect(page.locator(f"#{new_field}")).to_have_value("")


def start_trademark_draft(page: Page, base: str) -> Draft:
    page.get_by_role("link", name="New application", exact=True).click()
    expect(page).to_have_url(f"{base}/applications/new")
    page.get_by_label("Trademark", exact=True).check()
    page.get_by_role("button", name="Create draft", exact=True).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/applications/\d+/edit$"))
    expect(flash(page, "info")).to_contain_text("Nothing is sent until you submit.")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^IPR-\d{4}-\d{6} · Trademark$"))
    expect(status_badge(page)).to_have_text("Draft")
    application_id = int(re.search(r"/applications/(\d+)/edit$", page.url).group(1))
    reference = heading.inner_text().split(" · ")[0]
    return Draft(
        application_id,
        reference,
        edit_url=f"{base}/applications/{application_id}/edit",
        show_url=f"{base}/applications/{application_id}",
    )


def fill_complete_trademark(page: Page, number: str, title: str) -> None:
    """Every required field of a trademark application, with one goods row."""
    fill(page, "right", {"registration_number": number, "title": title, **RIGHT_REST})
    fill(page, "goods-0", {**GOODS_0_START, **GOODS_0_REST})


def attach_documents(page: Page, files: dict[str, Path]) -> None:
    panel = page.get_by_test_id("documents-panel")
    expect(panel.get_by_test_id("missing-documents")).to_be_visible()
    upload = panel.get_by_test_id("upload-document")
    for count, (doc_type, path) in enumerate(files.items(), start=1):
        upload.get_by_label("Type of document").select_option(doc_type)
        upload.get_by_label("File", exact=True).set_input_files(path)
        upload.get_by_role("button", name="Save draft and upload").click()
        expect(flash(page, "success")).to_contain_text("Draft saved. Document attached.")
        expect(page.get_by_test_id("document-row")).to_have_count(count)
        expect(page.get_by_test_id("documents-table")).to_contain_text(path.name)
    expect(page.get_by_test_id("missing-documents")).to_have_count(0)


def submit_application(page: Page) -> None:
    """Submit and wait for the answer (the edit page again, or the application's page)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Submit application", exact=True).click()


# --------------------------------------------------------------------------- the journey


def confirmation_link(outbox: Path, address: str, timeout: float = 15) -> str:
    """The link in the confirmation e-mail the worker delivered to `address`."""
    parser = BytesParser(policy=policy.default)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml")):
            message = parser.parsebytes(path.read_bytes())
            if message["To"] == address:
                return re.search(r"https?://\S+/auth/confirm/\S+", message.get_content())[0]
        time.sleep(0.2)
    pytest.fail(f"no confirmation e-mail to {address} in {outbox}")


def test_new_holder_files_a_trademark_and_a_second_holder_files_the_same_right(
    page: Page, live: LiveServer, screenshot, documents: dict[str, Path]
) -> None:
    base = live.url
    stamp = time.time_ns()
    email = f"mei.chen.{stamp}@example.com"
    number = f"TM-{stamp}"
    title = "BRIGHT LANTERN"

    # 1. Register a brand-new holder: lands on an empty "My applications".
    page.goto(f"{base}/auth/register")
    page.locator("input[name=kind][value=holder]").check()
    page.get_by_label("Your name").fill(NEW_HOLDER["name"])
    page.get_by_label("Email (your sign-in)").fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_HOLDER["password"])
    page.get_by_label("Repeat password").fill(NEW_HOLDER["password"])
    for name in ("name_local", "name_en", "registration_number", "address"):
        page.locator(f"#{name}").fill(NEW_HOLDER[name])
    for name in ("legal_representative", "contact_person", "org_email", "phone"):
        page.locator(f"#{name}").fill(NEW_HOLDER[name])
    page.locator("#country").select_option(NEW_HOLDER["country"])
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    # ... confirms the address through the e-mailed link, which signs the holder in.
    page.goto(confirmation_link(live.outbox, email))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page).to_have_url(f"{base}/applications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My applications")
    expect(flash(page, "success")).to_contain_text("Your e-mail address is confirmed. Welcome!")
    expect(page.get_by_test_id("nav-user")).to_contain_text(NEW_HOLDER["name"])
    expect(page.get_by_test_id("empty-state")).to_contain_text(
        "You have not filed any applications yet."
    )
    expect(page.get_by_test_id("application-table")).to_have_count(0)
    expect(page.get_by_text("Your organisation profile is incomplete.")).to_have_count(0)

    # 2. New application → trademark draft, holder section pre-filled from the profile.
    draft = start_trademark_draft(page, base)
    expect_values(page, "holder", HOLDER_PREFILL)
    expect(page.locator("#holder-country")).to_have_value(NEW_HOLDER["country"])

    # 3. Fill half of it, save, leave, and come back through "Complete and submit".
    half_right = {"registration_number": number, "title": title}
    fill(page, "right", half_right)
    fill(page, "goods-0", GOODS_0_START)
    save_draft(page)
    expect(page).to_have_url(draft.edit_url)

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My applications"
    ).click()
    expect(page).to_have_url(f"{base}/applications/")
    row = (
        page.get_by_test_id("application-table").get_by_role("row").filter(has_text=draft.reference)
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text(title)
    expect(row.locator(".badge")).to_have_text("Draft")
    row.get_by_role("link", name="Complete and submit").click()
    expect(page).to_have_url(draft.edit_url)
    expect_values(page, "right", half_right)
    expect_values(page, "goods-0", GOODS_0_START)
    expect_values(page, "holder", HOLDER_PREFILL)

    # 4. Complete it: the rest of the right, two goods rows, a licensee and an infringer.
    fill(page, "right", RIGHT_REST)
    fill(page, "goods-0", GOODS_0_REST)
    add_row(page, "Add goods", "goods-1-name")
    expect_values(page, "right", {**half_right, **RIGHT_REST})  # the add button saved
    fill(page, "goods-1", GOODS_1)
    add_row(page, "Add a licensee", "licensees-0-name")
    expect_values(page, "goods-1", GOODS_1)
    fill(page, "licensees-0", LICENSEE_0)
    page.locator("#licensees-0-country").select_option(LICENSEE_0_COUNTRY)
    add_row(page, "Add an infringer", "infringers-0-name")
    fill(page, "infringers-0", INFRINGER_0)

    def expect_everything_typed() -> None:
        expect_values(page, "holder", HOLDER_PREFILL)
        expect_values(page, "right", {**half_right, **RIGHT_REST})
        expect_values(page, "goods-0", {**GOODS_0_START, **GOODS_0_REST})
        expect_values(page, "goods-1", GOODS_1)
        expect_values(page, "licensees-0", LICENSEE_0)
        expect(page.locator("#licensees-0-country")).to_have_value(LICENSEE_0_COUNTRY)
        expect_values(page, "infringers-0", INFRINGER_0)

    # 5. Submitting without documents is refused; it stays a draft and nothing is lost.
    submit_application(page)
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(re.compile(r"Attach the IPR certificate", re.IGNORECASE))
    expect(summary).to_contain_text(re.compile(r"Attach the identity proof", re.IGNORECASE))
    expect(summary.get_by_role("listitem")).to_have_count(2)  # the rest is complete
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#documents")
    expect(status_badge(page)).to_have_text("Draft")
    expect_everything_typed()
    page.goto(draft.edit_url)  # saved on the server too, not only echoed back
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    expect(status_badge(page)).to_have_text("Draft")
    expect_everything_typed()

    # 6. Attach the two required documents through the documents panel.
    attach_documents(page, documents)
    expect(page).to_have_url(f"{draft.edit_url}#documents")
    expect_everything_typed()

    # 7. Submit: the read-only application page with its deadline and timeline.
    submit_application(page)
    expect(page).to_have_url(draft.show_url)
    expect(flash(page, "success")).to_contain_text(f"{draft.reference} submitted.")
    expect(flash(page, "warning")).to_have_count(0)  # nobody filed this right before
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{draft.reference} · {title}")
    expect(status_badge(page)).to_have_text("Submitted")
    deadline = page.get_by_test_id("deadline")
    expect(deadline).to_contain_text(re.compile(r"Due by \d{1,2} \w{3,4} \d{4}"))
    expect(deadline).to_contain_text(re.compile(r"\b\d+ working days? left"))
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(2)
    expect(timeline.get_by_role("listitem").nth(0)).to_contain_text("You created the draft.")
    expect(timeline.get_by_role("listitem").nth(1)).to_contain_text(
        "You submitted the application."
    )
    expect(page.get_by_test_id("duplicate-flag")).to_have_count(0)
    expect(page.locator("#right")).to_contain_text(number)
    expect(page.locator("#goods")).to_contain_text(GOODS_1["name"])
    expect(page.locator("#licensees")).to_contain_text(LICENSEE_0["name"])
    expect(page.locator("#infringers")).to_contain_text(INFRINGER_0["name"])
    expect(page.get_by_test_id("document-row")).to_have_count(2)
    expect(page.get_by_test_id("upload-document")).to_have_count(0)
    expect(page.get_by_role("link", name="Continue editing")).to_have_count(0)
    pdf_link = page.get_by_test_id("documents-table").get_by_role(
        "link", name=documents["ipr_certificate"].name, exact=True
    )
    document_href = pdf_link.get_attribute("href")
    assert re.fullmatch(r"/documents/\d+", document_href or ""), document_href
    screenshot(page, "filing-submitted")

    own = page.request.get(f"{base}{document_href}")  # the owner can open it
    assert own.status == 200
    assert own.headers["content-type"] == "application/pdf"
    assert own.body() == documents["ipr_certificate"].read_bytes()

    page.goto(draft.edit_url)  # no more editing: the edit page redirects to the show page
    expect(page).to_have_url(draft.show_url)
    expect(flash(page, "info")).to_contain_text("can no longer be edited")
    expect(page.locator("#right-registration_number")).to_have_count(0)

    # 8. A second holder files the same right: a duplicate warning, and the flag.
    sign_out(page, base)
    sign_in(page, base, SECOND_HOLDER)
    second = start_trademark_draft(page, base)
    expect(page.locator("#holder-country")).to_have_value("DE")  # holder2's own profile
    fill_complete_trademark(page, number, "BRIGHT LANTERN (licensed)")
    save_draft(page)
    attach_documents(page, documents)
    submit_application(page)
    expect(page).to_have_url(second.show_url)
    expect(status_badge(page)).to_have_text("Submitted")
    warning = flash(page, "warning")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text(
        f"Warning: {draft.reference} is already filed for the same right (submitted)"
    )
    expect(page.get_by_test_id("duplicate-flag")).to_be_visible()
    expect(page.get_by_test_id("duplicate-flag")).to_contain_text(number)
    # customs' duplicate check names another filer's application: staff only
    expect(page.get_by_test_id("timeline")).to_contain_text("You submitted the application.")
    expect(page.get_by_test_id("timeline")).not_to_contain_text(draft.reference)

    # 9. The first holder's application, edit page and document are "Not found" to holder2.
    for url in (draft.show_url, draft.edit_url, f"{base}{document_href}"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.get_by_test_id("error-page")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(page.get_by_text(draft.reference)).to_have_count(0)
        expect(page.get_by_text(title, exact=True)).to_have_count(0)
