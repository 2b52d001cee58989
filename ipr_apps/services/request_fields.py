"""What a holder says about the consignment it asks customs to detain, and its checks: every
bad field named at once, the likely port an active customs district."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ipr_apps.db import db
from ipr_apps.errors import ValidationError
from ipr_apps.models import Channel, CustomsDistrict, Direction

HS_CODE = re.compile(r"\d{6,10}")
TEXT_MAX = {"goods": 2000, "consignor": 300, "consignee": 300, "note": 5000}


@dataclass
class RequestFields:
    """The consignment expected: parties, goods, the likely port (its customs district) and
    time, and the holder's grounds. Items and value are optional (often not known yet)."""

    port_code: str
    channel: Channel | str | None
    direction: Direction | str | None
    goods: str
    consignor: str | None = None
    consignee: str | None = None
    hs_code: str | None = None
    items: int | None = None
    value_cny: Decimal | None = None
    expected_from: date | None = None
    expected_until: date | None = None
    note: str | None = None

    def problems(self) -> dict[str, list[str]]:
        """Every bad field with its messages (empty when all is well)."""
        found: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            found.setdefault(name, []).append(message)

        self._clean()
        if not self.goods:
            add("goods", _("Describe the goods you expect."))
        for name, most in TEXT_MAX.items():
            if len(getattr(self, name) or "") > most:
                add(name, _("Keep it under %(limit)s characters.", limit=most))
        if not (self.consignor or self.consignee):
            add("consignor", _("Name the consignor or the consignee (or both), as far as known."))
        if not _active_district(self.port_code):
            add("port_code", _("Choose the customs district of the likely port."))
        if self.channel not in {c.value for c in Channel}:
            add("channel", _("Choose how the goods travel."))
        if self.direction not in {d.value for d in Direction}:
            add("direction", _("Choose import or export."))
        if self.hs_code and not HS_CODE.fullmatch(self.hs_code):
            add("hs_code", _("An HS code is 6 to 10 digits."))
        if self.items is not None and self.items < 0:
            add("items", _("Give the number of items (0 or more), or leave it empty."))
        value = self.value_cny
        if value is not None and (value < 0 or value != round(value, 2)):
            add("value_cny", _("Give the value in yuan, 0 or more, with at most 2 decimals."))
        if self.expected_from and self.expected_until and self.expected_from > self.expected_until:
            add("expected_until", _("The end of the expected period is before its start."))
        return found

    def check(self) -> None:
        if found := self.problems():
            raise ValidationError(_("Check the request."), found)

    def _clean(self) -> None:
        """Stripped text, empty text as None, the enumerations as their plain values."""
        for name in ("port_code", "goods", "consignor", "consignee", "hs_code", "note"):
            value = (getattr(self, name) or "").strip()
            setattr(self, name, value or None)
        if self.hs_code:
            self.hs_code = self.hs_code.replace(".", "").replace(" ", "")
        for name in ("channel", "direction"):
            value = getattr(self, name)
            setattr(self, name, getattr(value, "value", value) or None)

    def columns(self) -> dict:
        """The request's columns (after `check`)."""
        return {
            "port_code": self.port_code, "channel": Channel(self.channel),
            "direction": Direction(self.direction), "goods": self.goods,
            "consignor": self.consignor, "consignee": self.consignee, "hs_code": self.hs_code,
            "items": self.items, "value_cny": self.value_cny,
            "expected_from": self.expected_from, "expected_until": self.expected_until,
            "note": self.note,
        }  # fmt: skip


def _active_district(code: str | None) -> bool:
    if not code:
        return False
    stmt = select(CustomsDistrict.code).where(
        CustomsDistrict.code == code, CustomsDistrict.active.is_(True)
    )
    return db.session.execute(stmt).first() is not None


def active_districts() -> list[CustomsDistrict]:
    """The districts a request may name, by code (the form's choices)."""
    stmt = select(CustomsDistrict).where(CustomsDistrict.active.is_(True))
    return list(db.session.execute(stmt.order_by(CustomsDistrict.code)).scalars())
