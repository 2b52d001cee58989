"""The append-only status-event log, and the ORM guard on every audit table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow
from ipr_apps.models.cases import CaseEvent
from ipr_apps.models.recordations import RecordationEvent
from ipr_apps.models.review import Decision
from ipr_apps.models.security import SecurityEvent

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.users import User


class AuditViolation(RuntimeError):
    """Raised when code tries to change or delete a row of an append-only audit table."""


class StatusEvent(db.Model):
    __tablename__ = "status_events"
    __table_args__ = (Index("ix_status_events_timeline", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # A note the system wrote, as ipr_apps/system_notes.py's key and values ({"key": …, …}),
    # worded again for each reader; `note` then holds its English wording. None: a person's
    # note, or one written before the column.
    note_words: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
    application: Mapped[Application] = relationship()


def _append_only(_mapper, _connection, target) -> None:
    raise AuditViolation(f"{target.__tablename__} row {target.id} is append-only")


# The database refuses UPDATE and DELETE on these tables too (triggers, migration
# fe7cb776a657); this hook only fails earlier, with a clearer error, for ORM writes.
for _model in (StatusEvent, Decision, SecurityEvent, RecordationEvent, CaseEvent):
    event.listen(_model, "before_update", _append_only)
    event.listen(_model, "before_delete", _append_only)
