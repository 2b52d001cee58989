"""Figure: stored XSS payloads in every text field, inert on every page that shows them.

Each payload of tests/data/xss_payloads.txt (its XSS placeholder made a unique marker) is
stored through the services into every free-text field a user fills: the holder's name and
organisation profile, an application's right, goods, licensee and infringer, the reviewer's
request for information, the holder's answer, an internal note, the reject message and an API
token's label. The holder's, the reviewer's and the admin's pages that show them are parsed
(html.parser): the payload is there, escaped; no element or attribute of it is live; no page
has an event-handler attribute, an inline script or a javascript: URL at all. E-mails are
plain text, and the exports escape cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.mail import compose
from ipr_apps.models import OrgKind, OutboxMessage, Role, User
from ipr_apps.services import exports, filing, review, tokens, users
from ipr_apps.services.users import OrganisationDetails
from tests import factories

MIN_PAYLOADS = 128  # the figure
PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc",
                  "background", "poster", "content"}  # fmt: skip
LIVE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


MARKER = re.compile(r"xss\d{3}m")  # what the placeholder becomes: xss000m, xss001m, …


def marked(n: int) -> str:
    return PAYLOADS[n].replace("XSS", f"xss{n:03d}m")


class LiveMarkup(HTMLParser):
    """Collects every piece of markup a browser would run or load from user input."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag, attrs):
        if MARKER.search(tag):
            self.problems.append(f"element <{tag}>")
        if tag in ("script", "style"):
            self._raw = tag
            if tag == "script" and not dict(attrs).get("src"):
                self.problems.append("inline <script>")
        for name, value in attrs:
            self._attribute(tag, name, value or "")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if MARKER.search(name):
            self.problems.append(f"attribute {name}")
        if name.startswith("on"):
            self.problems.append(f"event handler {name}={value!r}")
        if name in URL_ATTRIBUTES and value.strip().lower().startswith(LIVE_SCHEMES):
            self.problems.append(f"{name}={value!r}")
        if (
            name in URL_ATTRIBUTES | {"style"}
            and MARKER.search(value)
            and not value.startswith(("/", "?", "#"))
        ):
            self.problems.append(f"user text in {tag} {name}={value!r}")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._raw = None

    def handle_data(self, data):
        if self._raw and MARKER.search(data):
            self.problems.append(f"user text inside <{self._raw}>")


def live_markup(html: str, payloads: list[str]) -> list[str]:
    """Why the page would run any of `payloads` (or any script at all); [] if inert."""
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    unescaped = [p for p in payloads if str(escape(p)) != p and p in html]
    return parser.problems + [f"{p!r} appears unescaped" for p in unescaped]


# --------------------------------------------------------------------------- storing


def _holder(payload: str, n: int) -> User:
    details = OrganisationDetails(
        kind=OrgKind.HOLDER, name_local=payload, name_en=payload, country="CN",
        registration_number=f"REG-X{n}", address=payload, legal_representative=payload,
        contact_person=payload, email=f"xss{n}@example.com", phone="+86 1",
    )  # fmt: skip
    holder = users.register_holder(f"xss{n}@example.com", factories.PASSWORD, payload, details)
    users.update_organisation(holder, details)  # the profile form's path too
    return holder


def _content(payload: str, n: int) -> dict:
    content = factories.complete_payload("trademark", f"TM-XSS-{n}")
    content["right"] |= {"title": payload, "goods_services": payload}
    content["goods"][0] |= {"name": payload, "main_features": payload,
                            "place_of_manufacture": payload}  # fmt: skip
    content["licensees"][0]["name"] = payload
    content["infringers"][0]["name"] = payload
    return content


def store_everywhere(payload: str, n: int, reviewer: User) -> int:
    """The payload in every free-text field, through the services; the application's id."""
    holder = _holder(payload, n)
    tokens.create_token(holder, payload)
    draft = filing.create_draft(holder, "trademark", _content(payload, n))
    factories.add_required_documents(draft)
    filing.submit(holder, draft.id)
    review.claim(reviewer, draft.id)
    review.request_info(reviewer, draft.id, payload)
    filing.submit(holder, draft.id, response=payload)
    review.claim(reviewer, draft.id)
    review.add_note(reviewer, draft.id, payload)
    review.reject(reviewer, draft.id, ["false_information"], payload)
    return draft.id


# --------------------------------------------------------------------------- the test


@pytest.fixture
def staff(app, monkeypatch) -> dict[str, User]:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 100)  # the lists show many payloads at once
    return {"reviewer": factories.make_user(Role.REVIEWER),
            "admin": factories.make_user(Role.ADMIN)}  # fmt: skip


