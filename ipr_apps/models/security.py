"""The append-only security log: admin and security actions (accounts, sign-ins, exports)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipr_apps.db import db
from ipr_apps.models.base import utcnow

if TYPE_CHECKING:
    from ipr_apps.models.users import User


class SecurityAction(StrEnum):
    """What happened. Stored as plain text (no CHECK constraint): adding a code needs no
    migration, and on SQLite a migration that rebuilt this table would drop its triggers."""

    ACCOUNT_CREATED = "account.created"
    ACCOUNT_CHANGED = "account.changed"
    ACCOUNT_DEACTIVATED = "account.deactivated"
    ACCOUNT_ACTIVATED = "account.activated"
    HOLIDAY_ADDED = "holiday.added"
    HOLIDAY_CHANGED = "holiday.changed"
    HOLIDAY_REMOVED = "holiday.removed"
    TOKEN_CREATED = "token.created"  # noqa: S105 (an action code)
    TOKEN_REVOKED = "token.revoked"  # noqa: S105
    SIGNIN_SUCCEEDED = "signin.succeeded"
    SIGNIN_FAILED = "signin.failed"
    SIGNIN_THROTTLED = "signin.throttled"  # refused by throttling before the password was checked
    SIGNOUT = "signout"
    SESSION_REVOKED = "session.revoked"
    EXPORT_DOWNLOADED = "export.downloaded"
    DISTRICT_ADDED = "district.added"
    DISTRICT_CHANGED = "district.changed"
    DISTRICT_DEACTIVATED = "district.deactivated"
    DISTRICT_ACTIVATED = "district.activated"
    GUARANTEE_SET = "guarantee.set"
    GUARANTEE_CLEARED = "guarantee.cleared"

    @property
    def label(self) -> str:
        """What the admin page shows for this action (the code stays the filter's value)."""
        return ACTION_LABELS[self]


# The log's wording for each action, in one place (whole phrases, ready for translation).
ACTION_LABELS: dict[SecurityAction, str] = {
    SecurityAction.ACCOUNT_CREATED: "Account created",
    SecurityAction.ACCOUNT_CHANGED: "Account changed",
    SecurityAction.ACCOUNT_DEACTIVATED: "Account deactivated",
    SecurityAction.ACCOUNT_ACTIVATED: "Account reactivated",
    SecurityAction.HOLIDAY_ADDED: "Holiday added",
    SecurityAction.HOLIDAY_CHANGED: "Holiday changed",
    SecurityAction.HOLIDAY_REMOVED: "Holiday removed",
    SecurityAction.TOKEN_CREATED: "API token created",
    SecurityAction.TOKEN_REVOKED: "API token revoked",
    SecurityAction.SIGNIN_SUCCEEDED: "Signed in",
    SecurityAction.SIGNIN_FAILED: "Sign-in failed",
    SecurityAction.SIGNIN_THROTTLED: "Sign-in refused (too many attempts)",
    SecurityAction.SIGNOUT: "Signed out",
    SecurityAction.SESSION_REVOKED: "Sessions ended",
    SecurityAction.EXPORT_DOWNLOADED: "Export downloaded",
    SecurityAction.DISTRICT_ADDED: "Customs district added",
    SecurityAction.DISTRICT_CHANGED: "Customs district renamed",
    SecurityAction.DISTRICT_DEACTIVATED: "Customs district deactivated",
    SecurityAction.DISTRICT_ACTIVATED: "Customs district reactivated",
    SecurityAction.GUARANTEE_SET: "General guarantee recorded",
    SecurityAction.GUARANTEE_CLEARED: "General guarantee cleared",
}


class SecurityEvent(db.Model):
    """One admin or security action; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_newest", "created_at", "id"),
        Index("ix_security_events_action", "action", "created_at", "id"),
        Index("ix_security_events_actor", "actor_id", "created_at", "id"),
        Index("ix_security_events_target", "target_type", "target_id"),
    )

    USER_AGENT_MAX = 200

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # the address tried (failed sign-in)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        """The action's label; a code this version does not know, as it is."""
        try:
            return SecurityAction(self.action).label
        except ValueError:
            return self.action
