# ruff: noqa: E501  (the demo plan reads best as a table)
"""Demo applications for seed-demo: several holders, every right type, an agent, a duplicate,
filed and decided over the last eight weeks."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from pypdf import PdfWriter
from sqlalchemy import func, select

from ipr_apps.db import db
from ipr_apps.models import Application, User, today
from ipr_apps.models.base import clock_at
from ipr_apps.services import documents, filing, review
from ipr_apps.workdays import WorkCalendar, calendar_between, is_working_day


def pdf() -> bytes:
    """A blank one-page A4 PDF: uploads are parsed whole, so the demo needs a real one."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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

# (holder email, filer email, type, title, number, final state, working days ago of each step).
# The steps of each state are STEPS[state]; spread over eight weeks, so the queue has overdue
# rows (BRIGHTLIGHT, Cushioning foam), rows due within days (Dimmable LED driver) and fresh ones.
PLAN = [
    ("holder@example.com", "holder@example.com", "trademark", "BRIGHTLIGHT", "TM-32145876", "submitted", (37, 34)),
    ("holder@example.com", "holder@example.com", "patent_invention", "Dimmable LED driver", "ZL201910123456.7", "submitted", (30, 27)),
    ("holder@example.com", "holder@example.com", "copyright", "Brightlight firmware 3.0", None, "draft", (3,)),
    ("holder2@example.com", "holder2@example.com", "trademark", "AURORA", "EUTM-018234567", "submitted", (8, 5)),
    ("holder2@example.com", "holder2@example.com", "patent_design", "Running shoe sole", "ZL202030654321.0", "draft", (15,)),
    ("holder2@example.com", "holder2@example.com", "patent_utility_model", "Lace lock", "ZL202120111222.3", "withdrawn", (28, 25, 20)),
    ("holder@example.com", "agent@example.com", "trademark", "光明 BRIGHT", "TM-32145876", "submitted", (24, 22)),
    ("holder@example.com", "holder@example.com", "trademark", "LUMINA", "TM-30998877", "approved", (33, 30, 25, 21)),
    ("holder2@example.com", "holder2@example.com", "copyright", "Aurora catalogue 2025", None, "approved", (20, 18, 14, 10)),
    ("holder2@example.com", "holder2@example.com", "trademark", "AURORA RUN", "EUTM-018999000", "rejected", (18, 16, 12, 8)),
    ("holder@example.com", "agent@example.com", "patent_design", "Lamp shade", "ZL202230777888.1", "info_requested", (16, 14, 11, 7)),
    ("holder2@example.com", "holder2@example.com", "patent_invention", "Cushioning foam", "EP3456789", "under_review", (36, 33, 20)),
]  # fmt: skip
STEPS = {
    "draft": ("create",),
    "submitted": ("create", "submit"),
    "withdrawn": ("create", "submit", "withdraw"),
    "under_review": ("create", "submit", "claim"),
    "info_requested": ("create", "submit", "claim", "request_info"),
    "approved": ("create", "submit", "claim", "approve"),
    "rejected": ("create", "submit", "claim", "reject"),
}


def seed() -> int:
    """Create the demo applications unless some (not imported) exist already; returns how many.

    Each step runs through the real services at its own past moment (`clock_at`), in date
    order, so references, deadlines, the paused clock, decisions and the history all agree.
    """
    own = select(func.count()).select_from(Application).where(Application.imported.is_(False))
    if db.session.scalar(own):
        return 0
    ids: dict[int, int] = {}
    for moment, index, step in schedule(today()):
        with clock_at(moment):
            _run(step, index, ids)
    return len(PLAN)


def schedule(day: date) -> list[tuple[datetime, int, str]]:
    """(moment, plan row, step) for every step of the plan, oldest first, all before `day`."""
    holidays = calendar_between(day - timedelta(days=120), day)
    steps = []
    for index, (*_row, state, ago) in enumerate(PLAN):
        for number, (step, days) in enumerate(zip(STEPS[state], ago, strict=True)):
            moment = datetime.combine(_working_days_before(day, days, holidays), time(9))
            steps.append((moment + timedelta(minutes=20 * index + 45 * number), index, step))
    return sorted(steps)


def _working_days_before(day: date, days: int, holidays: WorkCalendar) -> date:
    while days > 0:
        day -= timedelta(days=1)
        days -= is_working_day(day, holidays)
    return day


def user_by_email(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _run(step: str, index: int, ids: dict[int, int]) -> None:
    holder_email, filer_email, ipr_type, title, number, state, _ago = PLAN[index]
    filer = user_by_email(filer_email)
    if step == "create":
        ids[index] = _create(user_by_email(holder_email), filer, ipr_type, title, number, state)
    else:
        ACTIONS[step](filer, user_by_email(REVIEWER), ids[index])


REVIEWER = "reviewer@example.com"
ACTIONS: dict[str, Callable[[User, User, int], object]] = {
    "submit": lambda filer, _reviewer, app_id: filing.submit(filer, app_id),
    "withdraw": lambda filer, _reviewer, app_id: filing.withdraw(
        filer, app_id, "Filed by mistake (demo)."
    ),
    "claim": lambda _filer, reviewer, app_id: review.claim(reviewer, app_id),
    "approve": lambda _filer, reviewer, app_id: review.approve(reviewer, app_id),
    "reject": lambda _filer, reviewer, app_id: review.reject(
        reviewer, app_id, ["right_not_protected"], "The registration was cancelled in 2025 (demo)."
    ),
    "request_info": lambda _filer, reviewer, app_id: review.request_info(
        reviewer, app_id, "Please attach photos of the genuine lamp shade."
    ),
}


def _create(holder, filer, ipr_type, title, number, state) -> int:
    kind = "patent" if ipr_type.startswith("patent") else ipr_type
    payload = {
        "right": RIGHTS[kind](title, number),
        "goods": [_goods("LED bulb", "853952", "Shenzhen")],
    }
    if state == "draft":
        payload["goods"] = [{"name": "Half-described goods"}]
    holder_org = holder.organisation_id if filer.is_agent else None
    application = filing.create_draft(filer, ipr_type, payload, holder_org)
    attach(filer, application, ipr_type)
    return application.id


def attach(filer, application, ipr_type) -> None:
    wanted = ["ipr_certificate", "identity_proof", "goods_photo"]
    if filer.is_agent:
        wanted.append("power_of_attorney")
    for doc_type in wanted:
        data, name = (
            (_png(), "photo.png") if doc_type == "goods_photo" else (pdf(), f"{doc_type}.pdf")
        )
        documents.attach(filer, application.id, doc_type, io.BytesIO(data), name)
    if ipr_type == "trademark":
        documents.set_mark_image(filer, application.id, io.BytesIO(_png((220, 53, 69))), "mark.png")
