"""Named counters for gap-free sequences (references, recordation numbers)."""

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ipr_apps.db import db


class Counter(db.Model):
    __tablename__ = "counters"
    __table_args__ = (CheckConstraint("value >= 0", name="non_negative"),)

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
