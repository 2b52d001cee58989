"""Customs districts: the 4-digit customs codes officers belong to and cases are opened at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ipr_apps.db import db
from ipr_apps.models.base import utcnow


class CustomsDistrict(db.Model):
    """Maintained by admins. Deactivated districts keep their officers and cases; new
    officers and cases cannot be placed in them."""

    __tablename__ = "customs_districts"
    __table_args__ = (CheckConstraint("length(code) = 4", name="code_four_digits"),)

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name_local: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        return self.name_en or self.name_local

    @property
    def reader_name(self) -> str:
        """Both names, the reader's language first: 深圳皇岗海关（Shenzhen Huanggang Customs）."""
        from ipr_apps.i18n import two_names

        return two_names(self.name_local, self.name_en)

    def __repr__(self) -> str:
        return f"<CustomsDistrict {self.code} {self.display_name}>"
