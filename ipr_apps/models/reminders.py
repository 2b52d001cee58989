"""Reminders about a recordation's end, one row per kind and validity end (sent or skipped)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum


class ReminderKind(StrEnum):
    SIX_MONTHS = "6_months"
    THREE_MONTHS = "3_months"
    ONE_MONTH = "1_month"
    EXPIRED = "expired"
    LAPSED = "lapsed"

    @property
    def months(self) -> int | None:
        """How many calendar months before the end it is due (None: sent once it ended)."""
        return {"6_months": 6, "3_months": 3, "1_month": 1}.get(self.value)


class ReminderOutcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # a more urgent one was due at the same time and was sent instead


class RecordationReminder(db.Model):
    """The unique constraint is what makes each reminder go once: a run inserts the row in the
    transaction that queues the messages, so a concurrent run's insert fails and it sends
    nothing. `valid_until` is the end the reminder was about: a renewal moves the end, and
    the reminders start over for the new one."""

    __tablename__ = "recordation_reminders"
    __table_args__ = (
        UniqueConstraint("recordation_id", "kind", "valid_until", name="uq_recordation_reminders"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recordation_id: Mapped[int] = mapped_column(ForeignKey("recordations.id"))
    kind: Mapped[ReminderKind] = mapped_column(value_enum(ReminderKind, "reminder_kind"))
    valid_until: Mapped[date]
    outcome: Mapped[ReminderOutcome] = mapped_column(
        value_enum(ReminderOutcome, "reminder_outcome")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
