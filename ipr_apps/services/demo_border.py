# ruff: noqa: E501  (the demo plan reads best as a table)
"""Live border work for seed-demo, on the demo recordations: the Shenzhen officer's ex officio
cases in each state (confiscated after a bond, released because the holder did not confirm,
detained on the general guarantee, one awaiting the holder now) and the holder's requests for
detention (one accepted into a case, one waiting for an officer).

Every step goes through the real services at its own moment (`clock_at`), so numbers,
deadlines, events and notifications agree. The cases fall in the current half-year, which the
enforcement headline (the latest complete period) does not count yet.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.models import (
    CaseOutcome,
    Channel,
    DetentionCase,
    Direction,
    Recordation,
    RecordationStatus,
    today,
    utcnow,
)
from ipr_apps.models.base import clock_at
from ipr_apps.services import case_confirm, case_outcomes, case_release, cases, detention_requests
from ipr_apps.services.cases import CaseFacts
from ipr_apps.services.demo_applications import pdf, user_by_email
from ipr_apps.services.request_fields import RequestFields

HOLDER, AGENT, OFFICER = "holder@example.com", "agent@example.com", "officer@example.com"
PORT = "5301"


def _facts(channel, direction, goods, items, value, **more) -> CaseFacts:
    return CaseFacts(channel=channel, direction=direction, goods=goods, items=items,
                     value_cny=Decimal(value), hs_code="853952", goods_category="LED lamps",
                     country_of_origin="CN", **more)  # fmt: skip


def seed(day: date | None = None) -> int:
    """Open the demo cases and requests unless live (not imported) cases exist; returns how
    many cases it opened."""
    live = select(DetentionCase.id).where(DetentionCase.imported.is_(False)).limit(1)
    if db.session.scalar(live) is not None:
        return 0
    day = day or today()
    star, pro = _recordation("BRIGHTSTAR"), _recordation("BRIGHTLIGHT PRO")
    if star is None or pro is None:  # the demo recordations were not made: nothing to act on
        return 0
    plan = _plan(day, star, pro)
    for moment, step in sorted(plan, key=lambda entry: entry[0]):
        with clock_at(moment):
            step()
    return db.session.scalar(
        select(db.func.count(DetentionCase.id)).where(DetentionCase.imported.is_(False))
    )


def _recordation(title: str) -> Recordation | None:
    stmt = select(Recordation).where(
        Recordation.right_title == title, Recordation.status == RecordationStatus.ACTIVE
    )
    return db.session.execute(stmt).scalars().first()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour))


def _plan(day: date, star: Recordation, pro: Recordation) -> list[tuple[datetime, Callable]]:
    officer, holder = user_by_email(OFFICER), user_by_email(HOLDER)
    made: dict[str, int] = {}

    def open_(key, recordation, facts):
        return lambda: made.__setitem__(
            key, cases.open_ex_officio(officer, recordation.id, facts).id
        )

    seized = _facts(Channel.FREIGHT, Direction.EXPORT, "LED lamps bearing the BRIGHTSTAR mark",
                    2400, "86400.00", consignor="Shenzhen Guangming Lighting Trading Co., Ltd.",
                    consignee="Lumen Import SRL")  # fmt: skip
    ignored = _facts(Channel.EXPRESS, Direction.IMPORT, "Bulbs in BRIGHTSTAR boxes", 600,
                     "9000.00", consignor="HK Bright Parts Ltd.")  # fmt: skip
    guaranteed = _facts(Channel.POST, Direction.IMPORT, "BRIGHTLIGHT PRO desk lamps", 150,
                        "4500.00", consignee="Shenzhen Futian Retail Co.")  # fmt: skip
    waiting = _facts(Channel.CROSS_BORDER_ECOMMERCE, Direction.IMPORT,
                     "Desk lamps sold as BRIGHTLIGHT PRO online", 80, "2400.00",
                     consignee="Individual buyers (cross-border e-commerce)")  # fmt: skip
    return [
        (_at(day - timedelta(days=40)), open_("seized", star, seized)),
        (_at(day - timedelta(days=39)), lambda: case_confirm.confirm(holder, made["seized"], "50000.00")),
        (_at(day - timedelta(days=20)), lambda: case_outcomes.record_outcome(
            officer, made["seized"], CaseOutcome.CONFISCATED, day - timedelta(days=20),
            "Infringing goods confiscated; the holder was told.")),
        (_at(day - timedelta(days=25)), open_("ignored", star, ignored)),
        (_at(day - timedelta(days=17), 1), lambda: case_release.release_overdue(utcnow().date())),
        (_at(day - timedelta(days=6)), open_("guaranteed", pro, guaranteed)),
        (_at(day - timedelta(days=5)), lambda: case_confirm.confirm(
            user_by_email(AGENT), made["guaranteed"], use_guarantee=True)),
        (_at(day - timedelta(days=10)), lambda: _request(holder, star, "accepted")),
        (_at(day - timedelta(days=9)), lambda: _accept(officer, made, day)),
        (_at(day - timedelta(days=2)), lambda: _request(holder, pro, "waiting")),
        (utcnow(), open_("waiting", pro, waiting)),
    ]  # fmt: skip


def _request(holder, recordation: Recordation, which: str) -> None:
    fields = RequestFields(
        port_code=PORT, channel=Channel.FREIGHT.value, direction=Direction.EXPORT.value,
        goods=f"Lamps marked {recordation.right_title}, about 1,000 cartons",
        consignor="Dongguan Shining Light Factory", consignee="Baltic Lamps OÜ",
        hs_code="853952", items=12000, value_cny=Decimal("240000.00"),
        expected_from=today(), expected_until=today() + timedelta(days=14),
        note=f"Our distributor saw the {which} consignment offered below cost; see the invoice.",
    )  # fmt: skip
    evidence = [detention_requests.Evidence(io.BytesIO(pdf()), "offer-and-invoice.pdf")]
    detention_requests.file(holder, recordation.id, fields, evidence)


def _accept(officer, made: dict, day: date) -> None:
    from ipr_apps.models import DetentionRequest

    first = db.session.execute(select(DetentionRequest).order_by(DetentionRequest.id)).scalar()
    facts = _facts(Channel.FREIGHT, Direction.EXPORT, first.goods, 11800, "236000.00",
                   consignor=first.consignor, consignee=first.consignee)  # fmt: skip
    made["requested"] = detention_requests.accept(officer, first.id, facts).id
    case_confirm.confirm(user_by_email(HOLDER), made["requested"], "236000.00")
