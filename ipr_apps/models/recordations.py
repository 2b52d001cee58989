"""Recordations: what an approval creates, with its number and validity."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application


class RecordationStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    RENEWED = "renewed"
    CANCELLED = "cancelled"
    REVOKED = "revoked"


class Recordation(db.Model):
    """Numbered `{T|C|P}{year}-{sequence:06d}`; imported numbers keep their old format."""

    __tablename__ = "recordations"
    __table_args__ = (
        UniqueConstraint("prefix", "year", "sequence", name="uq_recordations_sequence"),
        CheckConstraint("valid_from <= valid_until", name="validity_ordered"),
        CheckConstraint(
            "imported OR (year IS NOT NULL AND sequence IS NOT NULL)", name="own_numbering"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    prefix: Mapped[str] = mapped_column(String(1))
    year: Mapped[int | None]
    sequence: Mapped[int | None]
    valid_from: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    status: Mapped[RecordationStatus] = mapped_column(
        value_enum(RecordationStatus, "recordation_status"), default=RecordationStatus.ACTIVE
    )
    imported: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="recordation")
