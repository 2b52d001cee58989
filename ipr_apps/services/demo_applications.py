# ruff: noqa: E501  (the demo plan reads best as a table)
"""Demo applications for seed-demo: several holders, every right type, an agent, a duplicate."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta

from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Application, User, today
from ipr_apps.services import documents, filing, review

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png(rgb: tuple[int, int, int] = (13, 110, 253)) -> bytes:
    """A valid 48×48 single-colour PNG, built without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * 48 for _ in range(48))
    header = struct.pack(">IIBBBBB", 48, 48, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def _years(n: int) -> date:
    return today() + timedelta(days=365 * n)


def _goods(name: str, hs: str, place: str) -> dict:
    return {"name": name, "hs_code": hs, "place_of_manufacture": place,
            "main_features": f"Genuine {name} units carry a holographic label and a serial number.",
            "price_min": "20", "price_max": "80", "currency": "CNY"}  # fmt: skip


RIGHTS = {
    "trademark": lambda title, number: {
        "registration_number": number, "title": title, "nice_classes": "9, 11",
        "goods_services": "LED lamps; light bulbs; lighting apparatus",
        "registration_date": date(2018, 6, 1), "expiry_date": _years(6),
    },
    "copyright": lambda title, number: {
        "title": title, "work_type": "software", "first_publication_country": "CN",
    },
    "patent": lambda title, number: {
        "registration_number": number, "title": title, "filing_date": date(2019, 3, 1),
        "abstract": f"{title}: an improvement described in the granted claims.",
        "expiry_date": _years(12),
    },
}  # fmt: skip

# (holder email, filer email, type, title, number, final state)
PLAN = [
    ("holder@example.com", "holder@example.com", "trademark", "BRIGHTLIGHT", "TM-32145876", "submitted"),
    ("holder@example.com", "holder@example.com", "patent_invention", "Dimmable LED driver", "ZL201910123456.7", "submitted"),
    ("holder@example.com", "holder@example.com", "copyright", "Brightlight firmware 3.0", None, "draft"),
    ("holder2@example.com", "holder2@example.com", "trademark", "AURORA", "EUTM-018234567", "submitted"),
    ("holder2@example.com", "holder2@example.com", "patent_design", "Running shoe sole", "ZL202030654321.0", "draft"),
    ("holder2@example.com", "holder2@example.com", "patent_utility_model", "Lace lock", "ZL202120111222.3", "withdrawn"),
    ("holder@example.com", "agent@example.com", "trademark", "光明 BRIGHT", "TM-32145876", "submitted"),
    ("holder@example.com", "holder@example.com", "trademark", "LUMINA", "TM-30998877", "approved"),
    ("holder2@example.com", "holder2@example.com", "copyright", "Aurora catalogue 2025", None, "approved"),
    ("holder2@example.com", "holder2@example.com", "trademark", "AURORA RUN", "EUTM-018999000", "rejected"),
    ("holder@example.com", "agent@example.com", "patent_design", "Lamp shade", "ZL202230777888.1", "info_requested"),
    ("holder2@example.com", "holder2@example.com", "patent_invention", "Cushioning foam", "EP3456789", "under_review"),
]  # fmt: skip
REVIEWED = {"approved", "rejected", "info_requested", "under_review"}


def seed() -> int:
    """Create the demo applications unless demo applications exist already; returns how many."""
    if db.session.scalar(select(func.count()).select_from(Application)):
        return 0
    for holder_email, filer_email, ipr_type, title, number, state in PLAN:
        _file(_user(holder_email), _user(filer_email), ipr_type, title, number, state)
    return len(PLAN)


def _user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _file(holder, filer, ipr_type, title, number, state) -> None:
    kind = "patent" if ipr_type.startswith("patent") else ipr_type
    payload = {
        "right": RIGHTS[kind](title, number),
        "goods": [_goods("LED bulb", "853952", "Shenzhen")],
    }
    if state == "draft":
        payload["goods"] = [{"name": "Half-described goods"}]
    holder_org = holder.organisation_id if filer.is_agent else None
    application = filing.create_draft(filer, ipr_type, payload, holder_org)
    _attach(filer, application, ipr_type)
    if state != "draft":
        filing.submit(filer, application.id)
    if state == "withdrawn":
        filing.withdraw(filer, application.id, "Filed by mistake (demo).")
    if state in REVIEWED:
        _review(application.id, state)


def _review(application_id: int, state: str) -> None:
    reviewer = _user("reviewer@example.com")
    review.claim(reviewer, application_id)
    if state == "approved":
        review.approve(reviewer, application_id)
    elif state == "rejected":
        review.reject(reviewer, application_id, ["right_not_protected"],
                      "The registration was cancelled in 2025 (demo).")  # fmt: skip
    elif state == "info_requested":
        review.request_info(
            reviewer, application_id, "Please attach photos of the genuine lamp shade."
        )


def _attach(filer, application, ipr_type) -> None:
    wanted = ["ipr_certificate", "identity_proof", "goods_photo"]
    if filer.is_agent:
        wanted.append("power_of_attorney")
    for doc_type in wanted:
        data, name = (
            (_png(), "photo.png") if doc_type == "goods_photo" else (PDF, f"{doc_type}.pdf")
        )
        documents.attach(filer, application.id, doc_type, io.BytesIO(data), name)
    if ipr_type == "trademark":
        documents.set_mark_image(filer, application.id, io.BytesIO(_png((220, 53, 69))), "mark.png")
