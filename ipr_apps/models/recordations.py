"""Recordations: what an approval creates, with its number, validity and own event log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import key_type as _key_type
from ipr_apps.models.base import search_key, utcnow, value_enum
from ipr_apps.models.rights import IprType

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.organisations import Organisation
    from ipr_apps.models.users import User


class RecordationStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # its validity ended without a renewal
    LAPSED = "lapsed"  # the right itself stopped being protected
    CANCELLED = "cancelled"  # at the holder's request
    REVOKED = "revoked"  # by customs, for false information

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def in_force(self) -> bool:
        return self == RecordationStatus.ACTIVE


# The glossary's words: 有效, 已期满, 权利失效, 已注销, 已撤销.
STATUS_LABELS = {
    RecordationStatus.ACTIVE: _l("Active"),
    RecordationStatus.EXPIRED: _l("Expired"),
    RecordationStatus.LAPSED: _l("Lapsed"),
    RecordationStatus.CANCELLED: _l("Cancelled"),
    RecordationStatus.REVOKED: _l("Revoked"),
}


class Recordation(db.Model):
    """Numbered `{T|C|P}{year}-{sequence:06d}`; imported numbers keep their old format.

    `application_id` is the original application; `facts_application_id` the approved
    application (original, renewal or amendment) whose content is the recorded facts now —
    the earlier ones stay as they were, so every earlier version remains readable. The right
    and holder columns are copies of those facts for the lists and the public register.
    """

    __tablename__ = "recordations"
    __table_args__ = (
        UniqueConstraint("prefix", "year", "sequence", name="uq_recordations_sequence"),
        CheckConstraint("valid_from <= valid_until", name="validity_ordered"),
        CheckConstraint(
            "imported OR (year IS NOT NULL AND sequence IS NOT NULL)", name="own_numbering"
        ),
        CheckConstraint("(status = 'active') = (ended_on IS NULL)", name="ended_iff_not_active"),
        Index("ix_recordations_holder_list", "holder_org_id", "valid_until", "id"),
        Index("ix_recordations_agency_list", "agency_id", "valid_until", "id"),
        Index("ix_recordations_status_until", "status", "valid_until", "id"),
        Index("ix_recordations_right_number", "right_number"),
        Index("ix_recordations_right_title", "right_title"),
        Index("ix_recordations_holder_name", "holder_name"),
        Index("ix_recordations_ended_on", "ended_on"),
        Index("ix_recordations_status_right_expiry", "status", "right_expiry", "id"),
        # The officers' search by HS code finds recordations by their facts' application.
        Index("ix_recordations_facts_application", "facts_application_id"),
        # The holders' hits page lists a holder's (or agency's) recordations by number.
        Index("ix_recordations_holder_number", "holder_org_id", "number"),
        Index("ix_recordations_agency_number", "agency_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    facts_application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    prefix: Mapped[str] = mapped_column(String(1))
    year: Mapped[int | None]
    sequence: Mapped[int | None]
    valid_from: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    status: Mapped[RecordationStatus] = mapped_column(
        value_enum(RecordationStatus, "recordation_status"), default=RecordationStatus.ACTIVE
    )
    # The first day it was no longer in force (cancelled, revoked, expired or lapsed).
    ended_on: Mapped[date | None]
    imported: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Copies of the recorded facts (see the class docstring).
    ipr_type: Mapped[IprType] = mapped_column(value_enum(IprType, "ipr_type"))
    holder_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    holder_name: Mapped[str] = mapped_column(String(300))
    holder_name_other: Mapped[str | None] = mapped_column(String(300))
    holder_country: Mapped[str | None] = mapped_column(String(2))
    right_number: Mapped[str | None] = mapped_column(String(64))
    right_title: Mapped[str | None] = mapped_column(String(500))
    right_expiry: Mapped[date | None]

    # The public register's search keys (services/register.py): the public columns folded by
    # search_key() (NFKC, case-folded, spaces collapsed), kept in step by the ORM events below.
    # Byte order ("C") on PostgreSQL, as SQLite's default, so a prefix is one index range.
    number_key: Mapped[str | None] = mapped_column(_key_type(80))
    right_number_key: Mapped[str | None] = mapped_column(_key_type(128))
    right_title_key: Mapped[str | None] = mapped_column(_key_type(500))
    holder_name_key: Mapped[str | None] = mapped_column(_key_type(300))
    holder_name_other_key: Mapped[str | None] = mapped_column(_key_type(300))

    application: Mapped[Application] = relationship(foreign_keys=[application_id])
    facts_application: Mapped[Application] = relationship(foreign_keys=[facts_application_id])
    holder_org: Mapped[Organisation] = relationship(foreign_keys=[holder_org_id])
    agency: Mapped[Organisation | None] = relationship(foreign_keys=[agency_id])
    events: Mapped[list[RecordationEvent]] = relationship(
        order_by="RecordationEvent.id", viewonly=True
    )

    @property
    def holder_reader_name(self) -> str:
        """The holder's two names (local script, English), the reader's language first."""
        from ipr_apps.i18n import two_names

        if self.holder_name_other:  # copy_facts: the local name first when there are two
            return two_names(self.holder_name, self.holder_name_other)
        return self.holder_name

    def can(self, action: str, user: User) -> bool:
        """Whether `user` may perform `action` now; templates use it to show buttons."""
        from ipr_apps import recordation_workflow

        return recordation_workflow.can(self, action, user)

    def __repr__(self) -> str:
        return f"<Recordation {self.number} {self.status}>"


class RecordationEvent(db.Model):
    """Append-only: every change of a recordation's status, validity or facts."""

    __tablename__ = "recordation_events"
    __table_args__ = (Index("ix_recordation_events_timeline", "recordation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recordation_id: Mapped[int] = mapped_column(ForeignKey("recordations.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    # The application that caused it (the approval of a new one, a renewal, an amendment).
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    valid_until: Mapped[date]  # after the event
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    recordation: Mapped[Recordation] = relationship()
    actor: Mapped[User | None] = relationship()
    application: Mapped[Application | None] = relationship()


# The public register's search keys: what each indexes, and the indexes (key, id).
SEARCH_KEYS = {
    "number_key": "number",
    "right_number_key": "right_number",
    "right_title_key": "right_title",
    "holder_name_key": "holder_name",
    "holder_name_other_key": "holder_name_other",
}
for _key in SEARCH_KEYS:
    Index(f"ix_recordations_{_key}", getattr(Recordation, _key), Recordation.id)


@event.listens_for(Recordation, "before_insert")
@event.listens_for(Recordation, "before_update")
def _fill_search_keys(mapper, connection, recordation: Recordation) -> None:
    for key, source in SEARCH_KEYS.items():
        length = Recordation.__table__.c[key].type.length
        setattr(recordation, key, search_key(getattr(recordation, source), length))
