"""The append-only status-event log: every state change of every application."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow

if TYPE_CHECKING:
    from ipr_apps.models.applications import Application
    from ipr_apps.models.users import User


class AuditViolation(RuntimeError):
    """Raised when code tries to change or delete a status event."""


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
    application: Mapped[Application] = relationship()


@event.listens_for(StatusEvent, "before_update")
@event.listens_for(StatusEvent, "before_delete")
def _append_only(_mapper, _connection, target: StatusEvent) -> None:
    raise AuditViolation(f"status event {target.id} is append-only")
