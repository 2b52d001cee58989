"""Detention cases for the tests of the holder's side (confirmation, withdrawal, release): an
ex officio case opened through the real service at a given moment, and reading back what was
stored."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import (
    CaseEvent,
    Channel,
    DetentionCase,
    Direction,
    Notification,
    OutboxMessage,
    Status,
    User,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import cases
from ipr_apps.services.cases import CaseFacts
from tests.factories import make_application, recordation_row

VALUE = Decimal("36000.50")


def facts(**changes) -> CaseFacts:
    values = {
        "channel": Channel.EXPRESS, "direction": Direction.EXPORT, "goods": "LED torches",
        "items": 1200, "value_cny": VALUE, "hs_code": "851310", "goods_category": "Lighting",
        "consignor": "Bright Export Co", "consignee": "Lumen GmbH", "country_of_origin": "CN",
    }  # fmt: skip
    return CaseFacts(**(values | changes))


def open_case(holder: User, officer: User, on: date, agency: User | None = None):
    """An ex officio case on a new recordation of `holder`, opened by `officer` at 09:00 on
    `on` (its deadline counted from that day)."""
    application = make_application(holder, Status.APPROVED)
    recordation = recordation_row(application)
    if agency is not None:
        recordation.agency_id = agency.organisation_id
    db.session.commit()
    with clock_at(datetime.combine(on, time(9))):
        case = cases.open_ex_officio(officer, recordation.id, facts())
    return case


def at(day: date, hour: int = 10):
    """`clock_at` on `day` at `hour`:00 UTC."""
    return clock_at(datetime.combine(day, time(hour)))


def fresh(case_id: int) -> DetentionCase:
    db.session.expire_all()
    return db.session.get(DetentionCase, case_id)


def events(case_id: int) -> list[tuple]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return [
        (e.action, e.from_status, e.to_status, e.actor_id)
        for e in db.session.execute(stmt).scalars()
    ]


def notified(case_id: int, after_id: int = 0) -> list[int]:
    """The users notified about the case (notification ids above `after_id`), by id."""
    stmt = select(Notification.user_id).where(
        Notification.case_id == case_id, Notification.id > after_id
    )
    return sorted(db.session.execute(stmt).scalars())


def mails_to(address: str) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.to_address == address)
    return list(db.session.execute(stmt.order_by(OutboxMessage.id)).scalars())