def _pages(application_id: int) -> dict[str, list[str]]:
    """Every page that shows one holder's fields (the admin sees the reviewer's page)."""
    holder_pages = ["/applications/", f"/applications/{application_id}", "/auth/organisation",
                    "/auth/profile", "/auth/tokens", "/notifications/"]  # fmt: skip
    return {"holder": holder_pages, "reviewer": [f"/review/{application_id}"]}


def test_stored_payloads_are_inert_on_every_page(app, login, staff, capsys):
    assert len(PAYLOADS) >= MIN_PAYLOADS and all("XSS" in p for p in PAYLOADS)
    failures, renders, ids = [], 0, []
    for n in range(len(PAYLOADS)):
        payload = marked(n)
        application_id = store_everywhere(payload, n, staff["reviewer"])
        ids.append(application_id)
        holder = db.session.execute(select(User).where(User.email == f"xss{n}@example.com"))
        actors = {"holder": holder.scalar_one(), **staff}
        for actor, paths in _pages(application_id).items():
            client = login(actors[actor], to=app.test_client())
            for path in paths:
                html = client.get(path).get_data(True)
                renders += 1
                problems = live_markup(html, [payload])
                if path.endswith(str(application_id)) and str(escape(payload).strip()) not in html:
                    problems.append("the payload is not shown as text")
                failures += [f"payload {n} {payload!r} on {path} as {actor}: {p}" for p in problems]
    renders += _lists_and_searches(app, login, staff, ids, failures)
    with capsys.disabled():
        print(f"\n[figure] stored XSS: {len(PAYLOADS)} payloads × 10 fields, {renders} pages, "
              f"fired: {len(failures)}")  # fmt: skip
    assert failures == [], "\n".join(failures[:50])


def _lists_and_searches(app, login, staff, ids: list[int], failures: list[str]) -> int:
    """The staff lists show every payload at once, and each search echoes one back."""
    pages = [("reviewer", f"/review/?tab={tab}") for tab in ("decided", "mine", "in_review")]
    pages += [
        ("admin", "/admin/users"),
        ("admin", "/admin/mail"),
        ("admin", "/review/?tab=decided"),
        ("admin", "/admin/guarantees"),
    ]
    pages += [("admin", f"/review/{application_id}") for application_id in ids[::10]]
    renders = 0
    for actor, path in pages:
        html = login(staff[actor], to=app.test_client()).get(path).get_data(True)
        renders += 1
        every = [marked(n) for n in range(len(PAYLOADS))]
        failures += [f"{path} as {actor}: {problem}" for problem in live_markup(html, every)]
    return renders


def test_district_names_are_inert(app, login, staff):
    """Customs district names (admins type them) on the districts, accounts and officer pages."""
    from ipr_apps.services import districts

    payloads = [marked(n) for n in range(0, len(PAYLOADS), 4)]
    officers = []
    for i, payload in enumerate(payloads):
        code = f"{i:04d}"
        districts.add_district(staff["admin"], code, payload, payload)
        officers.append(factories.make_user(Role.OFFICER, district=code, name=payload))
    pages = [(staff["admin"], "/admin/districts"), (staff["admin"], "/admin/users"),
             (staff["admin"], "/admin/users/new"), (staff["admin"], "/admin/districts/0000/edit"),
             (staff["admin"], "/admin/districts/0000/deactivate"),
             (officers[0], "/auth/profile"), (officers[0], "/cases/")]  # fmt: skip
    failures = []
    for user, path in pages:
        html = login(user, to=app.test_client()).get(path).get_data(True)
        failures += [f"{path}: {problem}" for problem in live_markup(html, payloads)]
    assert failures == [], "\n".join(failures[:50])


def test_emails_are_plain_text(app, staff):
    payload = marked(0)
    store_everywhere(payload, 9999, staff["reviewer"])
    messages = list(db.session.execute(select(OutboxMessage)).scalars())
    assert len(messages) >= 2  # the request for information and the rejection
    assert all(payload in m.body for m in messages if "rejected" in m.subject.lower())
    for row in messages:
        message = compose([row.to_address], row.subject, row.body)
        assert not message.is_multipart() and message.get_content_type() == "text/plain"


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.startswith(("=", "+", "-", "@"))])
def test_exports_escape_formulas(payload):
    row = {"period": payload, "group": payload, "received": 1, "approved": 1, "rejected": 0,
           "approved_prev_year": 0, "approved_yoy_pct": None, "in_force_at_end": 3,
           "renewals_approved": 0, "expiries": 1}  # fmt: skip
    cells = list(csv.reader(io.StringIO("".join(exports.csv_lines([row])))))[1]
    assert cells[:2] == ["'" + payload] * 2
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes([row]))).active
    for cell in sheet[2][:2]:
        assert cell.data_type == "s" and cell.value == "'" + payload
