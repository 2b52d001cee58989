"""Detention cases: one detained consignment (one batch) at a port, ex officio on a
recordation or on the holder's application; what the enforcement statistics count."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.recordations import Recordation


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Channel(_Labelled):
    FREIGHT = "freight"
    POST = "post"
    EXPRESS = "express"
    CROSS_BORDER_ECOMMERCE = "cross_border_ecommerce"
    PASSENGER = "passenger"
    OTHER = "other"


class Direction(_Labelled):
    IMPORT = "import"
    EXPORT = "export"


class Mode(_Labelled):
    EX_OFFICIO = "ex_officio"  # customs act on their own initiative, on a recordation
    ON_APPLICATION = "on_application"  # the holder applied for the detention


class CaseIprType(_Labelled):
    """The right infringed, as enforcement statistics count it (the patent kinds as one)."""

    TRADEMARK = "trademark"
    COPYRIGHT = "copyright"
    PATENT = "patent"


class CaseOutcome(_Labelled):
    CONFISCATED = "confiscated"
    RELEASED = "released"
    TRANSFERRED_TO_POLICE = "transferred_to_police"
    COURT_ORDER = "court_order"
    WITHDRAWN_BY_HOLDER = "withdrawn_by_holder"


class CaseStatus(_Labelled):
    """DESIGN §4: awaiting the holder (3 working days) → detained (confirmed, bond posted) or
    released (not confirmed) → closed with an outcome."""

    AWAITING_HOLDER = "awaiting_holder"
    DETAINED = "detained"
    RELEASED = "released"
    CLOSED = "closed"


class DetentionCase(db.Model):
    """Numbered `D{year}-{port}-{seq:06d}` when opened here; imported numbers keep their form.

    `port_code` and `recordation_number` are kept as given (an imported code need not be in
    the districts list, an imported recordation need not be known here); `recordation_id`
    links the recordation when it is.
    """

    __tablename__ = "detention_cases"
    __table_args__ = (
        CheckConstraint("items >= 0", name="items_non_negative"),
        CheckConstraint("value_cny >= 0", name="value_non_negative"),
        CheckConstraint("bond_cny IS NULL OR bond_cny >= 0", name="bond_non_negative"),
        CheckConstraint("(outcome IS NULL) = (outcome_on IS NULL)", name="outcome_dated"),
        Index("ix_detention_cases_opened", "opened_on", "id"),
        Index("ix_detention_cases_port", "port_code", "opened_on"),
        Index("ix_detention_cases_holder", "holder_org_id", "opened_on", "id"),
        Index("ix_detention_cases_recordation", "recordation_id", "opened_on"),
        Index("ix_detention_cases_status", "status", "confirm_by", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    opened_on: Mapped[date]
    port_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "case_channel"))
    direction: Mapped[Direction] = mapped_column(value_enum(Direction, "case_direction"))
    mode: Mapped[Mode] = mapped_column(value_enum(Mode, "case_mode"))
    ipr_type: Mapped[CaseIprType] = mapped_column(value_enum(CaseIprType, "case_ipr_type"))
    status: Mapped[CaseStatus] = mapped_column(value_enum(CaseStatus, "case_status"))
    recordation_id: Mapped[int | None] = mapped_column(ForeignKey("recordations.id"))
    recordation_number: Mapped[str | None] = mapped_column(String(40))
    holder_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    goods: Mapped[str | None] = mapped_column(Text)
    goods_category: Mapped[str | None] = mapped_column(String(200))
    hs_code: Mapped[str | None] = mapped_column(String(20))
    items: Mapped[int] = mapped_column(default=0)
    value_cny: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    consignor: Mapped[str | None] = mapped_column(String(300))
    consignee: Mapped[str | None] = mapped_column(String(300))
    country_of_origin: Mapped[str | None] = mapped_column(String(2))

    # The holder's side of an ex officio case: confirm within 3 working days, with a bond not
    # above the goods' value or on its yearly general guarantee.
    confirm_by: Mapped[date | None]
    confirmed_at: Mapped[datetime | None]
    bond_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    on_general_guarantee: Mapped[bool] = mapped_column(default=False)

    outcome: Mapped[CaseOutcome | None] = mapped_column(value_enum(CaseOutcome, "case_outcome"))
    outcome_on: Mapped[date | None]
    imported: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recordation: Mapped[Recordation | None] = relationship()

    def __repr__(self) -> str:
        return f"<DetentionCase {self.case_number} {self.status}>"
