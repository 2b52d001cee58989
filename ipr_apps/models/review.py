"""What reviewers produce: information requests, decisions, internal notes; and the calendar."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow, value_enum

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.users import User


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class RejectReason(StrEnum):
    INCOMPLETE_OR_INVALID = "incomplete_or_invalid"
    NOT_RIGHT_HOLDER = "not_right_holder"
    RIGHT_NOT_PROTECTED = "right_not_protected"
    FALSE_INFORMATION = "false_information"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(REJECT_REASON_LABELS[self])


REJECT_REASON_LABELS = {
    RejectReason.INCOMPLETE_OR_INVALID: _l("Documents incomplete or invalid"),
    RejectReason.NOT_RIGHT_HOLDER: _l("Applicant is not the right holder"),
    RejectReason.RIGHT_NOT_PROTECTED: _l("The right is no longer protected"),
    RejectReason.FALSE_INFORMATION: _l("False information"),
    RejectReason.OTHER: _l("Other reason"),
}


class InformationRequest(db.Model):
    """A reviewer's request for more information; the decision clock pauses until answered."""

    __tablename__ = "information_requests"
    __table_args__ = (
        CheckConstraint("(answered_at IS NULL) = (answered_by_id IS NULL)", name="answer_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    response: Mapped[str | None] = mapped_column(Text)
    # The holder's answer as typed so far (saved with the draft, not shown to customs).
    draft_response: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="information_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class Decision(db.Model):
    """The one final decision on an application (made here or imported from the old system)."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("imported OR decided_by_id IS NOT NULL", name="has_decider"),
        CheckConstraint(
            "imported OR outcome = 'approved' "
            "OR (reason_codes IS NOT NULL AND message IS NOT NULL)",
            name="rejection_reasoned",
        ),
        Index("ix_decisions_stats", "decided_on", "outcome"),
        CheckConstraint("working_days IS NULL OR working_days >= 0", name="working_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(value_enum(Outcome, "outcome"))
    reason_codes: Mapped[str | None] = mapped_column(String(200))  # comma-separated RejectReason
    message: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported: Mapped[bool] = mapped_column(default=False)
    # Working days the decision clock ran (pauses for information requests excluded).
    working_days: Mapped[int | None]

    application: Mapped[Application] = relationship(back_populates="decision")
    decided_by: Mapped[User | None] = relationship()

    @property
    def reasons(self) -> list[RejectReason]:
        return [RejectReason(c) for c in (self.reason_codes or "").split(",") if c]


class ReviewNote(db.Model):
    """An internal note between reviewers; never shown to the holder."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class Holiday(db.Model):
    """An admin's day in the working-day calendar: over weekends and China's official calendar
    (official_calendar), winning over both."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # False: a closure (no work that day); True: a working day (e.g. a weekend worked in lieu).
    working: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


class Notification(db.Model):
    """An in-app notification; the same news also goes out by email after commit."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    recordation_id: Mapped[int | None] = mapped_column(ForeignKey("recordations.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("detention_cases.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # The language the text was worded in (the recipient's at the time): pages mark it with
    # lang="…" when the reader's language differs. None: written before languages existed.
    locale: Mapped[str | None] = mapped_column(String(10))
    # The same news worded in every other language when it was sent ({locale: [subject, body]}),
    # so a reader who switches language reads it in the new one. None: written before that.
    translations: Mapped[dict[str, list[str]] | None] = mapped_column(JSON(none_as_null=True))

    def worded_for(self, locale: str) -> Wording:
        """The subject and body for a reader of `locale`, and the language they are in."""
        if self.translations and locale in self.translations:
            subject, body = self.translations[locale]
            return Wording(subject, body, locale)
        return Wording(self.subject, self.body, self.locale)


class Wording(NamedTuple):
    subject: str
    body: str
    locale: str | None
