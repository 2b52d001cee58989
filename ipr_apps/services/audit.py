"""Appending status events; called inside the service's transaction."""

from __future__ import annotations

from ipr_apps.db import db
from ipr_apps.models import Application, Status, StatusEvent, User


def record(
    application: Application,
    action: str,
    from_status: Status | None,
    actor: User | None,
    note: str | None = None,
) -> StatusEvent:
    event = StatusEvent(
        application=application,
        action=action,
        from_status=from_status.value if from_status else None,
        to_status=application.status.value,
        actor_id=actor.id if actor else None,
        note=note,
    )
    db.session.add(event)
    return event
