"""The intellectual-property right an application asks customs to protect."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application


class IprType(StrEnum):
    TRADEMARK = "trademark"
    COPYRIGHT = "copyright"
    PATENT_INVENTION = "patent_invention"
    PATENT_UTILITY_MODEL = "patent_utility_model"
    PATENT_DESIGN = "patent_design"

    @property
    def prefix(self) -> str:
        """Recordation-number prefix: T trademark, C copyright, P patent."""
        return {"trademark": "T", "copyright": "C"}.get(self.value, "P")

    @property
    def is_patent(self) -> bool:
        return self.value.startswith("patent_")

    @property
    def label(self) -> str:
        return str(IPR_TYPE_LABELS[self])


# Lazy, for choices built at import time; `.label` is the text in the reader's language.
IPR_TYPE_LABELS = {
    IprType.TRADEMARK: _l("Trademark"),
    IprType.COPYRIGHT: _l("Copyright"),
    IprType.PATENT_INVENTION: _l("Patent invention"),
    IprType.PATENT_UTILITY_MODEL: _l("Patent utility model"),
    IprType.PATENT_DESIGN: _l("Patent design"),
}

PATENT_TYPES = (IprType.PATENT_INVENTION, IprType.PATENT_UTILITY_MODEL, IprType.PATENT_DESIGN)


class IpRight(db.Model):
    """One right per application; per-type fields are NULL where they do not apply.

    trademark: title = mark text, nice_classes, goods_services, registration/expiry dates;
    copyright: title = work title, work_type, first_publication_country (number optional);
    patents: title, abstract, filing/expiry dates, registration_number = grant number.
    """

    __tablename__ = "ip_rights"
    __table_args__ = (
        CheckConstraint(
            "first_publication_country IS NULL OR length(first_publication_country) = 2",
            name="publication_country_iso2",
        ),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    registration_number: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    mark_image_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    nice_classes: Mapped[str | None] = mapped_column(String(200))  # "9,25,35"
    goods_services: Mapped[str | None] = mapped_column(Text)
    work_type: Mapped[str | None] = mapped_column(String(100))
    first_publication_country: Mapped[str | None] = mapped_column(String(2))
    abstract: Mapped[str | None] = mapped_column(Text)
    filing_date: Mapped[date | None]
    registration_date: Mapped[date | None]
    expiry_date: Mapped[date | None]

    application: Mapped[Application] = relationship(back_populates="right")

    @property
    def nice_class_list(self) -> list[int]:
        return [int(c) for c in (self.nice_classes or "").split(",") if c.strip().isdigit()]
