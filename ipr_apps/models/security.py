"""The append-only security log: admin and security actions (accounts, sign-ins, exports)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
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
        return str(ACTION_LABELS[self])


# The log's wording for each action, in one place (whole phrases, ready for translation).
ACTION_LABELS: dict[SecurityAction, object] = {
    SecurityAction.ACCOUNT_CREATED: _l("Account created"),
    SecurityAction.ACCOUNT_CHANGED: _l("Account changed"),
    SecurityAction.ACCOUNT_DEACTIVATED: _l("Account deactivated"),
    SecurityAction.ACCOUNT_ACTIVATED: _l("Account reactivated"),
    SecurityAction.HOLIDAY_ADDED: _l("Holiday added"),
    SecurityAction.HOLIDAY_CHANGED: _l("Holiday changed"),
    SecurityAction.HOLIDAY_REMOVED: _l("Holiday removed"),
    SecurityAction.TOKEN_CREATED: _l("API token created"),
    SecurityAction.TOKEN_REVOKED: _l("API token revoked"),
    SecurityAction.SIGNIN_SUCCEEDED: _l("Signed in"),
    SecurityAction.SIGNIN_FAILED: _l("Sign-in failed"),
    SecurityAction.SIGNIN_THROTTLED: _l("Sign-in refused (too many attempts)"),
    SecurityAction.SIGNOUT: _l("Signed out"),
    SecurityAction.SESSION_REVOKED: _l("Sessions ended"),
    SecurityAction.EXPORT_DOWNLOADED: _l("Export downloaded"),
    SecurityAction.DISTRICT_ADDED: _l("Customs district added"),
    SecurityAction.DISTRICT_CHANGED: _l("Customs district renamed"),
    SecurityAction.DISTRICT_DEACTIVATED: _l("Customs district deactivated"),
    SecurityAction.DISTRICT_ACTIVATED: _l("Customs district reactivated"),
    SecurityAction.GUARANTEE_SET: _l("General guarantee recorded"),
    SecurityAction.GUARANTEE_CLEARED: _l("General guarantee cleared"),
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
