"""The repeating groups of an application: goods, licensees, traders, ports, infringers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ipr_apps.db import db
from ipr_apps.models.base import value_enum


class _Child:
    """Columns every repeating group shares: its application and its order in the form."""

    position: Mapped[int] = mapped_column(default=0)

    @declared_attr
    def application_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)


class _TwoNames:
    """A party named in its own script (`name`) and, optionally, in English (`name_en`)."""

    name_en: Mapped[str | None] = mapped_column(String(300))

    @property
    def reader_name(self) -> str:
        """The name in the reader's language first, the other in parentheses."""
        from ipr_apps.i18n import two_names

        return two_names(self.name, self.name_en)


class Goods(_Child, db.Model):
    """Genuine goods (group 4): what customs must recognise at the border."""

    __tablename__ = "goods"
    # Drafts keep whatever was typed; the HS code format and price order are checked on submit.

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    hs_code: Mapped[str | None] = mapped_column(String(20), index=True)
    place_of_manufacture: Mapped[str | None] = mapped_column(String(300))
    main_features: Mapped[str | None] = mapped_column(Text)
    price_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    price_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))


class Licensee(_TwoNames, _Child, db.Model):
    """A licensee of the right (group 3)."""

    __tablename__ = "licensees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    scope: Mapped[str | None] = mapped_column(Text)
    exclusive: Mapped[bool] = mapped_column(default=False)
    term_from: Mapped[date | None]
    term_until: Mapped[date | None]


class TraderRole(StrEnum):
    MANUFACTURER = "manufacturer"
    IMPORTER = "importer"
    EXPORTER = "exporter"

    @property
    def label(self) -> str:
        return str(TRADER_ROLE_LABELS[self])


TRADER_ROLE_LABELS = {
    TraderRole.MANUFACTURER: _l("Manufacturer"),
    TraderRole.IMPORTER: _l("Importer"),
    TraderRole.EXPORTER: _l("Exporter"),
}


class Trader(_TwoNames, _Child, db.Model):
    """A legitimate manufacturer, importer or exporter of the genuine goods (group 4)."""

    __tablename__ = "traders"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[TraderRole] = mapped_column(value_enum(TraderRole, "trader_role"))
    name: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    customs_code: Mapped[str | None] = mapped_column(String(50))


class PortDirection(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
    BOTH = "both"

    @property
    def label(self) -> str:
        return str(PORT_DIRECTION_LABELS[self])


PORT_DIRECTION_LABELS = {
    PortDirection.ENTRY: _l("Entry"),
    PortDirection.EXIT: _l("Exit"),
    PortDirection.BOTH: _l("Both"),
}


class Port(_Child, db.Model):
    """A customs port through which the genuine goods usually pass (group 4)."""

    __tablename__ = "ports"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(20))
    direction: Mapped[PortDirection] = mapped_column(
        value_enum(PortDirection, "port_direction"), default=PortDirection.BOTH
    )


class Infringer(_TwoNames, _Child, db.Model):
    """A known or suspected infringer (group 5)."""

    __tablename__ = "infringers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(500))
    ports: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
