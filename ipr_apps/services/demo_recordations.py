# ruff: noqa: E501  (the demo plan reads best as a table)
"""Demo recordations across their ten-year life, for seed-demo: one inside its renewal window,
one amended and then renewed by the agent, one expired, one lapsed with its right, one
cancelled by its holder, one revoked by customs, an amendment of a recent one waiting in the
queue and another still a draft; and the refused AURORA RUN revised, as a draft.

Every step goes through the real services at its own past moment (`clock_at`), so numbers,
validity, events, notifications and statistics agree. The approvals fall before 2018, the
first year of the imported decision history, so the published half-year figures are untouched.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import Application, IpRight, Kind, Recordation, User, today
from ipr_apps.models.base import clock_at
from ipr_apps.services import (
    changes,
    documents,
    expiry,
    filing,
    lifecycle,
    reminders,
    review,
    revise,
)
from ipr_apps.services.demo_applications import REVIEWER, attach, pdf, user_by_email

HOLDER, HOLDER2, AGENT, ADMIN = (
    "holder@example.com", "holder2@example.com", "agent@example.com", "admin@example.com",
)  # fmt: skip


# What screening compares declarations with (the example file of the screening page hits these).
SCREENING_FACTS = {
    "traders": [{"role": "importer", "name": "Shenzhen Bright Trading Co., Ltd.", "country": "CN",
                 "customs_code": "4403960001"}],
    "infringers": [{"name": "Dongguan Shiny Lamps Co., Ltd.", "role": "manufacturer",
                    "country": "CN", "ports": "Shenzhen Bay, Huangpu",
                    "description": "Sold BRIGHTSTAR-branded bulbs without a licence (2024)."}],
}  # fmt: skip


def _right(title: str, number: str, expiry: date) -> dict:
    return {"registration_number": number, "title": title, "nice_classes": "9, 11",
            "goods_services": "LED lamps; light bulbs", "registration_date": date(2015, 3, 1),
            "expiry_date": expiry}  # fmt: skip


def _goods(name: str, hs: str) -> list[dict]:
    return [{"name": name, "hs_code": hs, "place_of_manufacture": "Shenzhen",
             "main_features": f"Genuine {name} units carry a holographic label.",
             "price_min": "15", "price_max": "60", "currency": "CNY"}]  # fmt: skip


def seed(day: date | None = None) -> int:
    """Create the demo recordations unless they exist (by their right numbers); returns how
    many recordations the plan made."""
    day = day or today()
    if db.session.scalar(
        select(IpRight.application_id).where(IpRight.registration_number == "TM-17050101")
    ):
        return 0
    for moment, step in sorted(_plan(day), key=lambda item: item[0]):
        with clock_at(moment):
            step()
    with clock_at(datetime.combine(day, time(1))):
        expiry.expire(day)
        reminders.send_due(day)
    return 6


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour))


def _plan(day: date) -> list[tuple[datetime, Callable[[], None]]]:
    ten = relativedelta(years=10)
    made: dict[str, int] = {}  # title → application id of the original
    steps = []

    def recorded(title, holder, filer, number, approved_on, right_expiry, hs="853952", **facts):
        payload = {"right": _right(title, number, right_expiry), "goods": _goods("LED lamp", hs)}
        payload.update(facts)
        steps.append(
            (
                _at(approved_on, 9),
                lambda: made.__setitem__(title, _file_and_approve(holder, filer, payload)),
            )
        )

    # Inside its renewal window (five months left): the holder renews it in the browser.
    recorded(
        "BRIGHTSTAR",
        HOLDER,
        HOLDER,
        "TM-17050101",
        day - ten + relativedelta(months=5),
        day + relativedelta(years=8),
        **SCREENING_FACTS,
    )
    # Expired two months ago (the holder did not renew).
    recorded(
        "GLOWLINE",
        HOLDER,
        HOLDER,
        "TM-16100202",
        day - ten - relativedelta(months=2),
        day + relativedelta(years=3),
    )
    # Lapsed: the trademark registration itself ended last month, before the ten years.
    recorded(
        "AURORA CLASSIC",
        HOLDER2,
        HOLDER2,
        "EUTM-009000111",
        day - relativedelta(years=9),
        day - relativedelta(months=1),
    )
    # Cancelled by the holder; revoked by customs; amended, then renewed.
    recorded(
        "AURORA STRIDE",
        HOLDER2,
        HOLDER2,
        "EUTM-009000222",
        day - relativedelta(years=6),
        day + relativedelta(years=4),
    )
    recorded(
        "LUMIGLOW",
        HOLDER,
        AGENT,
        "TM-19020303",
        day - relativedelta(years=4),
        day + relativedelta(years=5),
    )
    recorded(
        "BRIGHTLIGHT PRO",
        HOLDER,
        HOLDER,
        "TM-17020404",
        day - ten + relativedelta(months=3),
        day + relativedelta(years=12),
    )
    steps += [
        (_at(day - relativedelta(months=2)), lambda: _cancel(made["AURORA STRIDE"], HOLDER2, "The product line was discontinued.")),
        (_at(day - timedelta(days=21)), lambda: _revoke(made["LUMIGLOW"], "The registration certificate filed was not genuine (demo).")),
        (_at(day - relativedelta(years=2)), lambda: _amend(made["BRIGHTLIGHT PRO"], HOLDER, {"ports": [{"name": "Shekou", "code": "5304", "direction": "exit"}]}, approve=True)),
        (_at(day - timedelta(days=40)), lambda: _renew(made["BRIGHTLIGHT PRO"], AGENT)),
        (_at(day - timedelta(days=3)), lambda: _amend(_approved("LUMINA"), HOLDER, {"licensees": [{"name": "Brightlight Europe B.V.", "country": "NL", "scope": "Sale in the EU", "exclusive": False}]}, approve=False)),
        (_at(day - timedelta(days=2)), lambda: _amend(made["BRIGHTLIGHT PRO"], HOLDER, {"ports": [{"name": "Shekou", "code": "5304", "direction": "exit"}, {"name": "Yantian", "code": "5316", "direction": "exit"}]}, approve=None)),
        (_at(day - timedelta(days=1)), lambda: revise.revise(user_by_email(HOLDER2), _rejected("AURORA RUN"))),
    ]  # fmt: skip
    return steps


def _file_and_approve(holder_email: str, filer_email: str, payload: dict) -> int:
    holder, filer = user_by_email(holder_email), user_by_email(filer_email)
    holder_org = holder.organisation_id if filer.is_agent else None
    application = filing.create_draft(filer, "trademark", payload, holder_org)
    attach(filer, application, "trademark")
    _submit_and_approve(filer, application.id)
    return application.id


def _submit_and_approve(filer: User, application_id: int) -> None:
    reviewer = user_by_email(REVIEWER)
    filing.submit(filer, application_id)
    review.claim(reviewer, application_id)
    review.approve(reviewer, application_id)


def _recordation_of(application_id: int) -> Recordation:
    return db.session.get(Application, application_id).recordation


def _rejected(title: str) -> int:
    stmt = select(Application.id).join(IpRight).where(IpRight.title == title)
    return db.session.execute(stmt.order_by(Application.id).limit(1)).scalar_one()


def _approved(title: str) -> int:
    stmt = (
        select(IpRight.application_id)
        .join(Application)
        .where(
            IpRight.title == title,
            Application.recordation_id.is_not(None),
            Application.kind == Kind.NEW,
        )
    )
    return db.session.execute(stmt).scalar_one()


def _cancel(application_id: int, holder_email: str, reason: str) -> None:
    lifecycle.cancel(user_by_email(holder_email), _recordation_of(application_id).id, reason)


def _revoke(application_id: int, reason: str) -> None:
    lifecycle.revoke(user_by_email(ADMIN), _recordation_of(application_id).id, reason)


def _amend(application_id: int, holder_email: str, payload: dict, approve: bool | None) -> None:
    """An amendment approved (True), waiting in the queue (False) or still a draft (None)."""
    holder = user_by_email(holder_email)
    draft = changes.start_amendment(holder, _recordation_of(application_id).id)
    filing.update_draft(holder, draft.id, payload)
    if approve:
        _submit_and_approve(holder, draft.id)
    elif approve is False:
        filing.submit(holder, draft.id)


def _renew(application_id: int, filer_email: str) -> None:
    filer = user_by_email(filer_email)
    draft = changes.start_renewal(filer, _recordation_of(application_id).id)
    if filer.is_agent:  # the holder filed the recordation itself: the agency adds its mandate
        power = io.BytesIO(pdf())
        documents.attach(filer, draft.id, "power_of_attorney", power, "power_of_attorney.pdf")
    _submit_and_approve(filer, draft.id)
