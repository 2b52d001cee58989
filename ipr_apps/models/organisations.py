"""Organisations: rights holders and the agencies (IP law firms) that file for them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum


class OrgKind(StrEnum):
    HOLDER = "holder"
    AGENCY = "agency"


class Organisation(db.Model):
    """A rights holder or an agency; most fields may be completed after sign-up."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("country IS NULL OR length(country) = 2", name="country_iso2"),
        CheckConstraint(
            "(general_guarantee_cny IS NULL) = (general_guarantee_until IS NULL)",
            name="guarantee_dated",
        ),
        CheckConstraint(
            "general_guarantee_cny IS NULL OR general_guarantee_cny > 0", name="guarantee_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(value_enum(OrgKind, "org_kind"))
    name_local: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    registration_number: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(500))
    legal_representative: Mapped[str | None] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    # A yearly general guarantee lodged with customs: ex officio detentions until that day
    # need no bond of their own (up to the guaranteed amount).
    general_guarantee_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    general_guarantee_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    mandates_given: Mapped[list[AgentMandate]] = relationship(
        foreign_keys="AgentMandate.holder_id", back_populates="holder"
    )
    mandates_held: Mapped[list[AgentMandate]] = relationship(
        foreign_keys="AgentMandate.agency_id", back_populates="agency"
    )

    @property
    def display_name(self) -> str:
        return self.name_en or self.name_local

    @property
    def reader_name(self) -> str:
        """Both names, the reader's language first: 光明照明 (BrightStar Lighting) in Chinese."""
        from ipr_apps.i18n import two_names

        return two_names(self.name_local, self.name_en)

    def guarantee_covers(self, day: date) -> bool:
        """A general guarantee is on file and still in force on `day`."""
        until = self.general_guarantee_until
        return bool(self.general_guarantee_cny) and until is not None and day <= until

    @property
    def is_agency(self) -> bool:
        return self.kind == OrgKind.AGENCY

    PROFILE_FIELDS = (
        "name_local", "name_en", "country", "registration_number", "address",
        "legal_representative", "contact_person", "email", "phone",
    )  # fmt: skip

    @property
    def missing_profile_fields(self) -> list[str]:
        return [f for f in self.PROFILE_FIELDS if not getattr(self, f)]


class AgentMandate(db.Model):
    """An agency may file for a holder while the mandate (power of attorney) is in force."""

    __tablename__ = "agent_mandates"
    __table_args__ = (
        UniqueConstraint("agency_id", "holder_id", name="uq_agent_mandates_pair"),
        CheckConstraint("agency_id <> holder_id", name="distinct_parties"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    agency: Mapped[Organisation] = relationship(
        foreign_keys=[agency_id], back_populates="mandates_held"
    )
    holder: Mapped[Organisation] = relationship(
        foreign_keys=[holder_id], back_populates="mandates_given"
    )
